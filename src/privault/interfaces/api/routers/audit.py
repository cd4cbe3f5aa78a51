"""The audit trail: search and chain verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from privault.interfaces.api.deps import Ctx, Svc
from privault.interfaces.api.lanes import slow
from privault.interfaces.api.models import AuditEventOut, VerifyOut

router = APIRouter(tags=["audit"])

Filter = Annotated[str | None, Query(max_length=200)]


@router.get("/audit", response_model=list[AuditEventOut])
def search(
    ctx: Ctx,
    svc: Svc,
    tenant: Filter = None,
    actor: Filter = None,
    action: Filter = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEventOut]:
    """Newest events first, filtered by tenant, actor and action."""
    tenant_id = svc.overview.tenant(ctx, tenant).id if tenant else None
    events = svc.platform.trail.search(
        ctx, tenant_id=tenant_id, actor=actor, action=action, limit=limit
    )
    return [
        AuditEventOut(
            id=e.id,
            ts=e.ts,
            tenant_id=e.tenant_id,
            actor=e.actor,
            action=e.action,
            resource=e.resource,
            outcome=e.outcome,
            rule=e.rule,
            request_id=e.request_id,
            purpose=e.purpose,
            detail=e.detail,
        )
        for e in events
    ]


@router.post("/audit/verify", response_model=VerifyOut)
@slow
def verify(ctx: Ctx, svc: Svc) -> VerifyOut:
    """Recompute every hash chain and report where it breaks."""
    report = svc.platform.trail.verify(ctx)
    problems = [
        {"chain": p.chain, "seq": p.seq, "event_id": p.event_id, "problem": p.problem}
        for p in report.problems
    ]
    return VerifyOut(ok=report.ok, chains=report.chains, events=report.events, problems=problems)
