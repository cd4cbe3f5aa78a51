"""Lifecycle pages: retention preview and run, legal holds, certificates, data-subject requests."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from privault.core.errors import NotFound
from privault.interfaces.api.lanes import slow
from privault.interfaces.web.render import page
from privault.interfaces.web.session import Ctx, Posted, Svc, User
from privault.interfaces.web.widgets import chosen_tenant, days_left, step_up_or
from privault.lifecycle.deadlines import LAWS
from privault.lifecycle.dsr import CLOSED, KINDS, VERIFICATION_METHODS

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=500)]
Slug = Annotated[str, Query(max_length=63)]


def _back(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def _file(body: bytes, media: str, name: str) -> Response:
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/lifecycle")
def lifecycle(request: Request, user: User, ctx: Ctx, svc: Svc, tenant: Slug = "") -> Response:
    """One client's retention, holds, certificates and data-subject requests."""
    tenants, chosen = chosen_tenant(ctx, svc, tenant)
    return _lifecycle_page(request, ctx, svc, tenants, chosen)


def _lifecycle_page(
    request: Request, ctx: Ctx, svc: Svc, tenants: list[Any], chosen: str, **extra: Any
) -> Response:
    life = svc.platform.lifecycle
    today = svc.platform.clock.now().date()
    requests = life.dsr.list(ctx, chosen) if chosen else []
    return page(
        request, "lifecycle.html", tenants=tenants, tenant=chosen,
        holds=life.retention.holds(ctx, chosen) if chosen else [],
        certificates=life.certificates.list(ctx, chosen) if chosen else [],
        requests=[(r, *days_left(r.due_on, today)) for r in requests],
        kinds=KINDS, laws=sorted(LAWS),
        open_count=sum(r.state not in CLOSED for r in requests), **extra,
    )  # fmt: skip


@router.post("/lifecycle/{tenant}/retention")
@slow
def retention(
    request: Request, tenant: str, user: Posted, ctx: Ctx, svc: Svc, mode: Field = "preview"
) -> Response:
    """Preview what is due, or destroy it (step-up); the result is shown on the page."""

    def act() -> Response:
        t = svc.overview.tenant(ctx, tenant).slug
        report = svc.platform.lifecycle.retention.run(ctx, t, dry_run=mode != "run")
        tenants, _ = chosen_tenant(ctx, svc, t)
        return _lifecycle_page(request, ctx, svc, tenants, t, report=report)

    return step_up_or(request, act, f"/lifecycle?tenant={tenant}")


@router.post("/lifecycle/{tenant}/holds")
def place_hold(
    tenant: str, user: Posted, ctx: Ctx, svc: Svc, reason: Field, subject_id: Field = ""
) -> Response:
    """Place a legal hold on the client or one subject."""
    svc.platform.lifecycle.retention.hold(ctx, tenant, reason, subject_id or None)
    return _back(f"/lifecycle?tenant={tenant}")


@router.post("/lifecycle/{tenant}/holds/release")
def release_hold(tenant: str, user: Posted, ctx: Ctx, svc: Svc, subject_id: Field = "") -> Response:
    """Lift the client's holds (or one subject's)."""
    svc.platform.lifecycle.retention.release(ctx, tenant, subject_id or None)
    return _back(f"/lifecycle?tenant={tenant}")


@router.get("/lifecycle/{tenant}/certificates/{cert_id}.json")
def certificate_json(tenant: str, cert_id: str, user: User, ctx: Ctx, svc: Svc) -> Response:
    """The signed certificate as a JSON download."""
    cert = svc.platform.lifecycle.certificates.get(ctx, tenant, cert_id)
    return _file(json.dumps(cert, indent=1).encode(), "application/json", f"{cert_id}.json")


@router.get("/lifecycle/{tenant}/certificates/{cert_id}.pdf")
@slow
def certificate_pdf(tenant: str, cert_id: str, user: User, ctx: Ctx, svc: Svc) -> Response:
    """The certificate as a PDF download."""
    body = svc.platform.lifecycle.certificates.pdf(ctx, tenant, cert_id)
    return _file(body, "application/pdf", f"{cert_id}.pdf")


@router.post("/lifecycle/{tenant}/dsr")
def open_dsr(
    tenant: str,
    user: Posted,
    ctx: Ctx,
    svc: Svc,
    subject_id: Field,
    kind: Field,
    law: Field = "gdpr",
) -> Response:
    """Register a data-subject request."""
    r = svc.platform.lifecycle.dsr.open(ctx, tenant, subject_id, kind, law=law)
    return _back(f"/lifecycle/{tenant}/dsr/{r.id}")


@router.get("/lifecycle/{tenant}/dsr/{dsr_id}")
def dsr(request: Request, tenant: str, dsr_id: str, user: User, ctx: Ctx, svc: Svc) -> Response:
    """One request: its deadline, history and next step."""
    life = svc.platform.lifecycle
    steps = life.dsr.steps(ctx, tenant, dsr_id)
    req = next((r for r in life.dsr.list(ctx, tenant) if r.id == dsr_id), None)
    if req is None:
        raise NotFound(f"no request {dsr_id}")
    left = days_left(req.due_on, svc.platform.clock.now().date())
    return page(
        request, "dsr.html", tenant=tenant, req=req, steps=steps, left=left,
        methods=VERIFICATION_METHODS,
    )  # fmt: skip


@router.post("/lifecycle/{tenant}/dsr/{dsr_id}/{step}")
def dsr_step(
    tenant: str, dsr_id: str, step: str, user: Posted, ctx: Ctx, svc: Svc,
    method: Field = "", reason: Field = "",
) -> Response:  # fmt: skip
    """Verify, carry out (advance), extend or reject a request."""
    dsr = svc.platform.lifecycle.dsr
    if step == "verify":
        dsr.verify(ctx, tenant, dsr_id, method=method)
    elif step == "advance":
        dsr.advance(ctx, tenant, dsr_id)
    elif step == "extend":
        dsr.extend(ctx, tenant, dsr_id, reason)
    elif step == "reject":
        dsr.reject(ctx, tenant, dsr_id, reason)
    else:
        raise NotFound(f"no request step {step!r}")
    return _back(f"/lifecycle/{tenant}/dsr/{dsr_id}")


@router.get("/lifecycle/{tenant}/dsr/{dsr_id}/bundle.json")
@slow
def dsr_bundle(tenant: str, dsr_id: str, user: User, ctx: Ctx, svc: Svc) -> Response:
    """The access bundle (read through the gate, audited) as a JSON download."""
    bundle = svc.platform.lifecycle.dsr.export(ctx, tenant, dsr_id)
    body = json.dumps(bundle, indent=1, default=str).encode()
    return _file(body, "application/json", f"{dsr_id}-access.json")
