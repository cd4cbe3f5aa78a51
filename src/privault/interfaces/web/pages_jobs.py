"""Scans and masking jobs: start forms, progress (meta refresh while active), results."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from privault.app.job_service import MaskRequest, ScanRequest
from privault.core.errors import Conflict, InvalidInput
from privault.interfaces.web.charts import hbars
from privault.interfaces.web.pages_main import attempt
from privault.interfaces.web.render import page
from privault.interfaces.web.session import Ctx, Posted, Svc, User
from privault.jobs import ACTIVE

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Query(max_length=100)]
Text = Annotated[str, Form(max_length=200_000)]
Line = Annotated[str, Form(max_length=1000)]
REFRESH_SECONDS = 2


def _tenant(svc: Svc, ctx: Ctx, given: str) -> tuple[list[Any], str]:
    """Visible tenants and the chosen one (404 for one the user may not see)."""
    tenants = svc.platform.tenants.visible(ctx)
    if given:
        return tenants, svc.overview.tenant(ctx, given).slug
    return tenants, tenants[0].slug if tenants else ""


def _list(
    request: Request, svc: Svc, ctx: Ctx, kind: str, tenant: str, status: int = 200, **extra: Any
) -> Response:
    tenants, chosen = _tenant(svc, ctx, tenant)
    jobs, note = attempt(lambda: svc.platform.jobs.jobs(ctx, chosen, kind, None, 25))
    jobs = jobs or []
    return page(
        request,
        "scans.html" if kind == "scan" else "masking.html",
        status=status,
        tenants=tenants,
        tenant=chosen,
        jobs=jobs,
        note=note,
        refresh=REFRESH_SECONDS if any(j.status in ACTIVE for j in jobs) else None,
        **extra,
    )


@router.get("/scans")
def scans(request: Request, user: User, ctx: Ctx, svc: Svc, tenant: Short = "") -> Response:
    """The client's scans, and a form to start one."""
    return _list(request, svc, ctx, "scan", tenant)


@router.post("/scans")
def start_scan(
    request: Request,
    user: Posted,
    ctx: Ctx,
    svc: Svc,
    tenant: Line,
    targets: Text,
    full: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Start a scan; show its progress page (or the form again with the reason)."""
    lines = tuple(t.strip() for t in targets.splitlines() if t.strip())
    try:
        job = svc.platform.jobs.start_scan(ctx, tenant, ScanRequest(lines, full=bool(full)))
    except (InvalidInput, Conflict) as exc:
        return _list(request, svc, ctx, "scan", tenant, 422, error=exc.message, targets=targets)
    return RedirectResponse(f"/scans/{tenant}/{job.id}", status_code=303)


@router.get("/scans/{tenant}/{job_id}")
def scan(
    request: Request,
    tenant: str,
    job_id: str,
    user: User,
    ctx: Ctx,
    svc: Svc,
    type: Short = "",
    category: Short = "",
) -> Response:
    """A scan's progress, then its findings by column, type and category."""
    slug = svc.overview.tenant(ctx, tenant).slug
    job = svc.platform.jobs.job(ctx, slug, "scan", job_id)
    findings: list[Any] = []
    chart = None
    if job.status == "done":
        everything = svc.platform.jobs.findings(ctx, slug, job_id)
        counts = Counter(t for f in everything for t in {f.pii_type, *f.freeform} if t)
        chart = hbars(counts.most_common(), label="PII columns per type") if counts else None
        findings = svc.platform.jobs.findings(
            ctx, slug, job_id, pii_type=type or None, category=category or None
        )
    return page(
        request,
        "scan.html",
        tenant=slug,
        job=job,
        findings=findings,
        chart=chart,
        type=type,
        category=category,
        refresh=REFRESH_SECONDS if job.status in ACTIVE else None,
    )


@router.get("/masking")
def masking(request: Request, user: User, ctx: Ctx, svc: Svc, tenant: Short = "") -> Response:
    """The client's masking jobs, and a form to start one with a policy."""
    return _list(request, svc, ctx, "mask", tenant)


@dataclass(frozen=True)
class MaskForm:
    """The posted masking form."""

    tenant: str
    source: str
    dest: str
    policy: str
    project: str
    overwrite: bool


def mask_form(
    tenant: Line,
    source: Line,
    dest: Line,
    policy: Text,
    project: Line = "",
    overwrite: Annotated[str, Form(max_length=10)] = "",
) -> MaskForm:
    """Parse the masking form."""
    return MaskForm(tenant, source, dest, policy, project, bool(overwrite))


@router.post("/masking")
def start_masking(
    request: Request,
    user: Posted,
    ctx: Ctx,
    svc: Svc,
    form: Annotated[MaskForm, Depends(mask_form)],
) -> Response:
    """Start a masked copy; show its page (or the form again with the reason)."""
    req = MaskRequest(form.source, form.dest, form.policy, form.project or None, form.overwrite)
    try:
        job = svc.platform.jobs.start_mask(ctx, form.tenant, req)
    except (InvalidInput, Conflict) as exc:
        return _list(request, svc, ctx, "mask", form.tenant, 422, error=exc.message, form=form)
    return RedirectResponse(f"/masking/{form.tenant}/{job.id}", status_code=303)


@router.get("/masking/{tenant}/{job_id}")
def mask_job(
    request: Request, tenant: str, job_id: str, user: User, ctx: Ctx, svc: Svc
) -> Response:
    """A masking job's progress, then its report."""
    slug = svc.overview.tenant(ctx, tenant).slug
    job = svc.platform.jobs.job(ctx, slug, "mask", job_id)
    return page(
        request,
        "mask_job.html",
        tenant=slug,
        job=job,
        refresh=REFRESH_SECONDS if job.status in ACTIVE else None,
    )
