"""The facts a customer-facing transparency page states (no values, only configuration)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class CollectedField:
    """A field of a record type: its data category and PII type (never a value)."""

    name: str
    category: str
    pii_type: str | None
    purposes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CollectedType:
    """A record type the organisation keeps, and how long."""

    name: str
    category: str
    description: str
    fields: tuple[CollectedField, ...]
    retention: str | None  # e.g. "keep 6y after last_activity"; None: no rule

    @property
    def purposes(self) -> tuple[str, ...]:
        """Every purpose declared on the type's fields, sorted."""
        return tuple(sorted({p for f in self.fields for p in f.purposes}))

    @property
    def pii_types(self) -> tuple[str, ...]:
        """The PII types the type holds, sorted."""
        return tuple(sorted({f.pii_type for f in self.fields if f.pii_type}))


@dataclass(frozen=True, slots=True)
class TransparencyFacts:
    """Everything the page says, each statement backed by the live system."""

    organisation: str
    generated_at: datetime
    collected: tuple[CollectedType, ...]
    protections: tuple[str, ...]
    rights: tuple[str, ...]
    contact: str | None


RIGHT_NAMES = {
    "access": "Ask for a copy of the data we hold about you",
    "rectification": "Ask us to correct inaccurate data",
    "erasure": "Ask us to erase your data",
    "restriction": "Ask us to restrict how we use your data",
    "opt_out_sale": "Opt out of the sale or sharing of your data",
}


def right_statements(kinds: tuple[str, ...]) -> tuple[str, ...]:
    """Plain-language rights for the request kinds the system handles."""
    return tuple(RIGHT_NAMES.get(k, k) for k in kinds)
