"""Vault records: gated reads (purpose + view), writes, import and search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from privault.app.gate import RecordView
from privault.interfaces.api.deps import Ctx, Svc, Tenant
from privault.interfaces.api.lanes import slow
from privault.interfaces.api.models import FindIn, Ids, ImportIn, Page, RecordIn, RecordOut, View
from privault.interfaces.api.routers._paging import After, Limit, next_link

router = APIRouter(tags=["records"])

Purpose = Annotated[str, Query(min_length=1, max_length=100, description="why you read (audited)")]
RecordType = Annotated[str | None, Query(alias="type", max_length=63)]
Fields = Annotated[list[str] | None, Query(max_length=100)]


def record_out(r: RecordView) -> RecordOut:
    """The API form of a gated record view."""
    return RecordOut(
        id=r.id,
        record_type=r.record_type,
        subject_id=r.subject_id,
        view=r.view,
        fields=r.fields,
        views=r.views,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


@dataclass(frozen=True)
class ListQuery:
    """The query of a record listing."""

    purpose: str
    view: View
    record_type: str | None
    after: str | None
    limit: int


def list_query(
    purpose: Purpose,
    view: View = "masked",
    record_type: RecordType = None,
    after: After = None,
    limit: Limit = 50,
) -> ListQuery:
    """Parse the listing query parameters."""
    return ListQuery(purpose, view, record_type, after, limit)


@router.get("/tenants/{tenant}/records", response_model=Page[RecordOut])
def list_records(
    request: Request,
    tenant: Tenant,
    ctx: Ctx,
    svc: Svc,
    q: Annotated[ListQuery, Depends(list_query)],
) -> Page[RecordOut]:
    """A page of records (by id), each field in the view the caller's role allows."""
    rows = svc.platform.gate.page(
        ctx, tenant, q.record_type, purpose=q.purpose, view=q.view, after=q.after, limit=q.limit
    )
    items = [record_out(r) for r in rows]
    return Page(items=items, next=next_link(request, items, lambda r: r.id, q.limit))


@router.get("/tenants/{tenant}/records/{record_id}", response_model=RecordOut)
def read_record(
    tenant: Tenant,
    record_id: str,
    ctx: Ctx,
    svc: Svc,
    purpose: Purpose,
    view: View = "masked",
    fields: Fields = None,
) -> RecordOut:
    """One record through the gate (audited before anything is decrypted)."""
    rows = svc.platform.gate.read(
        ctx, tenant, [record_id], purpose=purpose, view=view, fields=fields
    )
    return record_out(rows[0])


@router.post("/tenants/{tenant}/records/{record_type}", response_model=Ids, status_code=201)
def put_record(tenant: Tenant, record_type: str, body: RecordIn, ctx: Ctx, svc: Svc) -> Ids:
    """Store one record."""
    return Ids(ids=[svc.platform.vault.put(ctx, tenant, record_type, body.fields)])


@router.post("/tenants/{tenant}/records/{record_type}/import", response_model=Ids, status_code=201)
@slow
def import_records(tenant: Tenant, record_type: str, body: ImportIn, ctx: Ctx, svc: Svc) -> Ids:
    """Store many records, all or nothing (bodies up to 10 MiB)."""
    return Ids(ids=svc.platform.vault.put_many(ctx, tenant, record_type, body.records))


@router.post("/tenants/{tenant}/records/{record_type}/find", response_model=list[RecordOut])
def find_records(
    tenant: Tenant, record_type: str, body: FindIn, ctx: Ctx, svc: Svc
) -> list[RecordOut]:
    """Equality search on a searchable field through its blind index."""
    rows = svc.platform.gate.find(
        ctx, tenant, record_type, body.field, body.value, purpose=body.purpose, view=body.view
    )
    return [record_out(r) for r in rows]


@router.patch("/tenants/{tenant}/records/{record_id}", status_code=204)
def update_record(tenant: Tenant, record_id: str, body: RecordIn, ctx: Ctx, svc: Svc) -> Response:
    """Overwrite some fields of a record."""
    svc.platform.vault.update(ctx, tenant, record_id, body.fields)
    return Response(status_code=204)


@router.delete("/tenants/{tenant}/records/{record_id}", status_code=204)
def delete_record(tenant: Tenant, record_id: str, ctx: Ctx, svc: Svc) -> Response:
    """Delete one record (the subject's key stays)."""
    svc.platform.vault.delete(ctx, tenant, record_id)
    return Response(status_code=204)
