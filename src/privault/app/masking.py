"""Masked copies of table files: authorize, copy through ``privault.deid``, audit.

The copy is written to a hidden partial file beside ``dest`` and renamed into
place only after the audit event is written: no audit record, no copy
(fail-closed, as for reads through the gate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from privault.access.policy import Decision
from privault.app.auditing import PLATFORM, Auditor
from privault.app.authz import Authorizer
from privault.app.masking_sql import DatabaseCopy, DatabaseOptions, TableProgress
from privault.audit.chain import AuditEvent
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput
from privault.core.ids import check_slug
from privault.core.secret import Secret
from privault.deid import (
    AnonymizedText,
    DeidKeys,
    MaskOptions,
    MaskReport,
    Policy,
    TextAnonymizer,
    mask_file,
)
from privault.deid.copy import Progress
from privault.deid.files import format_of
from privault.deid.fingerprint import ExportMark
from privault.deid.sql import DatabaseMaskReport
from privault.detect import Analyzer, AnalyzerConfig
from privault.keys.hierarchy import KeyHierarchy

__all__ = ["MaskingService"]

ACTION = "mask.run"


class MaskingService:
    """De-identify files and text under a policy.

    Args:
        auditor: writes the audit trail.
        authz: decides ``mask.run`` (and audits denials).
        keys: the key hierarchy, which holds the managed project keys.

    """

    def __init__(self, auditor: Auditor, authz: Authorizer, keys: KeyHierarchy) -> None:
        self._audit = auditor
        self._authz = authz
        self._keys = keys

    def project_key(self, project: str) -> Secret[bytes]:
        """The managed key of a masking project (stable: same input, same output).

        Keyed operators (hash, fake, date_shift, encrypt, fpe) under one project
        give consistent results across files, tables and runs; another project
        gives unrelated ones. The key is derived in the key hierarchy, never
        stored or shown.
        """
        check_slug(project, "project")
        return Secret(self._keys.derived_key(PLATFORM, "token", f"deid/project/{project}"))

    def mask_file(
        self,
        ctx: RequestContext,
        source: Path,
        dest: Path,
        policy: Policy,
        key: Secret[bytes] | DeidKeys | None,
        *,
        options: MaskOptions | None = None,
        progress: Progress | None = None,
        mark: ExportMark | None = None,
    ) -> MaskReport:
        """Write a masked copy of ``source`` to ``dest`` and audit it.

        Args:
            ctx: who asks.
            source: CSV, JSONL, Parquet or XLSX file.
            dest: the masked copy (replaced if it exists).
            policy: the validated policy.
            key: the project key (or keys with a vault token store) for keyed
                operators (None: they refuse).
            options: PII types, risk columns, k, formats, batch size.
            progress: called after each batch with (rows done, total or None).
            mark: an export's leak-tracing mark (see :mod:`privault.app.exports`).

        Raises:
            AccessDenied: the policy decision denied ``mask.run``.
            InvalidInput: bad policy for this data, missing key, unreadable source.
            AuditUnavailable: the trail could not be written (no copy is left).

        """
        path = f"masking/files/{dest.name}"
        decision = self._authz.check(ctx, ACTION, None, path)
        if source.resolve() == dest.resolve():
            raise InvalidInput("the masked copy must not overwrite its source")
        opts = options or MaskOptions()
        opts = replace(opts, dest_format=format_of(dest, opts.dest_format))
        partial = dest.with_name(f".{dest.name}.partial")
        report = mask_file(
            source, partial, policy, key=key, options=opts, progress=progress, mark=mark
        )
        try:
            self._audit.write_now([self._event(ctx, path, decision, report)])
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(dest)
        return report

    def _event(
        self, ctx: RequestContext, path: str, decision: Decision, report: MaskReport
    ) -> AuditEvent:
        """The audit event of a copy: names, counts and rules, never values."""
        risk = report.risk
        return self._audit.event(
            ctx,
            ACTION,
            path,
            tenant_id=None,
            decision=decision,
            source=report.source,
            rows_in=report.rows_in,
            rows_out=report.rows_out,
            columns={c.column: c.rule for c in report.columns},
            k=risk.k if risk is not None else None,
            k_target=risk.k_target if risk is not None else None,
        )

    def mask_database(
        self,
        ctx: RequestContext,
        source: str,
        dest: str,
        policy: Policy,
        key: Secret[bytes] | None,
        *,
        options: DatabaseOptions | None = None,
        progress: TableProgress | None = None,
    ) -> DatabaseMaskReport:
        """Copy the SQL database ``source`` into ``dest`` masked; audit it.

        The copy is marked incomplete in DEST until the audit event is written:
        no audit record, no finished copy (see :mod:`privault.app.masking_sql`).

        Args:
            ctx: who asks.
            source: SQLAlchemy URL of the database to copy.
            dest: SQLAlchemy URL of the (empty) database to fill.
            policy: the validated policy (``table.column``, ``column`` or PII types).
            key: the project key for keyed operators (None: they refuse).
            options: PII types, batch size, resume or restart.
            progress: called after each batch with (table, rows done, table rows).

        Raises:
            AccessDenied: the policy decision denied ``mask.run``.
            InvalidInput: a policy this database refuses (before DEST is opened).
            Conflict: DEST is not empty, or holds an interrupted copy (see --resume).
            AuditUnavailable: the trail could not be written (the copy stays incomplete).

        """
        decision = self._authz.check(ctx, ACTION, None, "masking/databases")
        job = DatabaseCopy(
            source, dest, policy, DeidKeys(key) if key is not None else None,
            options or DatabaseOptions(),
        )  # fmt: skip
        try:
            report = job.run(progress)
            event = self._audit.event(
                ctx,
                ACTION,
                "masking/databases",
                tenant_id=None,
                decision=decision,
                source=report.source,
                dest=report.dest,
                resumed=report.resumed,
                rows=report.rows,
                tables={t.source: {c.column: c.rule for c in t.columns} for t in report.tables},
                k={t.source: t.risk.k for t in report.tables if t.risk is not None},
                k_target=policy.risk.k,
            )
            self._audit.write_now([event])
            job.finish()
        finally:
            job.close()
        return report

    def anonymize_texts(
        self,
        ctx: RequestContext,
        texts: Sequence[str],
        policy: Policy,
        key: Secret[bytes] | DeidKeys | None,
    ) -> list[AnonymizedText]:
        """Detect and anonymize each text under ``policy``; audit the batch.

        Raises:
            AccessDenied: the policy decision denied ``mask.run``.
            InvalidInput: a keyed operator without a key.

        """
        path = "masking/text"
        decision = self._authz.check(ctx, ACTION, None, path)
        spec = policy.detection
        analyzer = Analyzer(AnalyzerConfig(rules_only=spec.rules_only, threshold=spec.threshold))
        keys = DeidKeys(key) if isinstance(key, Secret) else key
        anonymizer = TextAnonymizer(policy, keys)
        found = analyzer.analyze_many(list(texts), spec.entities)
        out = [anonymizer.anonymize(t, f) for t, f in zip(texts, found, strict=True)]
        spans = sum(len(a.items) for a in out)
        event = self._audit.event(
            ctx, ACTION, path, tenant_id=None, decision=decision, texts=len(out), spans=spans
        )
        self._audit.write_now([event])
        return out
