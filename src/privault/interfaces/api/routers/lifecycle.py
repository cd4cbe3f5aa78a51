"""Data lifecycle: retention runs, legal holds, destruction certificates, data-subject requests.

Every route calls the lifecycle services the CLI calls (``platform.lifecycle``);
the access bundle of a request is read through the gate by the DSR service.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response

from privault.core.errors import NotFound
from privault.interfaces.api.deps import Ctx, Svc, Tenant
from privault.interfaces.api.lanes import slow
from privault.interfaces.api.models import Page
from privault.interfaces.api.models_ops import (
    AdvanceIn,
    CertificateOut,
    DsrIn,
    DsrOut,
    DueOut,
    HoldIn,
    HoldOut,
    ReasonIn,
    Released,
    ReleaseIn,
    RetentionRunIn,
    RetentionRunOut,
    StepOut,
    VerifyIn,
)
from privault.interfaces.api.routers._paging import After, Limit, next_link, window
from privault.lifecycle.dsr_repository import Request as Dsr
from privault.lifecycle.dsr_repository import Step
from privault.lifecycle.repository import Hold

router = APIRouter(tags=["lifecycle"])


# -- retention and holds -------------------------------------------------------------
@router.post("/tenants/{tenant}/retention/run", response_model=RetentionRunOut)
@slow
def run_retention(tenant: Tenant, body: RetentionRunIn, ctx: Ctx, svc: Svc) -> RetentionRunOut:
    """Preview (``dry_run``, the default) or run the tenant's retention (step-up)."""
    rep = svc.platform.lifecycle.retention.run(
        ctx, tenant, dry_run=body.dry_run, batch_size=body.batch_size
    )
    due = [DueOut(record_id=d.record_id, record_type=d.record_type, rule=d.rule, due_on=d.due_on)
           for d in rep.due]  # fmt: skip
    cert = rep.certificate["id"] if rep.certificate else None
    return RetentionRunOut(
        run_id=rep.run_id, dry_run=rep.dry_run, resumed=rep.resumed, due=due,
        destroyed=rep.destroyed, gone=rep.gone, held=rep.held, certificate_id=cert,
    )  # fmt: skip


@router.get("/tenants/{tenant}/holds", response_model=Page[HoldOut])
def list_holds(
    request: Request, tenant: Tenant, ctx: Ctx, svc: Svc, after: After = None, limit: Limit = 100
) -> Page[HoldOut]:
    """The active legal holds of a tenant (by id)."""
    rows = window(svc.platform.lifecycle.retention.holds(ctx, tenant), lambda h: h.id, after, limit)
    items = [hold_out(h) for h in rows]
    return Page(items=items, next=next_link(request, items, lambda h: h.id, limit))


def hold_out(h: Hold) -> HoldOut:
    """The API form of a legal hold."""
    return HoldOut(id=h.id, subject_id=h.subject_id, reason=h.reason, created_by=h.created_by,
                   created_at=h.created_at)  # fmt: skip


@router.post("/tenants/{tenant}/holds", response_model=HoldOut, status_code=201)
def place_hold(tenant: Tenant, body: HoldIn, ctx: Ctx, svc: Svc) -> HoldOut:
    """Place a legal hold: nothing it covers is destroyed until it is lifted."""
    return hold_out(
        svc.platform.lifecycle.retention.hold(ctx, tenant, body.reason, body.subject_id)
    )


@router.post("/tenants/{tenant}/holds/release", response_model=Released)
def release_holds(tenant: Tenant, body: ReleaseIn, ctx: Ctx, svc: Svc) -> Released:
    """Lift the tenant-wide holds (no subject) or those on one subject."""
    return Released(released=svc.platform.lifecycle.retention.release(ctx, tenant, body.subject_id))


# -- certificates -------------------------------------------------------------------------
@router.get("/tenants/{tenant}/certificates", response_model=Page[CertificateOut])
def list_certificates(
    request: Request, tenant: Tenant, ctx: Ctx, svc: Svc, after: After = None, limit: Limit = 50
) -> Page[CertificateOut]:
    """Destruction certificates of a tenant (by id)."""
    found = svc.platform.lifecycle.certificates.list(ctx, tenant)
    rows = window(found, lambda c: str(c["id"]), after, limit)
    items = [CertificateOut(id=c["id"], run_id=c["run_id"], issued_at=c["issued_at"],
                            counts=c["counts"]) for c in rows]  # fmt: skip
    return Page(items=items, next=next_link(request, items, lambda c: c.id, limit))


def _attachment(body: bytes, media: str, name: str) -> Response:
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/tenants/{tenant}/certificates/{cert_id}", response_model=dict[str, Any])
def get_certificate(tenant: Tenant, cert_id: str, ctx: Ctx, svc: Svc) -> Response:
    """The signed certificate (JSON, verifiable with the installation's public key)."""
    cert = svc.platform.lifecycle.certificates.get(ctx, tenant, cert_id)
    body = json.dumps(cert, indent=1).encode()
    return _attachment(body, "application/json", f"{cert['id']}.json")


@router.get(
    "/tenants/{tenant}/certificates/{cert_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
@slow
def certificate_pdf(tenant: Tenant, cert_id: str, ctx: Ctx, svc: Svc) -> Response:
    """The certificate as a PDF."""
    body = svc.platform.lifecycle.certificates.pdf(ctx, tenant, cert_id)
    return _attachment(body, "application/pdf", f"{cert_id}.pdf")


# -- data-subject requests ----------------------------------------------------------------
def dsr_out(svc: Svc, r: Dsr, steps: list[Step] | None = None) -> DsrOut:
    """The API form of a request; ``days_left`` counts from the platform clock."""
    today = svc.platform.clock.now().date()
    return DsrOut(
        id=r.id, subject_id=r.subject_id, kind=r.kind, law=r.law, state=r.state,
        received_on=r.received_on, due_on=r.due_on, days_left=(r.due_on - today).days,
        extended=r.extended, verification_method=r.verification_method,
        created_at=r.created_at, closed_at=r.closed_at,
        steps=[StepOut(at=s.at, actor=s.actor, action=s.action, from_state=s.from_state,
                       to_state=s.to_state, note=s.note) for s in steps or []],
    )  # fmt: skip


@router.post("/tenants/{tenant}/dsr", response_model=DsrOut, status_code=201)
def open_dsr(tenant: Tenant, body: DsrIn, ctx: Ctx, svc: Svc) -> DsrOut:
    """Register a request; its deadline follows the law; it waits for identity verification."""
    r = svc.platform.lifecycle.dsr.open(
        ctx, tenant, body.subject_id, body.kind, law=body.law, received_on=body.received_on
    )
    return dsr_out(svc, r)


@router.get("/tenants/{tenant}/dsr", response_model=Page[DsrOut])
def list_dsr(
    request: Request,
    tenant: Tenant,
    ctx: Ctx,
    svc: Svc,
    open_only: bool = False,
    after: After = None,
    limit: Limit = 50,
) -> Page[DsrOut]:
    """Requests by id (``open_only``: those still to be answered)."""
    found = svc.platform.lifecycle.dsr.list(ctx, tenant, open_only=open_only)
    items = [dsr_out(svc, r) for r in window(found, lambda r: r.id, after, limit)]
    return Page(items=items, next=next_link(request, items, lambda r: r.id, limit))


@router.get("/tenants/{tenant}/dsr/{dsr_id}", response_model=DsrOut)
def get_dsr(tenant: Tenant, dsr_id: str, ctx: Ctx, svc: Svc) -> DsrOut:
    """One request with its deadline and audited history."""
    dsr = svc.platform.lifecycle.dsr
    steps = dsr.steps(ctx, tenant, dsr_id)  # authorizes; unknown in this tenant → 404
    found = next((r for r in dsr.list(ctx, tenant) if r.id == dsr_id), None)
    if found is None:
        raise NotFound(f"no request {dsr_id}")
    return dsr_out(svc, found, steps)


@router.post("/tenants/{tenant}/dsr/{dsr_id}/verify", response_model=DsrOut)
def verify_dsr(tenant: Tenant, dsr_id: str, body: VerifyIn, ctx: Ctx, svc: Svc) -> DsrOut:
    """Record the identity verification (method from the documented list)."""
    r = svc.platform.lifecycle.dsr.verify(ctx, tenant, dsr_id, method=body.method, note=body.note)
    return dsr_out(svc, r)


@router.post("/tenants/{tenant}/dsr/{dsr_id}/advance", response_model=DsrOut)
def advance_dsr(tenant: Tenant, dsr_id: str, body: AdvanceIn, ctx: Ctx, svc: Svc) -> DsrOut:
    """Carry out a verified request and complete it (download an access bundle separately)."""
    done = svc.platform.lifecycle.dsr.advance(
        ctx, tenant, dsr_id, record_id=body.record_id, changes=body.changes
    )
    return dsr_out(svc, done.request)


@router.post("/tenants/{tenant}/dsr/{dsr_id}/reject", response_model=DsrOut)
def reject_dsr(tenant: Tenant, dsr_id: str, body: ReasonIn, ctx: Ctx, svc: Svc) -> DsrOut:
    """Close a request without acting on it."""
    return dsr_out(svc, svc.platform.lifecycle.dsr.reject(ctx, tenant, dsr_id, body.reason))


@router.post("/tenants/{tenant}/dsr/{dsr_id}/extend", response_model=DsrOut)
def extend_dsr(tenant: Tenant, dsr_id: str, body: ReasonIn, ctx: Ctx, svc: Svc) -> DsrOut:
    """Extend the deadline once, as far as the request's law allows."""
    return dsr_out(svc, svc.platform.lifecycle.dsr.extend(ctx, tenant, dsr_id, body.reason))


@router.get("/tenants/{tenant}/dsr/{dsr_id}/bundle", response_model=dict[str, Any])
@slow
def dsr_bundle(tenant: Tenant, dsr_id: str, ctx: Ctx, svc: Svc) -> Response:
    """The access bundle of a verified access request (read through the gate, audited)."""
    bundle = svc.platform.lifecycle.dsr.export(ctx, tenant, dsr_id)
    body = json.dumps(bundle, indent=1, default=str).encode()
    return _attachment(body, "application/json", f"{dsr_id}-access.json")
