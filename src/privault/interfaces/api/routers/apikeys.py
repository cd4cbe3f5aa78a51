"""API keys: issue (token shown once), list, revoke."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from privault.interfaces.api.deps import Ctx, Svc
from privault.interfaces.api.models import ApiKeyCreated, ApiKeyIn, ApiKeyOut, Page
from privault.interfaces.api.routers._paging import After, Limit, next_link, window

router = APIRouter(tags=["api keys"])


def key_fields(k: Any) -> dict[str, Any]:
    """The public fields of a stored key (never the hash)."""
    return {
        "id": k.id,
        "user_id": k.user_id,
        "name": k.name,
        "scopes": list(k.scopes),
        "created_at": k.created_at,
        "expires_at": k.expires_at,
        "revoked_at": k.revoked_at,
        "last_used_at": k.last_used_at,
    }


@router.get("/apikeys", response_model=Page[ApiKeyOut])
def list_keys(
    request: Request,
    ctx: Ctx,
    svc: Svc,
    user: Annotated[str | None, Query(max_length=63)] = None,
    after: After = None,
    limit: Limit = 100,
) -> Page[ApiKeyOut]:
    """API keys of one user or of all (by id)."""
    rows = window(svc.platform.identity.api_keys(ctx, user), lambda k: k.id, after, limit)
    items = [ApiKeyOut(**key_fields(k)) for k in rows]
    return Page(items=items, next=next_link(request, items, lambda k: k.id, limit))


@router.post("/apikeys", response_model=ApiKeyCreated, status_code=201)
def create_key(body: ApiKeyIn, ctx: Ctx, svc: Svc) -> ApiKeyCreated:
    """Issue a key limited to ``scopes`` (action globs); needs step-up."""
    expires = timedelta(days=body.expires_in_days) if body.expires_in_days else None
    key, token = svc.platform.identity.create_api_key(
        ctx, body.user, body.name, scopes=body.scopes, expires_in=expires
    )
    return ApiKeyCreated(**key_fields(key), token=token.reveal())


@router.delete("/apikeys/{key_id}", status_code=204)
def revoke_key(key_id: str, ctx: Ctx, svc: Svc) -> Response:
    """Revoke a key at once."""
    svc.platform.identity.revoke_api_key(ctx, key_id)
    return Response(status_code=204)
