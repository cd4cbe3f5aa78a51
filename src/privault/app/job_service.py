"""Scans and masked copies as background jobs of a tenant: start, list, read, findings.

Starting a job authorizes and validates everything that can be checked
up front (the action, the paths against the data root, the policy), then
writes the job row and a ``*.start`` audit event in one unit of work, and
only then hands the work to the :class:`~privault.app.jobs.JobRunner`. The
work itself goes through the same services the CLI calls
(:class:`~privault.app.discovery.ScanService`,
:class:`~privault.app.masking.MaskingService`), which authorize and audit
again as they always do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.discovery import ScanReport, ScanService
from privault.app.job_sources import SourcePolicy
from privault.app.jobs import JobRunner, Outcome, Progress
from privault.app.masking import MaskingService
from privault.app.tenants import TenantService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import Conflict, InvalidInput, NotFound
from privault.core.ids import new_id
from privault.core.settings import Settings
from privault.deid import Policy, load_policy
from privault.deid.files import format_of
from privault.jobs import JobRow
from privault.jobs import repository as repo
from privault.keys.hierarchy import KeyHierarchy
from privault.store.uow import UnitOfWork
from privault.vault.repository import Tenant

__all__ = ["Finding", "JobDeps", "JobService", "MaskRequest", "ScanRequest", "build_jobs"]

MAX_TARGETS = 20


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """What a scan job reads: targets (paths under the data root or allowed URLs)."""

    targets: tuple[str, ...]
    full: bool = False
    sample_size: int = 10_000
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MaskRequest:
    """What a masking job copies: source and destination under the data root, a policy."""

    source: str
    dest: str
    policy: str | Mapping[str, Any]
    project: str | None = None
    overwrite: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    """A column that holds PII, as a scan job found it (names and types, no values)."""

    key: str
    source: str
    table: str
    column: str
    pii_type: str | None
    freeform: tuple[str, ...]
    category: str
    sensitivity: str
    confidence: float


@dataclass(frozen=True, slots=True)
class JobDeps:
    """The services a job service works through."""

    data: UnitOfWork
    auditor: Auditor
    authz: Authorizer
    tenants: TenantService
    discovery: ScanService
    masking: MaskingService
    clock: Clock


class JobService:
    """Background scans and masked copies, per tenant."""

    def __init__(self, deps: JobDeps, sources: SourcePolicy, runner: JobRunner) -> None:
        self._data, self._audit, self._authz = deps.data, deps.auditor, deps.authz
        self._tenants, self._discovery, self._masking = deps.tenants, deps.discovery, deps.masking
        self._clock = deps.clock
        self.sources = sources
        self.runner = runner

    # -- start ----------------------------------------------------------------------------
    def start_scan(self, ctx: RequestContext, tenant: str, req: ScanRequest) -> JobRow:
        """Queue a scan of ``req.targets`` that updates the tenant's data map.

        Raises:
            NotFound: unknown tenant.
            AccessDenied: ``scan.run`` denied.
            InvalidInput: no or too many targets, a path outside the data root,
                a URL not on the allow-list, a bad sample size.
            Busy: the job queue is full.
        """
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/discovery"
        decision = self._authz.check(ctx, "scan.run", t.id, path)
        if not req.targets or len(req.targets) > MAX_TARGETS:
            raise InvalidInput(f"give 1 to {MAX_TARGETS} targets to scan")
        if not 1 <= req.sample_size <= 10_000_000:
            raise InvalidInput("the sample size must be between 1 and 10,000,000")
        resolved = [self.sources.scan_target(target) for target in req.targets]
        params = {
            "targets": [shown for _real, shown in resolved],
            "full": req.full,
            "sample_size": req.sample_size,
            "include": list(req.include),
            "exclude": list(req.exclude),
        }
        real = [r for r, _shown in resolved]

        def work(progress: Progress) -> Outcome:
            report = self._discovery.scan(
                ctx,
                real,
                tenant=t.slug,
                full=req.full,
                sample_size=req.sample_size,
                include=req.include,
                exclude=req.exclude,
                progress=lambda _name, done, total: progress(done / total) if total else None,
            )
            return self._scan_outcome(report)

        return self._queue(ctx, t, "scan", path, decision, params, work)

    def start_mask(self, ctx: RequestContext, tenant: str, req: MaskRequest) -> JobRow:
        """Queue a masked copy of ``req.source`` to ``req.dest`` under a validated policy.

        Raises:
            NotFound: unknown tenant.
            AccessDenied: ``mask.run`` denied.
            InvalidInput: a bad policy, paths outside the data root, an unknown format,
                the copy would overwrite its source, a bad project name.
            Conflict: the destination exists and ``overwrite`` is not set.
            Busy: the job queue is full.
        """
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/masking"
        decision = self._authz.check(ctx, "mask.run", t.id, path)
        source = self.sources.file(req.source)
        dest = self.sources.file(req.dest, exists=False)
        if source.is_dir() or dest.is_dir():
            raise InvalidInput("source and destination are files, not directories")
        if source == dest:
            raise InvalidInput("the masked copy must not overwrite its source")
        if dest.exists() and not req.overwrite:
            raise Conflict("the destination exists; set overwrite to replace it")
        format_of(source)
        format_of(dest)
        policy = _policy(req.policy)
        key = self._masking.project_key(req.project) if req.project else None
        # The copy is authorized globally by the masking service: ask now, not in the worker.
        self._authz.check(ctx, "mask.run", None, f"masking/files/{dest.name}")
        params = {
            "source": self.sources.relative(source),
            "dest": self.sources.relative(dest),
            "project": req.project,
            "policy_sha256": hashlib.sha256(policy.model_dump_json().encode()).hexdigest(),
        }

        def work(progress: Progress) -> Outcome:
            report = self._masking.mask_file(
                ctx,
                source,
                dest,
                policy,
                key,
                progress=lambda done, total: progress(done / total) if total else None,
            )
            summary = report.to_dict()
            summary["source"], summary["dest"] = params["source"], params["dest"]
            return summary, ()

        return self._queue(ctx, t, "mask", path, decision, params, work)

    def _queue(
        self,
        ctx: RequestContext,
        t: Tenant,
        kind: str,
        path: str,
        decision: Any,
        params: dict[str, Any],
        work: Any,
    ) -> JobRow:
        now = self._clock.now()
        row = JobRow(
            new_id("job"), kind, t.id, ctx.principal.id, "queued", 0.0, params,
            None, None, None, now, None, None,
        )  # fmt: skip
        self.runner.reserve()
        try:
            with self._data.transaction() as conn:
                repo.add(conn, row)
                event = self._audit.event(
                    ctx, f"{kind}.start", path, tenant_id=t.id, decision=decision, job=row.id
                )
                self._audit.write(conn, [event])
        except BaseException:
            self.runner.release()
            raise
        self.runner.start(row.id, work, self.scrub)
        return row

    # -- read -----------------------------------------------------------------------------
    def jobs(
        self, ctx: RequestContext, tenant: str, kind: str, after: str | None, limit: int
    ) -> list[JobRow]:
        """The tenant's jobs of ``kind``, newest first.

        Raises:
            NotFound: unknown tenant.
            AccessDenied: reading them is denied.
        """
        t = self._read(ctx, tenant, kind)
        with self._data.transaction() as conn:
            return repo.page(conn, t.id, kind, after, limit)

    def job(self, ctx: RequestContext, tenant: str, kind: str, job_id: str) -> JobRow:
        """One job of the tenant.

        Raises:
            NotFound: unknown tenant, or no such job of this kind for it.
            AccessDenied: reading it is denied.
        """
        t = self._read(ctx, tenant, kind)
        with self._data.transaction() as conn:
            row = repo.get(conn, job_id)
        if row is None or row.tenant_id != t.id or row.kind != kind:
            raise NotFound(f"no {kind} job {job_id[:40]!r} for this tenant")
        return row

    def findings(
        self,
        ctx: RequestContext,
        tenant: str,
        job_id: str,
        *,
        pii_type: str | None = None,
        category: str | None = None,
    ) -> list[Finding]:
        """The PII columns a finished scan job found, sorted by source, table, column.

        Args:
            ctx: who asks.
            tenant: the tenant's slug.
            job_id: the scan job.
            pii_type: only columns of this type (or holding it in free text).
            category: only tables of this data category.

        Raises:
            NotFound: unknown tenant or job.
            AccessDenied: ``scan.read`` denied.
            Conflict: the job has not finished (or failed).
        """
        row = self.job(ctx, tenant, "scan", job_id)
        if row.status != "done":
            raise Conflict(f"the scan is {row.status}; its findings come when it is done")
        with self._data.transaction() as conn:
            rows = repo.results(conn, job_id)
        found = [Finding(**{**r, "freeform": tuple(r["freeform"])}) for r in rows]
        chosen = [
            f
            for f in found
            if (pii_type is None or pii_type == f.pii_type or pii_type in f.freeform)
            and (category is None or category == f.category)
        ]
        return sorted(chosen, key=lambda f: f.key)

    def _read(self, ctx: RequestContext, tenant: str, kind: str) -> Tenant:
        t = self._tenants.get(tenant)
        if kind == "scan":
            self._authz.check(ctx, "scan.read", t.id, f"tenants/{t.slug}/discovery")
        else:
            self._authz.check(ctx, "mask.run", t.id, f"tenants/{t.slug}/masking")
        return t

    def _scan_outcome(self, report: ScanReport) -> Outcome:
        rows: list[dict[str, Any]] = []
        for d in report.datasets:
            source = self._shown(d.source)
            for c in d.columns:
                if not (c.pii_type or c.freeform_pii):
                    continue
                rows.append(
                    {
                        "key": f"{source}\x1f{d.name}\x1f{c.name}",
                        "source": source,
                        "table": self._shown(d.name),
                        "column": c.name,
                        "pii_type": c.pii_type,
                        "freeform": sorted(c.freeform_pii),
                        "category": d.category,
                        "sensitivity": d.sensitivity,
                        "confidence": round(c.confidence, 3),
                    }
                )
        summary = {
            "scan_id": report.scan_id,
            "datasets": len(report.datasets),
            "pii_columns": report.pii_columns,
            "types": sorted(report.types),
            "categories": _count(d.category for d in report.datasets),
            "issues": [{"input": self._shown(i.target), "reason": i.reason} for i in report.issues],
            "skipped": report.skipped,
            "changes": len(report.changes),
        }
        return summary, rows

    def scrub(self, message: str) -> str:
        """A failure message without the data root's server path."""
        root = str(self.sources.root)
        return message.replace(root + "/", "").replace(root, "the data root")

    def _shown(self, text: str) -> str:
        root = str(self.sources.root)
        return self.sources.relative(text) if text.startswith(root) else text


def _count(values: Sequence[str] | Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def _policy(given: str | Mapping[str, Any]) -> Policy:
    """Load and validate a policy given as YAML/JSON text or a mapping.

    Raises:
        InvalidInput: naming the offending key (never a value).
    """
    if isinstance(given, str) and len(given) > 200_000:
        raise InvalidInput("the policy is too long (200,000 characters at most)")
    return load_policy(given, name="policy")


def build_jobs(
    settings: Settings,
    data: UnitOfWork,
    auditor: Auditor,
    authz: Authorizer,
    tenants: TenantService,
    keys: KeyHierarchy,
    clock: Clock,
) -> JobService:
    """The job service of a platform (its runner starts threads on first use only).

    Scans and copies run through their own (stateless) service instances.
    """
    deps = JobDeps(
        data,
        auditor,
        authz,
        tenants,
        ScanService(data, auditor, authz, tenants, clock),
        MaskingService(auditor, authz, keys),
        clock,
    )
    runner = JobRunner(data, clock, workers=settings.job_workers)
    return JobService(deps, SourcePolicy.from_settings(settings), runner)
