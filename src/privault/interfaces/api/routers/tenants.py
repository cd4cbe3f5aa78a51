"""Tenants (the MSP's clients) and their record schemas."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from privault.interfaces.api.deps import Ctx, Svc, Tenant
from privault.interfaces.api.models import Page, SchemaOut, TenantIn, TenantOut
from privault.interfaces.api.routers._paging import After, Limit, next_link, window

router = APIRouter(tags=["tenants"])


@router.get("/tenants", response_model=Page[TenantOut])
def list_tenants(
    request: Request, ctx: Ctx, svc: Svc, after: After = None, limit: Limit = 100
) -> Page[TenantOut]:
    """Tenants the caller may see, with their record counts (by slug)."""
    counts = svc.overview.record_counts(ctx)
    rows = window(counts, lambda c: c.tenant.slug, after, limit)
    items = [TenantOut(**vars_of(c.tenant), records=c.records) for c in rows]
    return Page(items=items, next=next_link(request, items, lambda t: t.slug, limit))


@router.post("/tenants", response_model=TenantOut, status_code=201)
def create_tenant(body: TenantIn, ctx: Ctx, svc: Svc) -> TenantOut:
    """Create a tenant with its own keys."""
    t = svc.platform.tenants.create(ctx, body.slug, body.name)
    return TenantOut(**vars_of(t), records=0)


@router.get("/tenants/{tenant}", response_model=TenantOut)
def get_tenant(tenant: Tenant, ctx: Ctx, svc: Svc) -> TenantOut:
    """One tenant."""
    return TenantOut(**vars_of(svc.overview.tenant(ctx, tenant)))


@router.get("/tenants/{tenant}/schemas", response_model=list[SchemaOut])
def list_schemas(tenant: Tenant, ctx: Ctx, svc: Svc) -> list[SchemaOut]:
    """The record schemas of a tenant."""
    return [
        SchemaOut(record_type=s.record_type, version=v, definition=s.model_dump(mode="json"))
        for s, v in svc.overview.schemas(ctx, tenant)
    ]


@router.put("/tenants/{tenant}/schemas", response_model=SchemaOut)
def apply_schema(
    tenant: Tenant, ctx: Ctx, svc: Svc, definition: Annotated[dict[str, Any], Body()]
) -> SchemaOut:
    """Apply a record schema (the YAML schema, as a JSON object)."""
    schema, version = svc.platform.tenants.apply_schema(
        ctx, tenant, json.dumps(definition), "request body"
    )
    return SchemaOut(
        record_type=schema.record_type, version=version, definition=schema.model_dump(mode="json")
    )


def vars_of(tenant: Any) -> dict[str, Any]:
    """The public attributes of a tenant row."""
    return {
        "id": tenant.id,
        "slug": tenant.slug,
        "name": tenant.name,
        "created_at": tenant.created_at,
    }
