"""Users and roles, API keys, and the audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from privault.core.secret import Secret
from privault.interfaces.api.lanes import slow
from privault.interfaces.web.render import page
from privault.interfaces.web.session import Ctx, Posted, Svc, User

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=1000)]
Filter = Annotated[str, Query(max_length=200)]


def _back(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


@router.get("/users")
def users(request: Request, user: User, ctx: Ctx, svc: Svc) -> Response:
    """Users with roles; forms to add users and grant roles."""
    return page(
        request,
        "users.html",
        users=svc.overview.users(ctx),
        roles=svc.platform.access.roles(ctx),
        tenants=svc.platform.tenants.visible(ctx),
    )


@router.post("/users")
@slow
def add_user(
    user: Posted, ctx: Ctx, svc: Svc, username: Field, password: Field, display_name: Field = ""
) -> Response:
    """Create a user."""
    svc.platform.identity.add_user(
        ctx,
        username,
        display_name=display_name or None,
        password=Secret(password) if password else None,
    )
    return _back("/users")


@router.post("/users/grant")
def grant(
    user: Posted, ctx: Ctx, svc: Svc, username: Field, role: Field, tenant: Field = ""
) -> Response:
    """Grant a role (on one tenant, or on all)."""
    svc.platform.access.grant(ctx, username, role, tenant or None)
    return _back("/users")


@router.post("/users/{username}/disable")
def disable(username: str, user: Posted, ctx: Ctx, svc: Svc) -> Response:
    """Disable a user."""
    svc.platform.identity.disable(ctx, username)
    return _back("/users")


@router.get("/roles")
def roles(request: Request, user: User, ctx: Ctx, svc: Svc) -> Response:
    """Built-in and custom roles with their view caps."""
    return page(request, "roles.html", roles=svc.platform.access.roles(ctx))


@router.get("/apikeys")
def apikeys(request: Request, user: User, ctx: Ctx, svc: Svc) -> Response:
    """API keys (never their secrets)."""
    return page(request, "apikeys.html", keys=svc.platform.identity.api_keys(ctx))


@router.post("/apikeys")
def create_key(
    request: Request,
    user: Posted,
    ctx: Ctx,
    svc: Svc,
    name: Field,
    scopes: Field,
    owner: Field = "",
    days: Field = "",
) -> Response:
    """Issue a key and show its token once."""
    expires = timedelta(days=int(days)) if days.isdigit() and int(days) > 0 else None
    key, token = svc.platform.identity.create_api_key(
        ctx,
        owner or user.username,
        name,
        scopes=scopes.replace(",", " ").split(),
        expires_in=expires,
    )
    return page(
        request,
        "apikeys.html",
        keys=svc.platform.identity.api_keys(ctx),
        new_key=key,
        token=token.reveal(),
    )


@router.post("/apikeys/{key_id}/revoke")
def revoke_key(key_id: str, user: Posted, ctx: Ctx, svc: Svc) -> Response:
    """Revoke a key."""
    svc.platform.identity.revoke_api_key(ctx, key_id)
    return _back("/apikeys")


@router.get("/audit")
@slow
def audit(
    request: Request,
    user: User,
    ctx: Ctx,
    svc: Svc,
    actor: Filter = "",
    action: Filter = "",
    tenant: Filter = "",
) -> Response:
    """Chain status and a searchable list of events."""
    tenant_id = svc.overview.tenant(ctx, tenant).id if tenant else None
    events = svc.platform.trail.search(
        ctx, tenant_id=tenant_id, actor=actor or None, action=action or None, limit=200
    )
    return page(
        request,
        "audit.html",
        events=events,
        chain=svc.platform.trail.verify(ctx),
        actor=actor,
        action=action,
        tenant=tenant,
    )
