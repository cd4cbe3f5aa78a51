"""Leak-traceable exports: mark a masked copy, record it, and trace a leaked file back.

```
mask_marked:  authorize mask.run ─► check the policy fakes something ─► record (pending)
              ─► derive the export key (key hierarchy; never stored) ─► masked copy with
              its mark (MaskingService: audited, renamed into place) ─► record done +
              audit mask.fingerprint, in one transaction (else the copy is deleted)
trace:        authorize mask.trace ─► sample the file ─► re-derive every recorded
              export's key, check its fingerprint ─► binomial test per export ─► audit
```

The per-export key is ``HKDF(platform token key, deid/project/<project>/export/<id>)``:
the store holds only that label and a keyed fingerprint of the key (to detect a
record pointing at another key), never key material.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from privault.access.policy import Decision
from privault.app.auditing import PLATFORM, Auditor
from privault.app.authz import Authorizer
from privault.app.masking import MaskingService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput
from privault.core.ids import check_slug, new_id
from privault.core.secret import Secret
from privault.deid import DeidKeys, MaskOptions, MaskReport, Policy, plan_table
from privault.deid.copy import Progress
from privault.deid.files import format_of, read_schema
from privault.deid.fingerprint import ExportMark, marked_columns
from privault.deid.fingerprint_detect import (
    ALPHA,
    Attribution,
    ExportCandidate,
    attribute,
    read_sample,
)
from privault.deid.operators.fake import Fake
from privault.keys.hierarchy import KeyHierarchy
from privault.store.uow import UnitOfWork
from privault.tracing import repository as repo
from privault.tracing.repository import ExportRecord

__all__ = ["ExportService", "MarkedExport", "TraceResult"]

MARK_ACTION = "mask.fingerprint"
TRACE_ACTION = "mask.trace"
_PATH = "masking/exports"


@dataclass(frozen=True, slots=True)
class MarkedExport:
    """A marked copy: its record and the masking report."""

    record: ExportRecord
    report: MaskReport


@dataclass(frozen=True, slots=True)
class TraceResult:
    """The attribution of a leaked file, and the record of the export named.

    Attributes:
        attribution: scores and verdict (see :mod:`privault.deid.fingerprint_detect`).
        export: the named export's record, or None.
        exports: how many recorded exports were tested.
        unverifiable: exports skipped because their key no longer matches the record.

    """

    attribution: Attribution
    export: ExportRecord | None
    exports: int
    unverifiable: tuple[str, ...]


def policy_fingerprint(policy: Policy) -> str:
    """SHA-256 of the canonical policy JSON (which rules made a copy; not secret)."""
    return hashlib.sha256(policy.model_dump_json().encode()).hexdigest()


class ExportService:
    """Marked exports and leak tracing.

    Args:
        data: the data store.
        keys: the key hierarchy the export keys derive from.
        auditor: writes the audit trail.
        authz: decides ``mask.run`` and ``mask.trace``.
        masking: makes the masked copy.
        clock: timestamps.

    """

    def __init__(
        self,
        data: UnitOfWork,
        keys: KeyHierarchy,
        auditor: Auditor,
        authz: Authorizer,
        masking: MaskingService,
        clock: Clock,
    ) -> None:
        self._data = data
        self._keys = keys
        self._audit = auditor
        self._authz = authz
        self._masking = masking
        self._clock = clock

    def _mark(self, key_ref: str) -> ExportMark:
        return ExportMark(Secret(self._keys.derived_key(PLATFORM, "token", key_ref)))

    def mask_marked(
        self,
        ctx: RequestContext,
        source: Path,
        dest: Path,
        policy: Policy,
        key: Secret[bytes] | DeidKeys | None,
        *,
        project: str = "default",
        options: MaskOptions | None = None,
        progress: Progress | None = None,
    ) -> MarkedExport:
        """Write a masked copy carrying a mark unique to it, and record the export.

        Raises:
            AccessDenied: ``mask.run`` denied.
            InvalidInput: the policy fakes no column (nothing could carry a mark),
                or any error of :meth:`MaskingService.mask_file`.
            AuditUnavailable: the trail could not be written (no copy is left).

        """
        decision = self._authz.check(ctx, "mask.run", None, _PATH)
        check_slug(project, "project")
        opts = options or MaskOptions()
        self._require_fakes(source, policy, key, opts)
        export_id = new_id("exp")
        key_ref = f"deid/project/{project}/export/{export_id}"
        mark = self._mark(key_ref)
        record = ExportRecord(
            id=export_id,
            project=project,
            actor=ctx.principal.id,
            created_at=self._clock.now(),
            state=repo.PENDING,
            source=str(source.resolve()),
            dest=str(dest.resolve()),
            dest_format=format_of(dest, opts.dest_format),
            policy_fingerprint=policy_fingerprint(policy),
            columns=(),
            rows_out=None,
            key_ref=key_ref,
            key_id=mark.key_id,
        )
        with self._data.transaction() as conn:
            repo.add(conn, record)
        try:
            report = self._masking.mask_file(
                ctx, source, dest, policy, key, options=opts, progress=progress, mark=mark
            )
            done = replace(
                record, state=repo.DONE, columns=marked_columns(report), rows_out=report.rows_out
            )
            self._complete(ctx, done, report, decision)
        except BaseException:
            with self._data.transaction() as conn:
                repo.remove(conn, export_id)
            raise
        return MarkedExport(done, report)

    def _require_fakes(
        self, source: Path, policy: Policy, key: Secret[bytes] | DeidKeys | None, opts: MaskOptions
    ) -> None:
        schema = read_schema(source, format_of(source, opts.source_format))
        keys = DeidKeys(key) if isinstance(key, Secret) else key
        plan = plan_table(policy, schema, keys=keys, pii_types=opts.pii_types)
        if not any(isinstance(c.operator, Fake) for c in plan.columns):
            raise InvalidInput(
                "a fingerprint is carried by fake values; the policy fakes no column of this file"
            )

    def _complete(
        self, ctx: RequestContext, done: ExportRecord, report: MaskReport, decision: Decision
    ) -> None:
        dest = Path(done.dest)
        try:
            with self._data.transaction() as conn:
                repo.complete(conn, done.id, done.columns, report.rows_out)
                event = self._audit.event(
                    ctx,
                    MARK_ACTION,
                    f"{_PATH}/{done.id}",
                    tenant_id=None,
                    decision=decision,
                    export=done.id,
                    project=done.project,
                    source=Path(done.source).name,
                    dest=dest.name,
                    columns=list(done.columns),
                    rows_out=report.rows_out,
                    policy=done.policy_fingerprint,
                )
                self._audit.write(conn, [event])
        except BaseException:
            dest.unlink(missing_ok=True)  # no record, no marked copy
            raise

    def exports(self, ctx: RequestContext) -> list[repo.ExportRecord]:
        """The recorded marked exports, oldest first (what ``trace`` can name).

        Raises:
            AccessDenied: ``mask.trace`` denied.

        """
        self._authz.check(ctx, TRACE_ACTION, None, _PATH)
        with self._data.read() as conn:
            return repo.list_done(conn)

    def trace(
        self,
        ctx: RequestContext,
        path: Path,
        *,
        sample: int = 200,
        alpha: float = ALPHA,
        fmt: str | None = None,
    ) -> TraceResult:
        """Name the recorded export a (leaked) table file came from, from a sample of rows.

        Raises:
            AccessDenied: ``mask.trace`` denied.
            InvalidInput: unreadable file, bad sample size or alpha.

        """
        decision = self._authz.check(ctx, TRACE_ACTION, None, _PATH)
        rows = read_sample(path, sample, fmt=fmt)
        with self._data.transaction() as conn:
            records = {r.id: r for r in repo.list_done(conn)}
        candidates: list[ExportCandidate] = []
        unverifiable: list[str] = []
        for record in records.values():
            mark = self._mark(record.key_ref)
            if mark.key_id != record.key_id or not record.key_ref.endswith(f"/export/{record.id}"):
                unverifiable.append(record.id)
                continue
            candidates.append(ExportCandidate(record.id, mark, record.columns))
        verdict = attribute(rows, candidates, alpha=alpha)
        named = records.get(verdict.export_id) if verdict.export_id else None
        self._audit.write_now(
            [
                self._audit.event(
                    ctx,
                    TRACE_ACTION,
                    _PATH,
                    tenant_id=None,
                    decision=decision,
                    file=path.name,
                    rows=verdict.rows,
                    exports=len(candidates),
                    attributed=verdict.export_id,
                    confidence=verdict.confidence,
                )
            ]
        )
        return TraceResult(verdict, named, len(candidates), tuple(unverifiable))
