"""Authorize-or-raise, auditing denials (shared by every use case)."""

from __future__ import annotations

from privault.access.policy import Decision, Resource, decide
from privault.app.auditing import Auditor
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied


def authorize(
    auditor: Auditor,
    ctx: RequestContext,
    action: str,
    tenant_id: str | None,
    path: str,
    purpose: str | None = None,
) -> Decision:
    """Ask the policy; on deny, write the denial to the trail and raise.

    Raises:
        AccessDenied: naming the action and the deciding rule.

    """
    decision = decide(ctx.principal, action, Resource(tenant_id, path), purpose)
    if not decision.allowed:
        auditor.write_now(
            [
                auditor.event(
                    ctx, action, path, tenant_id=tenant_id, decision=decision, purpose=purpose
                )
            ]
        )
        raise AccessDenied(
            f"{action} on {path} denied ({decision.rule}: {decision.reason})", rule=decision.rule
        )
    return decision
