"""Consent of data subjects; the Global Privacy Control signal (``Sec-GPC: 1``).

A client's web shop calls this on behalf of a visiting customer. When the
request carries ``Sec-GPC: 1`` the subject is opted out of sale and sharing
(CCPA), whatever else the body says; the gate then refuses reads for those
purposes.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from privault.interfaces.api.deps import Ctx, Svc, Tenant
from privault.interfaces.api.models import Body

router = APIRouter(tags=["consent"])


class ConsentIn(Body):
    """A subject's choice for one purpose."""

    purpose: str
    decision: Literal["granted", "withdrawn"]


class ConsentChoice(BaseModel):
    """One recorded choice."""

    purpose: str
    decision: str
    method: str


class ConsentOut(BaseModel):
    """What was recorded, and whether a GPC signal was honoured."""

    recorded: list[ConsentChoice]
    gpc: bool


def _gpc(request: Request) -> bool:
    return request.headers.get("sec-gpc", "").strip() == "1"


@router.post(
    "/tenants/{tenant}/subjects/{subject}/consent", response_model=ConsentOut, status_code=201
)
def set_consent(
    tenant: Tenant, subject: str, body: ConsentIn, request: Request, ctx: Ctx, svc: Svc
) -> ConsentOut:
    """Record a choice; a ``Sec-GPC: 1`` header also opts the subject out of sale and share."""
    consent = svc.platform.lifecycle.consent
    changes = [
        consent.set(
            ctx, tenant, subject, body.purpose, body.decision, method="api", source=request.url.path
        )
    ]
    gpc = _gpc(request)
    if gpc:
        changes += consent.record_gpc(ctx, tenant, subject)
    return ConsentOut(
        recorded=[
            ConsentChoice(purpose=c.purpose, decision=c.decision, method=c.method) for c in changes
        ],
        gpc=gpc,
    )


@router.post("/tenants/{tenant}/subjects/{subject}/gpc", response_model=ConsentOut, status_code=201)
def gpc_signal(tenant: Tenant, subject: str, request: Request, ctx: Ctx, svc: Svc) -> ConsentOut:
    """Forward a visitor's GPC signal: honoured when ``Sec-GPC: 1`` is present."""
    if not _gpc(request):
        return ConsentOut(recorded=[], gpc=False)
    changes = svc.platform.lifecycle.consent.record_gpc(ctx, tenant, subject)
    return ConsentOut(
        recorded=[
            ConsentChoice(purpose=c.purpose, decision=c.decision, method=c.method) for c in changes
        ],
        gpc=True,
    )
