"""Discovery use cases: scan targets, keep each tenant's data map, read it back.

``scan`` authorizes first, then reads the targets outside any transaction (a
scan can take minutes), then writes the data map, the scan record and the
audit event in one unit of work: all of them or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from privault.access.policy import Decision
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.tenants import TenantService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput
from privault.core.ids import new_id
from privault.discovery import (
    Change,
    DatasetResult,
    ProgressFn,
    ScanIssue,
    ScanOptions,
    ScanResult,
    found_types,
    to_json,
    to_sarif,
)
from privault.discovery import repository as repo
from privault.discovery import scan as run_scan
from privault.store.uow import UnitOfWork

__all__ = ["ScanReport", "ScanService"]


@dataclass(frozen=True, slots=True)
class ScanReport:
    """What a scan found and, for a tenant, what changed in its data map.

    Attributes:
        datasets: classified tables, in scan order.
        issues: inputs that could not be read (the scan went on).
        skipped: files of formats no reader handles.
        changes: differences from the tenant's data map (empty without a tenant).
        scan_id: id of the stored scan record (None without a tenant).
        tenant: tenant slug, if the map was updated.

    """

    datasets: tuple[DatasetResult, ...]
    issues: tuple[ScanIssue, ...] = ()
    skipped: int = 0
    changes: tuple[Change, ...] = ()
    scan_id: str | None = None
    tenant: str | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def types(self) -> frozenset[str]:
        """Every PII type found."""
        return found_types(self.datasets)

    @property
    def pii_columns(self) -> int:
        """Columns holding PII."""
        return sum(bool(c.pii_types) for d in self.datasets for c in d.columns)

    def to_json(self) -> dict[str, Any]:
        """The JSON summary (see :func:`privault.discovery.to_json`)."""
        return to_json(self.datasets, self.issues, self.changes, self.skipped)

    def to_sarif(self) -> dict[str, Any]:
        """A SARIF 2.1.0 log of the PII found."""
        return to_sarif(self.datasets, self.issues)


class ScanService:
    """Scans files, databases and buckets; keeps a data map per tenant.

    Args:
        data: unit of work on the data store.
        auditor: the audit writer.
        authz: asks the policy and audits denials.
        tenants: resolves tenant slugs.
        clock: time source.

    """

    def __init__(
        self,
        data: UnitOfWork,
        auditor: Auditor,
        authz: Authorizer,
        tenants: TenantService,
        clock: Clock,
    ) -> None:
        self._data = data
        self._audit = auditor
        self._authz = authz
        self._tenants = tenants
        self._clock = clock

    def scan(
        self,
        ctx: RequestContext,
        targets: Sequence[str],
        *,
        tenant: str | None = None,
        full: bool = False,
        sample_size: int = 10_000,
        progress: ProgressFn | None = None,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
    ) -> ScanReport:
        """Scan ``targets``; with a tenant, update its data map and report changes.

        S3 endpoints come from boto3's configuration (``AWS_ENDPOINT_URL``…).

        Raises:
            InvalidInput: no target, a bad sample size, a bad URL or credentials.
            NotFound: a path or the tenant does not exist.
            AccessDenied: the principal may not run scans for the tenant.

        """
        if not targets:
            raise InvalidInput("nothing to scan: give at least one path or URL")
        if sample_size < 1:
            raise InvalidInput("the sample size must be at least 1")
        t = self._tenants.get(tenant) if tenant else None
        path = f"tenants/{t.slug}/discovery" if t else "discovery"
        decision = self._authz.check(ctx, "scan.run", t.id if t else None, path)
        options = ScanOptions(
            full=full,
            sample_size=sample_size,
            include=tuple(include),
            exclude=tuple(exclude),
        )
        started = self._clock.now()
        result = run_scan(targets, options, progress)
        filtered = bool(include or exclude)
        with self._data.transaction() as conn:
            changes: list[Change] = []
            scan_id = None
            if t is not None:
                changes = _record_map(conn, t.id, result, self._clock.now(), filtered=filtered)
                scan_id = new_id("scn")
                repo.add_scan(
                    conn,
                    _scan_record(
                        scan_id, t.id, ctx, started, self._clock.now(), result, len(changes), full
                    ),
                )
            self._write_audit(conn, ctx, decision, t.id if t else None, path, result, changes)
        return ScanReport(
            result.datasets,
            result.issues,
            result.skipped,
            tuple(changes),
            scan_id,
            t.slug if t else None,
            tuple(s for s, _ in result.sources),
        )

    def _write_audit(
        self,
        conn: Connection,
        ctx: RequestContext,
        decision: Decision,
        tenant_id: str | None,
        path: str,
        result: ScanResult,
        changes: Sequence[Change],
    ) -> None:
        event = self._audit.event(
            ctx,
            "scan.run",
            path,
            tenant_id=tenant_id,
            decision=decision,
            sources=[s for s, _ in result.sources],
            datasets=len(result.datasets),
            pii_columns=result.pii_columns,
            issues=len(result.issues),
            changes=len(changes),
        )
        self._audit.write(conn, [event])

    def data_map(self, ctx: RequestContext, tenant: str) -> list[repo.MapDataset]:
        """The tenant's data map: sources, datasets, columns, types, first/last seen.

        Raises:
            NotFound: unknown tenant.
            AccessDenied: the principal may not read the tenant's map.

        """
        t = self._tenants.get(tenant)
        self._authz.check(ctx, "scan.read", t.id, f"tenants/{t.slug}/discovery")
        with self._data.transaction() as conn:
            return repo.data_map(conn, t.id)


def _record_map(
    conn: Connection, tenant_id: str, result: ScanResult, now: datetime, *, filtered: bool
) -> list[Change]:
    """Write every dataset under its source; list datasets no longer found."""
    changes: list[Change] = []
    for locator, kind in result.sources:
        sid = repo.upsert_source(conn, tenant_id, locator, kind, now)
        stored = repo.stored_datasets(conn, sid)
        mine = [d for d in result.datasets if d.source == locator]
        for d in mine:
            changes += repo.record_dataset(
                conn, tenant_id=tenant_id, source_id=sid, old=stored.get(d.name), result=d, now=now
            )
        unreadable = {i.target for i in result.issues}
        if not filtered:  # a filtered scan did not look at everything
            seen = {d.name for d in mine} | unreadable
            changes += [Change("dataset_missing", n) for n in sorted(set(stored) - seen)]
    return changes


def _scan_record(
    scan_id: str,
    tenant_id: str,
    ctx: RequestContext,
    started: datetime,
    finished: datetime,
    result: ScanResult,
    changes: int,
    full: bool,
) -> repo.ScanRecord:
    return repo.ScanRecord(
        scan_id,
        tenant_id,
        ctx.principal.id,
        started,
        finished,
        "full" if full else "sample",
        len(result.datasets),
        result.pii_columns,
        len(result.issues),
        changes,
    )
