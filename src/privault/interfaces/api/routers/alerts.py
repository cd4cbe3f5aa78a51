"""Alerts of the monitor: list (by tenant, state, severity), read, acknowledge/resolve."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from privault.app.alert_desk import AlertDesk
from privault.interfaces.api.deps import Ctx, Services, Svc
from privault.interfaces.api.models import Body
from privault.monitor.model import Alert

router = APIRouter(tags=["alerts"])

State = Literal["open", "acknowledged", "resolved", "false_positive"]
Severity = Literal["low", "medium", "high", "critical"]
AlertId = Annotated[str, Path(min_length=1, max_length=64)]


class AlertOut(BaseModel):
    """An alert: which rule, about whom, how severe, in which state (no data values)."""

    id: str
    rule: str
    severity: str
    state: str
    tenant: str | None
    actor: str
    title: str
    detail: dict[str, Any]
    event_ids: list[str]
    count: int
    score: float | None
    first_seen: datetime
    last_seen: datetime
    updated_at: datetime
    updated_by: str | None


class AlertAction(Body):
    """Work an alert: acknowledge, resolve or mark a false positive, with a note."""

    action: Literal["acknowledge", "resolve", "false-positive"]
    note: str | None = Field(default=None, max_length=2000, description="kept as an HMAC")


def desk(svc: Services) -> AlertDesk:
    """The alert desk over the app's platform."""
    p = svc.platform
    return AlertDesk(p.data, p.authz, p.tenants, p.monitor)


def alert_out(a: Alert, slugs: dict[str, str]) -> AlertOut:
    """The API form of an alert (tenant by slug when the caller may see it)."""
    return AlertOut(
        id=a.id,
        rule=a.rule,
        severity=a.severity,
        state=a.state,
        tenant=slugs.get(a.tenant_id, a.tenant_id) if a.tenant_id else None,
        actor=a.actor,
        title=a.title,
        detail=a.detail,
        event_ids=list(a.event_ids),
        count=a.count,
        score=a.score,
        first_seen=a.first_seen,
        last_seen=a.last_seen,
        updated_at=a.updated_at,
        updated_by=a.updated_by,
    )


@router.get("/alerts", response_model=list[AlertOut])
def list_alerts(
    ctx: Ctx,
    svc: Svc,
    tenant: Annotated[str | None, Query(max_length=63)] = None,
    state: Annotated[list[State] | None, Query(description="repeat for several")] = None,
    min_severity: Severity | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AlertOut]:
    """Alerts, newest sighting first (default: open and acknowledged ones)."""
    d = desk(svc)
    tenant_id = svc.overview.tenant(ctx, tenant).id if tenant else None
    alerts = d.list(
        ctx,
        tenant_id=tenant_id,
        states=tuple(state or ("open", "acknowledged")),
        min_severity=min_severity,
        limit=limit,
    )
    slugs = d.tenant_names(ctx)
    return [alert_out(a, slugs) for a in alerts]


@router.get("/alerts/{alert_id}", response_model=AlertOut)
def get_alert(alert_id: AlertId, ctx: Ctx, svc: Svc) -> AlertOut:
    """One alert."""
    d = desk(svc)
    return alert_out(d.get(ctx, alert_id), d.tenant_names(ctx))


@router.post("/alerts/{alert_id}/state", response_model=AlertOut)
def change_state(alert_id: AlertId, body: AlertAction, ctx: Ctx, svc: Svc) -> AlertOut:
    """Acknowledge, resolve or mark a false positive (409 if the state does not allow it)."""
    d = desk(svc)
    return alert_out(d.act(ctx, alert_id, body.action, body.note), d.tenant_names(ctx))
