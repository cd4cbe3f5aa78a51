"""Users, role grants and roles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from privault.app.overview import UserSummary
from privault.core.secret import Secret
from privault.interfaces.api.deps import Ctx, Svc
from privault.interfaces.api.lanes import slow
from privault.interfaces.api.models import (
    GrantIn,
    Page,
    PasswordIn,
    RoleOut,
    RolesIn,
    UserIn,
    UserOut,
)
from privault.interfaces.api.routers._paging import After, Limit, next_link, window

router = APIRouter(tags=["users and roles"])


def user_out(s: UserSummary) -> UserOut:
    """The API form of a user with its grants."""
    u = s.user
    return UserOut(
        id=u.id,
        username=u.username,
        display_name=u.display_name,
        kind=u.kind,
        status=u.status,
        mfa=u.mfa_enrolled_at is not None,
        roles=list(s.roles),
        tenant_roles=list(s.tenant_roles),
        created_at=u.created_at,
        last_login_at=u.last_login_at,
    )


@router.get("/users", response_model=Page[UserOut])
def list_users(
    request: Request, ctx: Ctx, svc: Svc, after: After = None, limit: Limit = 100
) -> Page[UserOut]:
    """Users with their roles (by username)."""
    rows = window(svc.overview.users(ctx), lambda s: s.user.username, after, limit)
    items = [user_out(s) for s in rows]
    return Page(items=items, next=next_link(request, items, lambda u: u.username, limit))


@router.post("/users", response_model=UserOut, status_code=201)
@slow
def add_user(body: UserIn, ctx: Ctx, svc: Svc) -> UserOut:
    """Create a user (needs step-up)."""
    password = Secret(body.password) if body.password is not None else None
    u = svc.platform.identity.add_user(
        ctx, body.username, display_name=body.display_name, password=password, kind=body.kind
    )
    return user_out(UserSummary(u, (), ()))


@router.post("/users/{username}/disable", status_code=204)
def disable_user(username: str, ctx: Ctx, svc: Svc) -> Response:
    """Disable a user: sessions and API keys stop working at once."""
    svc.platform.identity.disable(ctx, username)
    return Response(status_code=204)


@router.put("/users/{username}/password", status_code=204)
@slow
def set_password(username: str, body: PasswordIn, ctx: Ctx, svc: Svc) -> Response:
    """Set a user's password (policy and no-reuse checked); ends their sessions."""
    svc.platform.identity.set_password(ctx, username, Secret(body.password))
    return Response(status_code=204)


@router.post("/users/{username}/grants", status_code=204)
def grant(username: str, body: GrantIn, ctx: Ctx, svc: Svc) -> Response:
    """Grant a role on one tenant, or on all."""
    svc.platform.access.grant(ctx, username, body.role, body.tenant)
    return Response(status_code=204)


@router.delete("/users/{username}/grants/{role}", status_code=204)
def revoke(
    username: str,
    role: str,
    ctx: Ctx,
    svc: Svc,
    tenant: Annotated[str | None, Query(max_length=63)] = None,
) -> Response:
    """Revoke a role grant."""
    svc.platform.access.grant(ctx, username, role, tenant, revoke=True)
    return Response(status_code=204)


def role_out(r: Any) -> RoleOut:
    """The API form of a role."""
    return RoleOut(
        name=r.name,
        allow=list(r.allow),
        deny=list(r.deny),
        views=dict(r.views),
        break_glass=r.break_glass,
        description=r.description,
    )


@router.get("/roles", response_model=list[RoleOut])
def list_roles(ctx: Ctx, svc: Svc) -> list[RoleOut]:
    """Built-in and custom roles."""
    return [role_out(r) for r in svc.platform.access.roles(ctx)]


@router.put("/roles", response_model=list[str])
def apply_roles(body: RolesIn, ctx: Ctx, svc: Svc) -> list[str]:
    """Store the custom roles of a policy (replacing same-named ones)."""
    return svc.platform.access.apply_roles(ctx, body.policy, "request body")
