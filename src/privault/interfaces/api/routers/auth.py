"""Sign-in for API clients: a session token for a password (+ TOTP) login."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from privault.core.context import Principal, RequestContext
from privault.core.secret import Secret
from privault.interfaces.api.deps import Ctx, Svc, bearer, client_address
from privault.interfaces.api.lanes import slow
from privault.interfaces.api.models import LoginIn, LoginOut, Me

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=LoginOut)
@slow
def login(body: LoginIn, request: Request, svc: Svc) -> LoginOut:
    """Sign in with password and, once enrolled, a TOTP or recovery code."""
    ctx = RequestContext(Principal("anonymous"), source=f"api:{client_address(request)}")
    done = svc.platform.signin.login(ctx, body.username, Secret(body.password), code=body.code)
    return LoginOut(token=done.token.reveal(), expires_at=done.expires_at)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, ctx: Ctx, svc: Svc) -> Response:
    """End the session whose token authenticated this call."""
    token = bearer(request)
    if token and ctx.principal.id.count("/apikey:") == 0:
        svc.platform.signin.logout(Secret(token))
    return Response(status_code=204)


@router.get("/me", response_model=Me)
def me(ctx: Ctx) -> Me:
    """The authenticated principal: roles, tenant roles, scopes."""
    p = ctx.principal
    return Me(
        id=p.id,
        roles=sorted(p.roles),
        tenant_roles=sorted(p.tenant_roles),
        scopes=sorted(p.scopes) if p.scopes is not None else None,
        mfa=p.mfa_at is not None,
    )
