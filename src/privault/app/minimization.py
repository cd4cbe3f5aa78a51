"""The minimization report: what is collected without need, and where copies sit.

Four checks, each finding with a suggestion:

* ``no-purpose``: a vault field without a declared purpose;
* ``unread``: a vault field no gated read showed in the last N days (from the
  audit trail's ``record.read``, ``record.find`` and ``record.export`` events);
* ``outside-vault``: PII that discovery found in a scanned source;
* ``duplicate``: one PII type held in more than one place.

The report names record types, fields, datasets and columns: never a value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from privault.audit import repository as audit_repo
from privault.core.context import RequestContext
from privault.discovery import repository as discovery_repo
from privault.discovery.repository import MapDataset
from privault.vault import repository as vault_repo
from privault.vault.schema import RecordSchema

if TYPE_CHECKING:
    from privault.app.lifecycle import Deps

READ_ACTIONS = ("record.read", "record.find", "record.export")


@dataclass(frozen=True, slots=True)
class Finding:
    """One minimization finding."""

    kind: str
    target: str
    detail: str
    suggestion: str


@dataclass(frozen=True, slots=True)
class MinimizationReport:
    """Findings for one tenant."""

    tenant: str
    days: int
    findings: tuple[Finding, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "tenant": self.tenant,
            "days": self.days,
            "findings": [asdict(f) for f in self.findings],
        }


class MinimizationService:
    """Builds the minimization report of a tenant."""

    def __init__(self, deps: Deps) -> None:
        self._d = deps

    def report(self, ctx: RequestContext, tenant: str, *, days: int = 90) -> MinimizationReport:
        """Fields without purpose, fields unread for ``days``, PII outside the vault, copies."""
        t = self._d.tenants.get(tenant)
        self._d.authz.check(ctx, "minimize.report", t.id, f"tenants/{t.slug}/minimization")
        schemas = [s for s, _v in self._d.tenants.schemas(t.id)]
        read = self._fields_read(t.id, schemas, days)
        with self._d.data.transaction() as conn:
            data_map = discovery_repo.data_map(conn, t.id)
        findings = [
            *_no_purpose(schemas),
            *_unread(schemas, read, days),
            *_outside(data_map),
            *_duplicates(schemas, data_map),
        ]
        return MinimizationReport(t.slug, days, tuple(findings))

    def _fields_read(self, tenant_id: str, schemas: list[RecordSchema], days: int) -> set[str]:
        """``record_type.field`` of every field a gated read showed since ``days`` ago."""
        since = self._d.clock.now() - timedelta(days=days)
        types = self._record_types(tenant_id, [s.record_type for s in schemas])
        fields = {s.record_type: list(s.fields) for s in schemas}
        shown: set[str] = set()
        with self._d.data.transaction() as conn:
            for action in READ_ACTIONS:
                where = audit_repo.EventFilter(
                    tenant_id=tenant_id, action=action, outcome="allowed", since=since
                )
                for sealed in audit_repo.scan(conn, where):
                    shown |= _shown(sealed.event.detail, types, fields)
        return shown

    def _record_types(self, tenant_id: str, names: Iterable[str]) -> dict[str, str]:
        """Record id → record type for the tenant's current records."""
        out: dict[str, str] = {}
        with self._d.data.transaction() as conn:
            for name in names:
                after: str | None = None
                while ids := vault_repo.page_record_ids(conn, tenant_id, name, after, 5000):
                    out.update(dict.fromkeys(ids, name))
                    after = ids[-1]
        return out


def _shown(detail: dict[str, Any], types: dict[str, str], fields: dict[str, list[str]]) -> set[str]:
    asked = detail.get("fields", "*")
    hidden = {k for k, v in dict(detail.get("views") or {}).items() if v == "none"}
    out = set()
    for rtype in {types[r] for r in detail.get("records", []) if r in types}:
        names = fields.get(rtype, []) if asked == "*" else [n for n in asked if isinstance(n, str)]
        out |= {f"{rtype}.{n}" for n in names} - hidden
    return out


def _no_purpose(schemas: list[RecordSchema]) -> list[Finding]:
    return [
        Finding(
            "no-purpose",
            f"{s.record_type}.{name}",
            "collected without a declared purpose",
            "declare the purposes it serves (purpose: [...]) or stop collecting it",
        )
        for s in schemas
        for name, spec in s.fields.items()
        if spec.pii and not spec.purpose
    ]


def _unread(schemas: list[RecordSchema], read: set[str], days: int) -> list[Finding]:
    return [
        Finding(
            "unread",
            f"{s.record_type}.{name}",
            f"not shown by any read in the last {days} days",
            "drop the field or shorten its retention",
        )
        for s in schemas
        for name in s.fields
        if f"{s.record_type}.{name}" not in read
    ]


def _outside(data_map: list[MapDataset]) -> list[Finding]:
    out = []
    for d in data_map:
        for c in d.columns:
            types = sorted({*([c.pii_type] if c.pii_type else []), *c.freeform_pii})
            if types:
                out.append(
                    Finding(
                        "outside-vault",
                        f"{d.name}.{c.name}",
                        f"{', '.join(types)} found by discovery outside the vault",
                        "move it into the vault and keep a token there, or mask or delete it",
                    )
                )
    return out


def _duplicates(schemas: list[RecordSchema], data_map: list[MapDataset]) -> list[Finding]:
    places: dict[str, list[str]] = {}
    for s in schemas:
        for name, spec in s.fields.items():
            if spec.pii:
                places.setdefault(spec.pii, []).append(f"vault:{s.record_type}.{name}")
    for d in data_map:
        for c in d.columns:
            if c.pii_type:
                places.setdefault(c.pii_type, []).append(f"{d.name}.{c.name}")
    return [
        Finding(
            "duplicate",
            pii,
            f"{len(where)} copies: {', '.join(sorted(where))}",
            "keep one copy (in the vault) and replace the others with tokens",
        )
        for pii, where in sorted(places.items())
        if len(where) > 1
    ]
