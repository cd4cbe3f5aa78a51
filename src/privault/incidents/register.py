"""The breach register (GDPR Art. 33(5)): one entry per incident, notified or not."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from privault.incidents.model import Incident, TimelineEntry

REGISTER_COLUMNS: tuple[str, ...] = (
    "incident",
    "title",
    "severity",
    "state",
    "breach_start",
    "breach_end",
    "aware_at",
    "subjects",
    "exposed_subjects",
    "pii_types",
    "jurisdictions",
    "safe_harbour",
    "measures",
    "duties",
    "notified",
    "review",
)


def entry(
    incident: Incident, timeline: Sequence[TimelineEntry], clocks: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The register entry of one incident: facts, effects, remedial action, notifications."""
    impact = incident.impact or {}
    applicable = [c for c in clocks if c["applies"]]
    return {
        "incident": incident.id,
        "title": incident.title,
        "severity": incident.severity,
        "state": incident.state,
        "breach_start": incident.breach_start.isoformat() if incident.breach_start else None,
        "breach_end": incident.breach_end.isoformat() if incident.breach_end else None,
        "aware_at": incident.aware_at.isoformat(),
        "subjects": impact.get("subjects", 0),
        "exposed_subjects": impact.get("exposed_subjects", 0),
        "pii_types": impact.get("pii_types", []),
        "jurisdictions": impact.get("jurisdictions", {}),
        "safe_harbour": impact.get("safe_harbour", True),
        "measures": [t.text for t in timeline if t.kind == "containment"],
        "duties": [c["rule"] for c in applicable],
        "notified": {c["rule"]: c["notified_at"] for c in applicable if c["notified_at"]},
        "review": incident.review or "",
    }


def to_json(entries: Sequence[Mapping[str, Any]]) -> str:
    """The register as a JSON array."""
    return json.dumps(list(entries), indent=2, sort_keys=True, default=str) + "\n"


def to_csv(entries: Sequence[Mapping[str, Any]]) -> str:
    """The register as CSV; lists and mappings are JSON in their cell."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(REGISTER_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for e in entries:
        writer.writerow(
            {
                k: json.dumps(e[k], sort_keys=True) if isinstance(e[k], list | dict) else e[k]
                for k in REGISTER_COLUMNS
            }
        )
    return buf.getvalue()
