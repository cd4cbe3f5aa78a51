"""Secure file sharing: upload with link options, list, revoke; the public download.

The download is the one route without a login: the link token (sent in the
body, never in a URL that logs keep) and the passphrase are the credentials.
The sharing service counts and audits a download before anything is
decrypted; a link that is expired, revoked, used up or destroyed answers 410.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import StreamingResponse

from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied
from privault.core.secret import Secret
from privault.interfaces.api.deps import Ctx, Svc, Tenant, client_address
from privault.interfaces.api.lanes import slow
from privault.interfaces.api.models import Page
from privault.interfaces.api.models_ops import DownloadIn, LinkOut, ScanOut, SharedOut, ShareOut
from privault.interfaces.api.routers._paging import After, Limit, next_link, window
from privault.sharing.models import FileInfo, ShareOptions

router = APIRouter(tags=["sharing"])
_BLOCK = 64 * 1024
GONE = frozenset({"expired", "revoked", "exhausted", "destroyed"})


class LinkGone(AccessDenied):
    """A link that can never be used again (expired, revoked, used up, destroyed)."""

    code = "gone"
    http_status = 410


def upload_blocks(upload: UploadFile) -> Iterator[bytes]:
    """The blocks of an uploaded file (the service streams them: never all in memory)."""
    while block := upload.file.read(_BLOCK):
        yield block


@router.post("/tenants/{tenant}/shares", response_model=SharedOut, status_code=201)
@slow
def put_share(
    tenant: Tenant,
    ctx: Ctx,
    svc: Svc,
    file: Annotated[UploadFile, File(description="the file (within the request size limit)")],
    expires_in_hours: Annotated[int, Form(ge=1, le=90 * 24)] = 7 * 24,
    max_downloads: Annotated[int | None, Form(ge=1, le=10_000)] = None,
    passphrase: Annotated[str | None, Form(min_length=8, max_length=1000)] = None,
) -> SharedOut:
    """Scan, encrypt and store a file; return its first link's token (shown once)."""
    options = ShareOptions(
        expires_in=timedelta(hours=expires_in_hours),
        max_downloads=max_downloads,
        passphrase=Secret(passphrase) if passphrase else None,
    )
    name = file.filename or "upload"
    done = svc.platform.sharing.put(ctx, tenant, name, upload_blocks(file), options)
    return SharedOut(
        file_id=done.file_id, link_id=done.link_id, token=done.token.reveal(), size=done.size,
        expires_at=done.expires_at, scan=ScanOut(kind=done.scan.kind, findings=done.scan.counts),
    )  # fmt: skip


def share_out(f: FileInfo) -> ShareOut:
    """The API form of a shared file."""
    return ShareOut(
        id=f.id, name=f.name, size=f.size, sender=f.sender, state=f.state,
        created_at=f.created_at, expires_at=f.expires_at,
        scan=ScanOut(kind=f.scan_kind, findings=f.findings),
        links=[LinkOut(id=k.id, state=k.state, expires_at=k.expires_at, downloads=k.downloads,
                       max_downloads=k.max_downloads, passphrase=k.passphrase,
                       recipients=k.recipients) for k in f.links],
    )  # fmt: skip


@router.get("/tenants/{tenant}/shares", response_model=Page[ShareOut])
def list_shares(
    request: Request, tenant: Tenant, ctx: Ctx, svc: Svc, after: After = None, limit: Limit = 50
) -> Page[ShareOut]:
    """Shared files with their links and download counts (by id)."""
    rows = window(svc.platform.sharing.files(ctx, tenant), lambda f: f.id, after, limit)
    items = [share_out(f) for f in rows]
    return Page(items=items, next=next_link(request, items, lambda f: f.id, limit))


@router.delete("/tenants/{tenant}/shares/{share_id}", status_code=204)
def revoke_share(tenant: Tenant, share_id: str, ctx: Ctx, svc: Svc) -> None:
    """Revoke one link (``shl_…``) or a file with all its links (``shf_…``)."""
    svc.platform.sharing.revoke(ctx, tenant, share_id)


@router.post(
    "/shares/download",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}},
        403: {"description": "wrong passphrase, or too many failed attempts"},
        404: {"description": "unknown link"},
        410: {"description": "expired, revoked, used up or destroyed"},
    },
)
def download(body: DownloadIn, request: Request, svc: Svc) -> StreamingResponse:
    """Download a shared file with its link token (no login; counted and audited)."""
    ctx = RequestContext(Principal("anonymous"), source=f"api:{client_address(request)}")
    secret = Secret(body.passphrase) if body.passphrase is not None else None
    try:
        got = svc.platform.sharing.get(ctx, Secret(body.token), passphrase=secret)
    except AccessDenied as exc:
        if exc.fields.get("reason") in GONE:
            raise LinkGone(exc.message) from None
        raise
    disposition = f"attachment; filename*=UTF-8''{quote(got.name, safe='')}"
    return StreamingResponse(
        got.chunks,
        media_type="application/octet-stream",
        headers={"Content-Disposition": disposition, "Content-Length": str(got.size)},
    )
