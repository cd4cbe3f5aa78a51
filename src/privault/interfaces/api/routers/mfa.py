"""Second factors: TOTP enrolment (QR as SVG), confirmation, reset."""

from __future__ import annotations

from fastapi import APIRouter, Response

from privault.interfaces.api.deps import Ctx, Svc
from privault.interfaces.api.lanes import slow
from privault.interfaces.api.models import CodeIn, RecoveryCodes, TotpEnrollment
from privault.interfaces.api.qr import qr_svg

router = APIRouter(tags=["mfa"])


@router.post("/users/{username}/mfa/totp", response_model=TotpEnrollment, status_code=201)
def enroll_totp(username: str, ctx: Ctx, svc: Svc) -> TotpEnrollment:
    """Start TOTP enrolment (yourself, or another user with ``mfa.enroll``)."""
    enrollment = svc.platform.mfa.enroll_totp(ctx, username)
    uri = enrollment.uri.reveal()
    return TotpEnrollment(uri=uri, qr_svg=qr_svg(uri))


@router.post("/users/{username}/mfa/totp/confirm", response_model=RecoveryCodes)
@slow
def confirm_totp(username: str, body: CodeIn, ctx: Ctx, svc: Svc) -> RecoveryCodes:
    """Finish enrolment with a first code; returns recovery codes once."""
    codes = svc.platform.mfa.confirm_totp(ctx, username, body.code)
    return RecoveryCodes(recovery_codes=[c.reveal() for c in codes])


@router.delete("/users/{username}/mfa", status_code=204)
def reset_mfa(username: str, ctx: Ctx, svc: Svc) -> Response:
    """Remove every second factor of a user (admin, step-up)."""
    svc.platform.mfa.reset(ctx, username)
    return Response(status_code=204)
