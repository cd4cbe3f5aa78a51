"""Retention policies: which rule keeps a record, and when it falls due.

A policy file names rules by tenant, record type and data category; the most
specific matching rule wins (tenant 4, record type 2, category 1; the first
listed wins a tie). Without a matching rule, the schema decides: the longest
``retention`` declared on a field of the record type (a record is kept as
long as its longest-kept field). No rule and no field retention: kept.

```yaml
policies:
  - {record_type: customer, keep: 2y}                      # after last activity
  - {tenant: acme, category: transactional, keep: 7y}
  - {record_type: contract, keep: 6y, after: ended_on}     # after a date field
```

A record is due on the first day on or after ``anchor date + keep``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from privault.core.errors import InvalidInput
from privault.lifecycle.periods import Period

LAST_ACTIVITY = "last_activity"


class PolicyEntry(BaseModel):
    """One rule of a policy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    keep: str
    after: str = LAST_ACTIVITY
    tenant: str | None = None
    record_type: str | None = None
    category: str | None = None

    @field_validator("keep")
    @classmethod
    def _keep(cls, value: str) -> str:
        Period.parse(value)
        return value

    def score(self, tenant: str, record_type: str, category: str) -> int | None:
        """How specifically this entry matches (None when it does not)."""
        wanted = (
            (self.tenant, tenant, 4),
            (self.record_type, record_type, 2),
            (self.category, category, 1),
        )
        total = 0
        for mine, theirs, weight in wanted:
            if mine is not None:
                if mine != theirs:
                    return None
                total += weight
        return total


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """The rule that keeps one record type: how long, from what, and why."""

    keep: Period
    after: str
    source: str

    def due_on(self, anchor: date) -> date:
        """The day a record anchored at ``anchor`` falls due."""
        return self.keep.add(anchor)

    def is_due(self, anchor: date, today: date) -> bool:
        """True from the due day on."""
        return today >= self.due_on(anchor)


def parse_policies(text: str, source: str = "policy") -> tuple[PolicyEntry, ...]:
    """Parse a policy file.

    Raises:
        InvalidInput: naming the first problem (never a value).

    """
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        raise InvalidInput(f"{source}: not valid YAML") from None
    items = doc.get("policies", []) if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise InvalidInput(f"{source}: expected a mapping with a 'policies' list")
    out = []
    for n, item in enumerate(items, start=1):
        try:
            out.append(PolicyEntry.model_validate(item))
        except (ValidationError, InvalidInput) as exc:
            raise InvalidInput(f"{source}: policy {n}: invalid ({type(exc).__name__})") from None
    return tuple(out)


def resolve(
    policies: Sequence[PolicyEntry],
    *,
    tenant: str,
    record_type: str,
    category: str,
    field_retentions: Mapping[str, str],
) -> RetentionRule | None:
    """The rule for one record type of one tenant, or None (kept indefinitely)."""
    best: tuple[int, int, PolicyEntry] | None = None
    for pos, entry in enumerate(policies):
        score = entry.score(tenant, record_type, category)
        if score is not None and (best is None or score > best[0]):
            best = (score, pos, entry)
    if best is not None:
        entry = best[2]
        scope = "/".join(v or "*" for v in (entry.tenant, entry.record_type, entry.category))
        return RetentionRule(Period.parse(entry.keep), entry.after, f"policy:{best[1] + 1}:{scope}")
    declared = [(Period.parse(v), name) for name, v in field_retentions.items() if v]
    if not declared:
        return None
    keep, name = max(declared, key=lambda d: (d[0].length(), d[1]))
    return RetentionRule(keep, LAST_ACTIVITY, f"schema:{record_type}.{name}")
