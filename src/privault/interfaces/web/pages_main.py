"""Overview and the vault browser (masked by default; reveal asks a purpose)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from privault.core.errors import AccessDenied
from privault.interfaces.web.overview_panels import overview_panels
from privault.interfaces.web.render import bar_chart, page
from privault.interfaces.web.session import Ctx, Posted, Svc, User

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
VIEWS = ("masked", "token", "redacted", "plain")
Short = Annotated[str, Query(max_length=100)]


def attempt(fn: Callable[[], T]) -> tuple[T | None, str | None]:
    """Run one panel's service call; a denial becomes a note in that panel."""
    try:
        return fn(), None
    except AccessDenied:
        return None, "not available to your role"


@router.get("/")
def overview(request: Request, user: User, ctx: Ctx, svc: Svc) -> Response:
    """Tenants and record counts, recent activity, chain status, reads per day."""
    counts, _ = attempt(lambda: svc.overview.record_counts(ctx))
    events, events_note = attempt(lambda: svc.platform.trail.search(ctx, limit=8))
    chain, chain_note = attempt(lambda: svc.platform.trail.verify(ctx))
    reads, _ = attempt(lambda: svc.overview.reads_per_day(ctx))
    pii, alerts = overview_panels(svc, ctx)
    top = max([c.records for c in counts or []] + [1])
    return page(
        request,
        "overview.html",
        counts=counts or [],
        top=top,
        events=events,
        events_note=events_note,
        chain=chain,
        chain_note=chain_note,
        chart=bar_chart(reads) if reads else None,
        total_reads=sum(n for _d, n in reads or []),
        pii=pii,
        alerts=alerts,
    )


@dataclass(frozen=True)
class Browse:
    """What the vault browser shows: client, record type, purpose, view, page."""

    tenant: str
    type: str
    purpose: str
    view: str
    after: str


def browse(
    tenant: Short = "",
    type: Short = "",
    purpose: Short = "support",
    view: Short = "masked",
    after: Short = "",
) -> Browse:
    """Parse the browser's query."""
    return Browse(tenant, type, purpose, view, after)


@router.get("/vault")
def vault(
    request: Request, user: User, ctx: Ctx, svc: Svc, q: Annotated[Browse, Depends(browse)]
) -> Response:
    """Records of one tenant, page by page, in the view the role allows."""
    tenants = svc.platform.tenants.visible(ctx)
    chosen = q.tenant or (tenants[0].slug if tenants else "")
    values: dict[str, Any] = {
        "tenants": tenants,
        "tenant": chosen,
        "purpose": q.purpose,
        "view": q.view,
        "views": VIEWS,
        "type": q.type,
        "rows": [],
    }
    if chosen:
        schemas = svc.overview.schemas(ctx, chosen)
        values["types"] = [s.record_type for s, _v in schemas]
        rtype = q.type or (values["types"][0] if values["types"] else "")
        fields = next((list(s.fields) for s, _v in schemas if s.record_type == rtype), [])
        rows = (
            svc.platform.gate.page(
                ctx, chosen, rtype, purpose=q.purpose, view=q.view, after=q.after or None, limit=25
            )
            if rtype
            else []
        )
        values.update(
            type=rtype, fields=fields, rows=rows, next=rows[-1].id if len(rows) == 25 else None
        )
    return page(request, "vault.html", **values)


@router.get("/vault/{tenant}/records/{record_id}")
def record(
    request: Request,
    tenant: str,
    record_id: str,
    user: User,
    ctx: Ctx,
    svc: Svc,
    purpose: Short = "support",
) -> Response:
    """One record, masked; a reveal form asks why."""
    rows = svc.platform.gate.read(ctx, tenant, [record_id], purpose=purpose, view="masked")
    return page(
        request,
        "record.html",
        tenant=svc.overview.tenant(ctx, tenant),
        rec=rows[0],
        revealed=False,
        purpose=purpose,
    )


@router.post("/vault/{tenant}/records/{record_id}/reveal")
def reveal(
    request: Request,
    tenant: str,
    record_id: str,
    user: Posted,
    ctx: Ctx,
    svc: Svc,
    purpose: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    """The plain view for a stated purpose (audited; role caps still apply)."""
    rows = svc.platform.gate.read(ctx, tenant, [record_id], purpose=purpose, view="plain")
    return page(
        request,
        "record.html",
        tenant=svc.overview.tenant(ctx, tenant),
        rec=rows[0],
        revealed=True,
        purpose=purpose,
    )
