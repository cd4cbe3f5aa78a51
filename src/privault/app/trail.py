"""Audit-trail use cases for operators: verify and search (authorized and audited)."""

from __future__ import annotations

from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.audit.chain import AuditEvent, VerifyReport
from privault.core.context import RequestContext


class TrailService:
    """Verify and search the audit trail."""

    def __init__(self, auditor: Auditor, authz: Authorizer) -> None:
        self._audit = auditor
        self._authz = authz

    def verify(self, ctx: RequestContext) -> VerifyReport:
        """Recompute every chain and report where it breaks."""
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
    ) -> list[AuditEvent]:
        """Newest events first, filtered."""
        self._authz.check(ctx, "audit.search", tenant_id, "audit")
        return self._audit.search(tenant_id=tenant_id, actor=actor, action=action, limit=limit)
