"""Incident response: cases, lifecycle, impact, notification clocks, register, notices.

Incidents are platform-wide cases (``incident.*`` actions on ``incidents/…``),
as in the incident service; every route calls ``platform.incidents``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from privault.incidents.impact import Selector
from privault.incidents.model import Incident
from privault.interfaces.api.deps import Ctx, Svc
from privault.interfaces.api.models import Page
from privault.interfaces.api.models_ops import (
    AckOut,
    AdvanceIncidentIn,
    AssessIn,
    ContainIn,
    IncidentDetail,
    IncidentIn,
    IncidentOut,
    MemberOut,
    NotifiedIn,
    TimelineOut,
)
from privault.interfaces.api.routers._paging import After, Limit, next_link, window

router = APIRouter(tags=["incidents"])
Zone = Annotated[str | None, Query(max_length=64, description="IANA time zone for due times")]
Org = Annotated[str, Query(min_length=1, max_length=200)]


def incident_out(i: Incident) -> dict[str, Any]:
    """The fields of an incident (impact without the per-subject map)."""
    impact = {k: v for k, v in (i.impact or {}).items() if k != "affected"} or None
    return dict(
        id=i.id, title=i.title, severity=i.severity, state=i.state, tenant_id=i.tenant_id,
        alert_id=i.alert_id, detected_at=i.detected_at, aware_at=i.aware_at,
        breach_start=i.breach_start, breach_end=i.breach_end, opened_by=i.opened_by,
        updated_at=i.updated_at, flags=list(i.flags), impact=impact,
    )  # fmt: skip


@router.get("/incidents", response_model=Page[IncidentOut])
def list_incidents(
    request: Request,
    ctx: Ctx,
    svc: Svc,
    state: Annotated[list[str] | None, Query(max_length=10)] = None,
    after: After = None,
    limit: Limit = 50,
) -> Page[IncidentOut]:
    """Incidents (by id), optionally only those in the given states."""
    found = svc.platform.incidents.list_incidents(ctx, state)
    items = [IncidentOut(**incident_out(i)) for i in window(found, lambda i: i.id, after, limit)]
    return Page(items=items, next=next_link(request, items, lambda i: i.id, limit))


@router.post("/incidents", response_model=IncidentOut, status_code=201)
def open_incident(body: IncidentIn, ctx: Ctx, svc: Svc) -> IncidentOut:
    """Open an incident by hand, or from an alert (its severity, tenant and first sighting)."""
    i = svc.platform.incidents.open(
        ctx, body.title, body.severity, alert_id=body.alert_id, tenant=body.tenant,
        aware_at=body.aware_at, breach=(body.breach_start, body.breach_end), flags=body.flags,
    )  # fmt: skip
    return IncidentOut(**incident_out(i))


@router.get("/incidents/register", response_model=list[dict[str, Any]])
def breach_register(ctx: Ctx, svc: Svc) -> list[dict[str, Any]]:
    """The breach register: one entry per incident, notified or not (GDPR Art. 33(5))."""
    return svc.platform.incidents.register(ctx)


@router.get("/incidents/{incident_id}", response_model=IncidentDetail)
def get_incident(incident_id: str, ctx: Ctx, svc: Svc, tz: Zone = None) -> IncidentDetail:
    """One incident with its timeline, response team and notification clocks."""
    inc = svc.platform.incidents
    i = inc.get(ctx, incident_id)
    return IncidentDetail(
        **incident_out(i),
        timeline=[TimelineOut(seq=t.seq, ts=t.ts, actor=t.actor, kind=t.kind, text=t.text)
                  for t in inc.timeline(ctx, incident_id)],
        team=[MemberOut(member=m.member, role=m.role, added_at=m.added_at)
              for m in inc.team(ctx, incident_id)],
        clocks=inc.clocks(ctx, incident_id, tz),
    )  # fmt: skip


@router.post("/incidents/{incident_id}/advance", response_model=IncidentOut)
def advance(incident_id: str, body: AdvanceIncidentIn, ctx: Ctx, svc: Svc) -> IncidentOut:
    """Move to the next state; closing needs a post-incident review."""
    i = svc.platform.incidents.advance(ctx, incident_id, body.state, review=body.review)
    return IncidentOut(**incident_out(i))


@router.post("/incidents/{incident_id}/assess", response_model=dict[str, Any])
def assess(incident_id: str, body: AssessIn, ctx: Ctx, svc: Svc) -> dict[str, Any]:
    """Compute and store the impact of the selected activity (subjects, PII types, places)."""
    sel = Selector(body.since, body.until, body.principal, body.api_key, body.source)
    impact = svc.platform.incidents.assess(ctx, incident_id, sel)
    return {k: v for k, v in impact.items() if k != "affected"}


@router.post("/incidents/{incident_id}/ack", response_model=AckOut)
def acknowledge(incident_id: str, ctx: Ctx, svc: Svc) -> AckOut:
    """Acknowledge the incident: the escalation matrix notifies nobody further."""
    ack = svc.platform.incidents.ack(ctx, incident_id)
    return AckOut(incident_id=ack.incident_id, by=ack.by, at=ack.at, level=ack.level)


@router.get("/incidents/{incident_id}/escalation", response_model=dict[str, Any])
def escalation(incident_id: str, ctx: Ctx, svc: Svc) -> dict[str, Any]:
    """Where the escalation stands: levels notified, acknowledgement, the next level due."""
    return svc.platform.incidents.escalation(ctx, incident_id)


@router.post("/incidents/{incident_id}/contain", response_model=dict[str, str])
def contain(incident_id: str, body: ContainIn, ctx: Ctx, svc: Svc) -> dict[str, str]:
    """Contain: disable a user, revoke sessions or an API key, rotate keys, freeze exports."""
    done = svc.platform.incidents.contain(ctx, incident_id, body.action, body.target)
    return {"done": done}


@router.get("/incidents/{incident_id}/clocks", response_model=list[dict[str, Any]])
def incident_clocks(incident_id: str, ctx: Ctx, svc: Svc, tz: Zone = None) -> list[dict[str, Any]]:
    """Every notification duty with its countdown."""
    return svc.platform.incidents.clocks(ctx, incident_id, tz)


@router.post("/incidents/{incident_id}/notified", status_code=204)
def mark_notified(incident_id: str, body: NotifiedIn, ctx: Ctx, svc: Svc) -> None:
    """Record that a duty (rule id from the clocks) was fulfilled."""
    svc.platform.incidents.mark_notified(ctx, incident_id, body.rule, body.at, body.reference)


@router.get(
    "/incidents/{incident_id}/notices/{kind}",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}}},
)
def notice(
    incident_id: str,
    kind: Literal["authority", "individual"],
    ctx: Ctx,
    svc: Svc,
    contact: Org,
    organisation: Org,
) -> PlainTextResponse:
    """A draft notice to the authority, or the generic letter to individuals (download)."""
    text = svc.platform.incidents.notice(
        ctx, incident_id, kind, contact=contact, organisation=organisation
    )
    disposition = f'attachment; filename="{incident_id}-{kind}.txt"'
    return PlainTextResponse(text, headers={"Content-Disposition": disposition})
