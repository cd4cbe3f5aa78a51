"""Draft a masking policy from a scan's findings: a finding becomes a protected copy.

The draft lists every column of every table found, so a reviewer sees each
decision, and ``unlisted: detect`` covers columns added later:

==============================  ==================================================
column                          drafted rule
==============================  ==================================================
PII type, key or UNIQUE column  ``hash`` (one-to-one: keys and joins survive)
PERSON, EMAIL_ADDRESS, PHONE…   ``fake`` of the same type (realistic, consistent)
CREDIT_CARD                     ``fpe`` (format and last four digits kept, Luhn-valid)
DATE_TIME                       ``generalize`` to the year
SECRET                          ``redact``
CRYPTO and other types          ``hash``
free text with PII inside       ``detect`` (spans replaced by the entity rules)
foreign-key column              not listed: it inherits the rule of its parent
anything else                   ``keep``
==============================  ==================================================

The same defaults are the draft's ``entities`` rules for PII found in free text.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from privault.deid.policy import Policy, load_policy
from privault.deid.sql import TableShape

__all__ = ["ColumnFinding", "default_rule", "draft_policy", "draft_yaml"]

_FAKE = frozenset(
    {
        "PERSON",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "LOCATION",
        "US_SSN",
        "IBAN_CODE",
        "IP_ADDRESS",
        "MAC_ADDRESS",
        "URL",
        "US_PASSPORT",
        "US_DRIVER_LICENSE",
        "US_BANK_NUMBER",
        "UK_NHS",
        "ORGANIZATION",
    }
)
_SPECIAL: dict[str, Any] = {
    "CREDIT_CARD": {"operator": "fpe"},
    "DATE_TIME": {"operator": "generalize", "kind": "date", "level": "year"},
    "SECRET": "redact",
}


@dataclass(frozen=True, slots=True)
class ColumnFinding:
    """What a scan found in one column: its PII type and the types in its free text."""

    pii_type: str | None = None
    freeform: tuple[str, ...] = ()


def default_rule(pii_type: str) -> Any:
    """The drafted rule for a PII type (see the module docstring)."""
    if pii_type in _FAKE:
        return {"operator": "fake", "kind": pii_type}
    return copy.deepcopy(_SPECIAL.get(pii_type, "hash"))


def _column_rule(found: ColumnFinding, keyed: bool) -> Any:
    if found.pii_type is not None:
        return "hash" if keyed else default_rule(found.pii_type)
    if found.freeform:
        return "hash" if keyed else "detect"
    return "keep"


def draft_policy(
    findings: Mapping[str, Mapping[str, ColumnFinding]], shapes: Sequence[TableShape]
) -> dict[str, Any]:
    """The draft as a policy mapping (validate it with :func:`load_policy`).

    Args:
        findings: table -> column -> finding (tables a scan did not see are kept
            column by column, the unlisted rule still detects in their text).
        shapes: the database's tables and keys.

    """
    referenced = {(fk.table, r) for s in shapes for fk in s.foreign_keys for r in fk.ref_columns}
    columns: dict[str, Any] = {}
    types: set[str] = set()
    for shape in sorted(shapes, key=lambda s: s.name):
        fk_cols = {c for fk in shape.foreign_keys for c in fk.columns}
        seen = findings.get(shape.name, {})
        for column in shape.columns:
            if column in fk_cols:
                continue  # inherits its parent's rule
            found = seen.get(column, ColumnFinding())
            keyed = (shape.name, column) in referenced or any(
                column in k for k in (shape.primary_key, *shape.unique)
            )
            columns[f"{shape.name}.{column}"] = _column_rule(found, keyed)
            types.update(t for t in (found.pii_type, *found.freeform) if t)
    return {
        "entities": {t: default_rule(t) for t in sorted(types)},
        "columns": columns,
        "unlisted": "detect",
    }


def draft_yaml(doc: Mapping[str, Any], source: str) -> tuple[str, Policy]:
    """The draft as reviewed YAML (with a header) and its validated policy.

    Args:
        doc: a draft from :func:`draft_policy`.
        source: the scanned source as shown to users (no password).

    """
    body = yaml.safe_dump(dict(doc), sort_keys=False, default_flow_style=False)
    header = (
        f"# privault masking policy drafted from a scan of {source}\n"
        "# Review every rule before use. Foreign-key columns are not listed: they\n"
        "# inherit the rule of the column they reference, so joins keep working.\n"
    )
    text = header + body
    return text, load_policy(text, name="drafted policy")
