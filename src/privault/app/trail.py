"""Audit-trail use cases for operators: verify, search, export, checkpoint (authorized, audited)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.audit import repository as audit_repo
from privault.audit.chain import AuditEvent, Checkpoint, VerifyReport
from privault.audit.sinks.formats import to_cef, to_json, to_rfc5424
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput

EXPORT_FORMATS = {"json": to_json, "cef": to_cef, "rfc5424": to_rfc5424}


class TrailService:
    """Verify, search, export and checkpoint the audit trail."""

    def __init__(self, auditor: Auditor, authz: Authorizer) -> None:
        self._audit = auditor
        self._authz = authz

    def verify(self, ctx: RequestContext) -> VerifyReport:
        """Recompute every chain, check every signed checkpoint, report where it breaks."""
        decision = self._authz.check(ctx, "audit.verify", None, "audit")
        report = self._audit.verify()
        self._audit.write_now(
            [
                self._audit.event(
                    ctx,
                    "audit.verify",
                    "audit",
                    tenant_id=None,
                    decision=decision,
                    events=report.events,
                    checkpoints=report.checkpoints,
                    problems=len(report.problems),
                )
            ]
        )
        return report

    def search(
        self,
        ctx: RequestContext,
        *,
        tenant_id: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 100,
        where: audit_repo.EventFilter | None = None,
    ) -> list[AuditEvent]:
        """Newest events first, filtered."""
        self._authz.check(ctx, "audit.search", tenant_id, "audit")
        return self._audit.search(
            tenant_id=tenant_id, actor=actor, action=action, limit=limit, where=where
        )

    def export(
        self, ctx: RequestContext, where: audit_repo.EventFilter, fmt: str = "json"
    ) -> Iterator[str]:
        """Every matching event, oldest first, one line each (json, cef or rfc5424).

        The export itself is audited (with its filters) before the first line.

        Raises:
            InvalidInput: unknown format.
        """
        if fmt not in EXPORT_FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}; valid: {', '.join(EXPORT_FORMATS)}")
        decision = self._authz.check(ctx, "audit.export", where.tenant_id, "audit")
        filters = {k: str(v) for k, v in asdict(where).items() if v is not None}
        self._audit.write_now(
            [
                self._audit.event(
                    ctx,
                    "audit.export",
                    "audit",
                    tenant_id=None,
                    decision=decision,
                    format=fmt,
                    filters=filters,
                )
            ]
        )
        return self._lines(where, fmt)

    def _lines(self, where: audit_repo.EventFilter, fmt: str) -> Iterator[str]:
        # One short transaction per page: a long export never holds the store.
        render = EXPORT_FORMATS[fmt]
        cursor: audit_repo.Cursor | None = None
        while True:
            with self._audit.store.transaction() as conn:
                page, cursor = audit_repo.scan_page(conn, where, cursor)
            if not page:
                return
            yield from (render(sealed) for sealed in page)

    def checkpoint(self, ctx: RequestContext) -> list[Checkpoint]:
        """Sign the head of every chain that moved since its last checkpoint."""
        decision = self._authz.check(ctx, "audit.checkpoint", None, "audit")
        signed = self._audit.checkpoint()
        self._audit.write_now(
            [
                self._audit.event(
                    ctx,
                    "audit.checkpoint",
                    "audit",
                    tenant_id=None,
                    decision=decision,
                    checkpoints=[
                        {"chain": c.chain, "seq": c.seq, "hash": c.hash.hex(), "key_id": c.key_id}
                        for c in signed
                    ],
                )
            ]
        )
        return signed

    def public_key(self, ctx: RequestContext) -> bytes:
        """The Ed25519 public key that verifies checkpoints (safe to publish)."""
        self._authz.check(ctx, "audit.verify", None, "audit")
        return self._audit.checkpoint_public_key()
