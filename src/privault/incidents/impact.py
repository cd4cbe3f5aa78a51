"""Impact of a compromise, computed from gated-read events of the audit trail.

Pure: the service feeds it events and, afterwards, what the vault knows
(record → type and subject, schemas, jurisdictions). No values are ever held,
only ids, field names, PII types, view modes and jurisdiction codes.

A field "left" in the view mode the event records for it: ``plain`` exposed
the value; ``masked``, ``token`` and ``redacted`` are safe harbour (the value
did not leave readable); ``none`` did not leave at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

READ_ACTIONS: tuple[str, ...] = ("record.read", "record.find", "record.export")
VIEW_RANK: dict[str, int] = {"none": 0, "redacted": 1, "masked": 2, "token": 3, "plain": 4}
SAFE_VIEWS: frozenset[str] = frozenset({"redacted", "masked", "token"})
COUNTRY_FIELDS: tuple[str, ...] = ("country", "country_code")
STATE_FIELDS: tuple[str, ...] = ("state", "region", "province")
_COUNTRY_NAMES = {
    "UNITED STATES": "US",
    "USA": "US",
    "UNITED KINGDOM": "GB",
    "UK": "GB",
    "GERMANY": "DE",
    "FRANCE": "FR",
    "IRELAND": "IE",
    "NETHERLANDS": "NL",
    "SPAIN": "ES",
    "ITALY": "IT",
}
_US_STATES = {"CALIFORNIA": "CA", "NEW YORK": "NY", "TEXAS": "TX", "FLORIDA": "FL"}


@dataclass(frozen=True, slots=True)
class Selector:
    """Whose activity to assess: a principal, an API key or a source, in a window."""

    since: datetime
    until: datetime
    principal: str | None = None
    api_key: str | None = None
    source: str | None = None

    def matches(self, actor: str, source: str | None) -> bool:
        """Whether an event by ``actor`` from ``source`` is in scope."""
        if self.principal is not None and actor != self.principal:
            return False
        if self.api_key is not None and not actor.endswith(f"/{self.api_key}"):
            return False
        return self.source is None or source == self.source

    def describe(self) -> dict[str, str]:
        """The selector as plain strings (for the stored impact)."""
        out = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        for name in ("principal", "api_key", "source"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


def jurisdiction(country: str | None, state: str | None) -> str:
    """A jurisdiction code from a subject's country and state: ``US-CA``, ``DE`` or ``unknown``."""
    c = (country or "").strip().upper()
    c = _COUNTRY_NAMES.get(c, c)
    if not c or len(c) != 2 or not c.isalpha():
        return "unknown"
    s = (state or "").strip().upper()
    s = _US_STATES.get(s, s) if c == "US" else s
    return f"{c}-{s}" if s and len(s) <= 3 and s.isalnum() else c


def location_fields(fields: Iterable[str]) -> tuple[str | None, str | None]:
    """The (country, state) field names a schema has, if any."""
    names = set(fields)
    country = next((f for f in COUNTRY_FIELDS if f in names), None)
    state = next((f for f in STATE_FIELDS if f in names), None)
    return country, state


# (fields or "*", requested view, per-field view overrides as canonical JSON)
Signature = tuple[tuple[str, ...] | str, str, str]


@dataclass
class Accumulator:
    """Collects in-scope gated reads: per tenant, which records left in which views."""

    selector: Selector
    events: int = 0
    first: datetime | None = None
    last: datetime | None = None
    actors: set[str] = field(default_factory=set)
    reads: dict[str, dict[Signature, set[str]]] = field(default_factory=dict)

    def add(
        self, tenant_id: str | None, ts: datetime, actor: str, detail: Mapping[str, Any]
    ) -> None:
        """Account for one allowed gated-read event."""
        records = detail.get("records")
        if not tenant_id or not isinstance(records, list) or not records:
            return
        self.events += 1
        self.actors.add(actor)
        self.first = ts if self.first is None or ts < self.first else self.first
        self.last = ts if self.last is None or ts > self.last else self.last
        fields = detail.get("fields", "*")
        fkey: tuple[str, ...] | str = tuple(fields) if isinstance(fields, list) else "*"
        views = detail.get("views") or {}
        sig = (fkey, str(detail.get("view", "masked")), json.dumps(views, sort_keys=True))
        self.reads.setdefault(tenant_id, {}).setdefault(sig, set()).update(records)

    def record_ids(self, tenant_id: str) -> set[str]:
        """Every record id of ``tenant_id`` the selected activity read."""
        out: set[str] = set()
        for ids in self.reads.get(tenant_id, {}).values():
            out |= ids
        return out


@dataclass
class SubjectImpact:
    """One affected data subject: the records read and whether anything left in plain."""

    records: set[str] = field(default_factory=set)
    exposed: bool = False
    jurisdiction: str = "unknown"


@dataclass
class TenantImpact:
    """What the selected activity touched in one tenant."""

    tenant_id: str
    subjects: dict[str, SubjectImpact] = field(default_factory=dict)
    fields: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # rt.f -> (pii, view)
    unresolved: int = 0


def resolve(
    acc: Accumulator,
    tenant_id: str,
    meta: Mapping[str, tuple[str, str]],
    schemas: Mapping[str, Mapping[str, str | None]],
) -> TenantImpact:
    """Turn a tenant's reads into subjects and fields.

    Args:
        acc: the accumulated reads.
        tenant_id: the tenant to resolve.
        meta: record id → (record type, subject id) for records that still exist.
        schemas: record type → field → PII type (None when not PII).
    """
    out = TenantImpact(tenant_id)
    missing: set[str] = set()
    for (fkey, view, views_json), ids in acc.reads.get(tenant_id, {}).items():
        overrides: dict[str, str] = json.loads(views_json)
        for rid in ids:
            found = meta.get(rid)
            if found is None:
                missing.add(rid)
                continue
            rtype, subject = found
            spec = schemas.get(rtype, {})
            names = spec.keys() if fkey == "*" else [f for f in fkey if f in spec]
            s = out.subjects.setdefault(subject, SubjectImpact())
            s.records.add(rid)
            for name in names:
                key = f"{rtype}.{name}"
                shown = overrides.get(key, view)
                s.exposed = s.exposed or (shown == "plain" and spec[name] is not None)
                old = out.fields.get(key)
                if old is None or VIEW_RANK.get(shown, 0) > VIEW_RANK.get(old[1], 0):
                    out.fields[key] = (spec[name], shown)
    out.unresolved = len(missing)
    return out


def summarize(acc: Accumulator, tenants: Sequence[TenantImpact]) -> dict[str, Any]:
    """The impact as a JSON-ready document (ids, names, codes and counts only)."""
    pii: set[str] = set()
    exposed_pii: set[str] = set()
    fields: dict[str, dict[str, Any]] = {}
    juris: dict[str, int] = {}
    exposed_juris: dict[str, int] = {}
    for t in tenants:
        for key, (p, view) in t.fields.items():
            fields[key] = {"pii": p, "view": view}
            if p and view != "none":
                pii.add(p)
                if view == "plain":
                    exposed_pii.add(p)
        for s in t.subjects.values():
            juris[s.jurisdiction] = juris.get(s.jurisdiction, 0) + 1
            if s.exposed:
                exposed_juris[s.jurisdiction] = exposed_juris.get(s.jurisdiction, 0) + 1
    subjects = sum(len(t.subjects) for t in tenants)
    exposed = sum(1 for t in tenants for s in t.subjects.values() if s.exposed)
    return {
        "selector": acc.selector.describe(),
        "events": acc.events,
        "actors": sorted(acc.actors),
        "first_seen": acc.first.isoformat() if acc.first else None,
        "last_seen": acc.last.isoformat() if acc.last else None,
        "tenants": sorted(t.tenant_id for t in tenants if t.subjects),
        "subjects": subjects,
        "exposed_subjects": exposed,
        "safe_harbour_subjects": subjects - exposed,
        "safe_harbour": exposed == 0,
        "unresolved_records": sum(t.unresolved for t in tenants),
        "fields": dict(sorted(fields.items())),
        "pii_types": sorted(pii),
        "exposed_pii_types": sorted(exposed_pii),
        "jurisdictions": dict(sorted(juris.items())),
        "exposed_jurisdictions": dict(sorted(exposed_juris.items())),
        "affected": {
            t.tenant_id: {
                sid: {
                    "records": sorted(s.records),
                    "exposed": s.exposed,
                    "jurisdiction": s.jurisdiction,
                }
                for sid, s in sorted(t.subjects.items())
            }
            for t in tenants
            if t.subjects
        },
    }
