"""Incident pages: the case list, one case (timeline, team, clocks), its actions and notices."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from privault.incidents.impact import Selector
from privault.incidents.model import SEVERITIES, TRANSITIONS
from privault.interfaces.web.render import page
from privault.interfaces.web.session import Ctx, Posted, Svc, User
from privault.interfaces.web.widgets import time_left

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=5000)]
Org = Annotated[str, Query(min_length=1, max_length=200)]


def _back(incident_id: str) -> Response:
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.get("/incidents")
def incidents(request: Request, user: User, ctx: Ctx, svc: Svc) -> Response:
    """Every incident, newest first, with its most urgent open notification clock."""
    inc = svc.platform.incidents
    rows = []
    for i in inc.list_incidents(ctx):
        open_clocks = [
            c for c in inc.clocks(ctx, i.id) if c["applies"] and c["remaining_seconds"] is not None
            and c["status"] not in ("done", "done-late")
        ]  # fmt: skip
        urgent = min(open_clocks, key=lambda c: c["remaining_seconds"], default=None)
        left = time_left(urgent["remaining_seconds"], urgent["status"]) if urgent else None
        rows.append((i, urgent, left))
    return page(request, "incidents.html", rows=rows, severities=SEVERITIES)


@router.post("/incidents")
def open_incident(
    user: Posted, ctx: Ctx, svc: Svc, title: Field, severity: Field = "medium", tenant: Field = ""
) -> Response:
    """Open an incident by hand."""
    i = svc.platform.incidents.open(ctx, title, severity, tenant=tenant or None)
    return _back(i.id)


@router.get("/incidents/{incident_id}")
def incident(request: Request, incident_id: str, user: User, ctx: Ctx, svc: Svc) -> Response:
    """One case: facts, impact, timeline, team, clocks with countdowns, actions."""
    inc = svc.platform.incidents
    i = inc.get(ctx, incident_id)
    clocks = [(c, time_left(c["remaining_seconds"], c["status"])) for c in inc.clocks(ctx, i.id)]
    return page(
        request, "incident.html", i=i, timeline=inc.timeline(ctx, i.id), team=inc.team(ctx, i.id),
        clocks=clocks, next_states=sorted(TRANSITIONS[i.state]),
    )  # fmt: skip


@router.post("/incidents/{incident_id}/advance")
def advance(
    incident_id: str, user: Posted, ctx: Ctx, svc: Svc, state: Field, review: Field = ""
) -> Response:
    """Move the case to its next state (closing needs a review)."""
    svc.platform.incidents.advance(ctx, incident_id, state, review=review or None)
    return _back(incident_id)


@router.post("/incidents/{incident_id}/assess")
def assess(
    incident_id: str, user: Posted, ctx: Ctx, svc: Svc, principal: Field,
    days: Annotated[int, Form(ge=1, le=365)] = 7,
) -> Response:  # fmt: skip
    """Assess the impact of one principal's activity over the last ``days``."""
    now = svc.platform.clock.now()
    svc.platform.incidents.assess(
        ctx, incident_id, Selector(now - timedelta(days=days), now, principal=principal)
    )
    return _back(incident_id)


@router.post("/incidents/{incident_id}/notified")
def notified(
    incident_id: str, user: Posted, ctx: Ctx, svc: Svc, rule: Field, reference: Field = ""
) -> Response:
    """Record a notification duty as fulfilled now."""
    svc.platform.incidents.mark_notified(ctx, incident_id, rule, reference=reference or None)
    return _back(incident_id)


@router.get("/incidents/{incident_id}/notice/{kind}")
def notice(
    incident_id: str, kind: str, user: User, ctx: Ctx, svc: Svc, contact: Org, organisation: Org
) -> Response:
    """A draft notice as a text download."""
    text = svc.platform.incidents.notice(
        ctx, incident_id, kind, contact=contact, organisation=organisation
    )
    disposition = f'attachment; filename="{incident_id}-{kind}.txt"'
    return PlainTextResponse(text, headers={"Content-Disposition": disposition})
