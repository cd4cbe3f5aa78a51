"""Alerts (filters, detail, acknowledge/resolve) and compliance (run, score, reports)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from privault.app.alert_desk import ACTIONS, AlertDesk
from privault.app.compliance import ComplianceService
from privault.app.compliance_report import report_file
from privault.compliance.catalogue import FRAMEWORK_NAMES, FRAMEWORKS, framework
from privault.compliance.scoring import Assessment, TrendPoint
from privault.core.errors import Conflict
from privault.interfaces.api.lanes import slow
from privault.interfaces.web.charts import SEVERITY_COLOURS, hbars
from privault.interfaces.web.render import page
from privault.interfaces.web.session import Ctx, Posted, Svc, User
from privault.monitor.model import SEVERITIES, STATES

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Query(max_length=100)]


def _desk(svc: Svc) -> AlertDesk:
    p = svc.platform
    return AlertDesk(p.data, p.authz, p.tenants, p.monitor)


@router.get("/alerts")
def alerts(
    request: Request,
    user: User,
    ctx: Ctx,
    svc: Svc,
    state: Short = "active",
    severity: Short = "",
    tenant: Short = "",
) -> Response:
    """Alerts by state, severity and client, with open alerts per severity."""
    desk = _desk(svc)
    states = ("open", "acknowledged") if state == "active" else ((state,) if state else ())
    tenant_id = svc.overview.tenant(ctx, tenant).id if tenant else None
    rows = desk.list(
        ctx, tenant_id=tenant_id, states=states, min_severity=severity or None, limit=200
    )
    open_counts = desk.open_by_severity(ctx)
    chart = hbars(
        [(s, open_counts[s]) for s in reversed(SEVERITIES)],
        label="open alerts per severity",
        colours=SEVERITY_COLOURS,
    )
    return page(
        request,
        "alerts.html",
        alerts=rows,
        slugs=desk.tenant_names(ctx),
        state=state,
        states=("active", *STATES, ""),
        severity=severity,
        severities=SEVERITIES,
        tenant=tenant,
        tenants=svc.platform.tenants.visible(ctx),
        chart=chart,
        open_total=sum(open_counts.values()),
    )


@router.get("/alerts/{alert_id}")
def alert(request: Request, alert_id: str, user: User, ctx: Ctx, svc: Svc) -> Response:
    """One alert with what triggered it and the actions its state allows."""
    desk = _desk(svc)
    a = desk.get(ctx, alert_id)
    return page(request, "alert.html", alert=a, slugs=desk.tenant_names(ctx), actions=ACTIONS)


@router.post("/alerts/{alert_id}")
def act(
    request: Request,
    alert_id: str,
    user: Posted,
    ctx: Ctx,
    svc: Svc,
    action: Annotated[str, Form(max_length=40)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Acknowledge, resolve or mark a false positive (audited; the note is HMACed)."""
    desk = _desk(svc)
    try:
        desk.act(ctx, alert_id, action, note or None)
    except Conflict as exc:
        a = desk.get(ctx, alert_id)
        return page(
            request, "alert.html", 409, alert=a, slugs=desk.tenant_names(ctx),
            actions=ACTIONS, error=exc.message,
        )  # fmt: skip
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.get("/compliance")
def compliance(
    request: Request, user: User, ctx: Ctx, svc: Svc, framework: Short = "gdpr", tenant: Short = ""
) -> Response:
    """Frameworks, the score's trend, and a button to run the checks."""
    fw = _framework(framework)
    slug = svc.overview.tenant(ctx, tenant).slug if tenant else None
    points = ComplianceService(svc.platform).trend(ctx, fw, slug)
    return _compliance_page(request, svc, ctx, fw, slug, points, None)


@router.post("/compliance")
@slow
def run_checks(
    request: Request,
    user: Posted,
    ctx: Ctx,
    svc: Svc,
    framework: Annotated[str, Form(max_length=20)] = "gdpr",
    tenant: Annotated[str, Form(max_length=63)] = "",
) -> Response:
    """Run the checks on the live system now (audited) and show every control."""
    fw = _framework(framework)
    slug = svc.overview.tenant(ctx, tenant).slug if tenant else None
    service = ComplianceService(svc.platform)
    assessment = service.check(ctx, fw, slug)
    points = service.trend(ctx, fw, slug)
    return _compliance_page(request, svc, ctx, fw, slug, points, assessment)


@router.get("/compliance/report")
@slow
def report(
    user: User,
    ctx: Ctx,
    svc: Svc,
    framework: Short = "gdpr",
    tenant: Short = "",
    format: Short = "",
) -> Response:
    """Run the checks and download the evidence report (HTML or PDF)."""
    slug = svc.overview.tenant(ctx, tenant).slug if tenant else None
    service = ComplianceService(svc.platform)
    f = report_file(service, ctx, _framework(framework), slug, format or "html")
    disposition = {"Content-Disposition": f'attachment; filename="{f.filename}"'}
    return Response(f.content, media_type=f.media_type, headers=disposition)


def _framework(name: str) -> str:
    """A known framework id (InvalidInput names the valid ones)."""
    return framework(name or "gdpr")


def _compliance_page(
    request: Request,
    svc: Svc,
    ctx: Ctx,
    fw: str,
    slug: str | None,
    points: list[TrendPoint],
    a: Assessment | None,
) -> Response:
    chart = hbars(
        [(p.at.strftime("%Y-%m-%d %H:%M"), p.score) for p in points[-10:]],
        label="score of the last runs",
    ) if points else None  # fmt: skip
    return page(
        request,
        "compliance.html",
        frameworks=[(f, FRAMEWORK_NAMES[f]) for f in FRAMEWORKS],
        framework=fw,
        tenant=slug or "",
        tenants=svc.platform.tenants.visible(ctx),
        trend=points,
        chart=chart,
        a=a,
    )
