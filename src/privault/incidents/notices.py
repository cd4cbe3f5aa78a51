"""Notice drafts from Jinja2 templates: to authorities and to affected individuals.

Templates are rendered in a sandbox with undefined names as errors. Letters to
individuals take names and addresses the caller read through the gate; they
are returned, never logged or stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from privault.core.errors import NotFound
from privault.incidents.model import Incident

KINDS: tuple[str, ...] = ("authority", "individual")
_env = SandboxedEnvironment(
    autoescape=False, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
)
CONSEQUENCES: dict[str, str] = {
    "CREDIT_CARD": "fraudulent card payments",
    "US_SSN": "identity theft",
    "EMAIL_ADDRESS": "phishing and spam",
    "PHONE_NUMBER": "unwanted calls and smishing",
    "PERSON": "impersonation",
    "IBAN_CODE": "fraudulent direct debits",
}


def template(kind: str) -> str:
    """The source of the ``kind`` template.

    Raises:
        NotFound: no such template.
    """
    from importlib import resources

    if kind not in KINDS:
        raise NotFound(f"no notice template {kind!r}; valid: {', '.join(KINDS)}")
    return resources.files("privault.incidents").joinpath(f"templates/{kind}.txt.j2").read_text()


def context(
    incident: Incident,
    measures: Sequence[str],
    contact: str,
    organisation: str,
) -> dict[str, Any]:
    """What every notice is filled from: the incident, its impact, measures and contact."""
    impact = incident.impact or {}
    pii = list(impact.get("pii_types", []))
    return {
        "incident": incident.id,
        "title": incident.title,
        "severity": incident.severity,
        "organisation": organisation,
        "contact": contact,
        "aware_at": incident.aware_at.isoformat(),
        "breach_start": incident.breach_start.isoformat() if incident.breach_start else "unknown",
        "breach_end": incident.breach_end.isoformat() if incident.breach_end else "unknown",
        "categories": pii,
        "exposed_categories": list(impact.get("exposed_pii_types", [])),
        "subjects": impact.get("subjects", 0),
        "exposed_subjects": impact.get("exposed_subjects", 0),
        "jurisdictions": impact.get("jurisdictions", {}),
        "safe_harbour": impact.get("safe_harbour", True),
        "consequences": sorted({CONSEQUENCES.get(p, "misuse of personal data") for p in pii}),
        "measures": list(measures),
    }


def render(kind: str, ctx: Mapping[str, Any], recipient: Mapping[str, Any] | None = None) -> str:
    """Render one notice; ``recipient`` fills an individual's letter (name, address)."""
    return _env.from_string(template(kind)).render(**ctx, recipient=recipient or {})


_ADDRESS_NAMES = ("address", "street", "city", "postcode", "zip", "state", "country")


def recipient_fields(fields: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    """The name field (PII type PERSON) and address fields (LOCATION or by name) of a schema."""
    name = next((n for n, f in fields.items() if getattr(f, "pii", None) == "PERSON"), None)
    address = [
        n
        for n, f in fields.items()
        if getattr(f, "pii", None) == "LOCATION" or any(a in n for a in _ADDRESS_NAMES)
    ]
    return name, address


def recipient(
    values: Mapping[str, Any], name: str | None, address: Sequence[str]
) -> dict[str, str]:
    """A letter's recipient block from values read through the gate."""
    out: dict[str, str] = {}
    if name and values.get(name):
        out["name"] = str(values[name])
    lines = [str(values[a]) for a in address if values.get(a)]
    if lines:
        out["address"] = "\n".join(lines)
    return out
