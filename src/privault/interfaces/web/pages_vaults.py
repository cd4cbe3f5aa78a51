"""Sharing and credential pages: shared files and links, the public download, credential items."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied, NotFound
from privault.core.secret import Secret
from privault.credentials.health import HealthReport
from privault.interfaces.api.deps import client_address
from privault.interfaces.api.lanes import slow
from privault.interfaces.api.routers.sharing import upload_blocks
from privault.interfaces.web.render import page
from privault.interfaces.web.session import PRE, Ctx, Posted, Svc, User, check_csrf, pre_session
from privault.interfaces.web.widgets import chosen_tenant, health_chart, step_up_or
from privault.sharing.models import ShareOptions

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=1000)]
Slug = Annotated[str, Query(max_length=63)]


# -- sharing ------------------------------------------------------------------------------
@router.get("/shares")
def shares(request: Request, user: User, ctx: Ctx, svc: Svc, tenant: Slug = "") -> Response:
    """A client's shared files with their links; the upload form."""
    tenants, chosen = chosen_tenant(ctx, svc, tenant)
    files = svc.platform.sharing.files(ctx, chosen) if chosen else []
    return page(request, "shares.html", tenants=tenants, tenant=chosen, files=files)


def share_options(
    hours: Annotated[int, Form(ge=1, le=90 * 24)] = 168,
    max_downloads: Annotated[int | None, Form(ge=1, le=10_000)] = None,
    passphrase: Field = "",
) -> ShareOptions:
    """The link options of the upload form."""
    secret = Secret(passphrase) if passphrase else None
    return ShareOptions(timedelta(hours=hours), max_downloads, secret)


@router.post("/shares/{tenant}")
@slow
def upload(
    request: Request, tenant: str, user: Posted, ctx: Ctx, svc: Svc,
    file: Annotated[UploadFile, File()], options: Annotated[ShareOptions, Depends(share_options)],
) -> Response:  # fmt: skip
    """Scan, encrypt and share a file; show its link once."""
    name = file.filename or "upload"
    done = svc.platform.sharing.put(ctx, tenant, name, upload_blocks(file), options)
    files = svc.platform.sharing.files(ctx, tenant)
    tenants = svc.platform.tenants.visible(ctx)
    # The token rides in the fragment: browsers never send it to a server.
    link = f"{request.base_url}share#{quote(done.token.reveal(), safe='')}"
    return page(request, "shares.html", tenants=tenants, tenant=tenant, files=files,
                shared=done, link=link)  # fmt: skip


@router.post("/shares/{tenant}/{share_id}/revoke")
def revoke(tenant: str, share_id: str, user: Posted, ctx: Ctx, svc: Svc) -> Response:
    """Revoke a link or a whole file."""
    svc.platform.sharing.revoke(ctx, tenant, share_id)
    return RedirectResponse(f"/shares?tenant={tenant}", status_code=303)


@router.get("/share")
def share_form(request: Request) -> Response:
    """The recipient's page (no login): the link token (from the link's fragment) and passphrase."""
    response = Response()
    pre_session(request, response)
    out = page(request, "share_get.html", user=None, token="")
    out.raw_headers.extend(h for h in response.raw_headers if h[0] == b"set-cookie")
    return out


@router.post("/share")
def share_get(
    request: Request, svc: Svc, token: Field, csrf: Field, passphrase: Field = ""
) -> Response:
    """Download (counted and audited before decryption); refusals stay on the page."""
    check_csrf(request, request.cookies.get(PRE), csrf)
    ctx = RequestContext(Principal("anonymous"), source=f"web:{client_address(request)}")
    try:
        got = svc.platform.sharing.get(
            ctx, Secret(token), passphrase=Secret(passphrase) if passphrase else None
        )
    except (AccessDenied, NotFound) as exc:
        pre_session(request, Response())
        status = 410 if exc.fields.get("reason") else exc.http_status
        return page(request, "share_get.html", status=status, user=None, token=token,
                    error=exc.message)  # fmt: skip
    disposition = f"attachment; filename*=UTF-8''{quote(got.name, safe='')}"
    return StreamingResponse(
        got.chunks, media_type="application/octet-stream",
        headers={"Content-Disposition": disposition, "Content-Length": str(got.size)},
    )  # fmt: skip


# -- credentials --------------------------------------------------------------------------
def _health(report: HealthReport | None) -> object:
    if report is None:
        return None
    return health_chart(report.counts, len(report.items))


@router.get("/credentials")
def credentials(request: Request, user: User, ctx: Ctx, svc: Svc, tenant: Slug = "") -> Response:
    """A client's credential items (never a secret), their health chart and the generator."""
    tenants, chosen = chosen_tenant(ctx, svc, tenant)
    return _credentials_page(request, ctx, svc, tenants, chosen)


def _credentials_page(
    request: Request, ctx: Ctx, svc: Svc, tenants: list[Any], chosen: str, **extra: Any
) -> Response:
    creds = svc.platform.credentials
    items = creds.list_items(ctx, chosen) if chosen else []
    try:
        report = creds.health(ctx, chosen) if chosen else None
    except AccessDenied:
        report = None
    return page(request, "credentials.html", tenants=tenants, tenant=chosen, items=items,
                report=report, chart=_health(report), **extra)  # fmt: skip


@router.post("/credentials/{tenant}/{item_id}/reveal")
def reveal(
    request: Request, tenant: str, item_id: str, user: Posted, ctx: Ctx, svc: Svc,
    purpose: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:  # fmt: skip
    """Reveal an item's password for a stated purpose (step-up; audited first)."""

    def act() -> Response:
        value = svc.platform.credentials.reveal(ctx, tenant, item_id, purpose=purpose)
        tenants = svc.platform.tenants.visible(ctx)
        return _credentials_page(request, ctx, svc, tenants, tenant,
                                 revealed=(item_id, value.reveal(), purpose))  # fmt: skip

    return step_up_or(request, act, f"/credentials?tenant={tenant}")


@router.post("/credentials/{tenant}/generate")
def generate(
    request: Request, tenant: str, user: Posted, ctx: Ctx, svc: Svc, kind: Field = "password",
    length: Annotated[int, Form(ge=8, le=256)] = 20,
) -> Response:  # fmt: skip
    """A random password or passphrase (nothing stored)."""
    creds = svc.platform.credentials
    made = creds.generate_passphrase() if kind == "passphrase" else creds.generate_password(length)
    tenants = svc.platform.tenants.visible(ctx)
    return _credentials_page(request, ctx, svc, tenants, tenant,
                             generated=(made.value.reveal(), round(made.bits)))  # fmt: skip
