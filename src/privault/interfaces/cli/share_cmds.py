"""``privault share put|list|revoke|get|purge``: secure file sharing."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from privault.app.bootstrap import Platform
from privault.app.sharing import SharingService
from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.interfaces.cli.common import out, platform, request
from privault.sharing.chunks import CHUNK_SIZE
from privault.sharing.models import ShareOptions

share_app = typer.Typer(help="Share files through expiring, audited links.", no_args_is_help=True)
TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="Tenant slug.")]
_DURATION = re.compile(r"^(\d+)([mhd])$")


def register(app: typer.Typer) -> None:
    """Add the share commands to ``app``."""
    app.add_typer(share_app, name="share")


def service(p: Platform) -> SharingService:
    """The platform's sharing service."""
    return p.sharing


def _duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if not match:
        raise InvalidInput("durations look like 30m, 12h or 7d")
    unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
    return timedelta(**{unit: int(match.group(1))})


def _stdin_secret() -> Secret[str]:
    return Secret(typer.get_text_stream("stdin").readline().rstrip("\n"))


@share_app.command("put")
def put(
    file: Path,
    tenant: TenantOpt,
    expires: Annotated[str, typer.Option(help="Link lifetime: 30m, 12h, 7d.")] = "7d",
    max_downloads: Annotated[int | None, typer.Option(help="Downloads allowed.")] = None,
    passphrase_stdin: Annotated[bool, typer.Option(help="Read a passphrase from stdin.")] = False,
    recipient: Annotated[
        list[str] | None, typer.Option(help="Only this e-mail (one-time code); repeat.")
    ] = None,
) -> None:
    """Upload a file (scanned for PII, sealed in chunks) and print its link token once."""
    options = ShareOptions(
        _duration(expires),
        max_downloads,
        _stdin_secret() if passphrase_stdin else None,
        tuple(recipient or ()),
    )
    try:
        fh = file.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None
    with fh:
        shared = service(platform()).put(
            request(), tenant, file.name, iter(lambda: fh.read(CHUNK_SIZE), b""), options
        )
    out.print(f"shared {shared.file_id} ({shared.size} bytes), link {shared.link_id}")
    out.print(f"token (shown once): {shared.token.reveal()}")
    found = ", ".join(f"{k}: {v}" for k, v in shared.scan.counts.items()) or "none"
    out.print(f"PII scan ({shared.scan.kind}): {found}")


@share_app.command("list")
def list_(tenant: TenantOpt) -> None:
    """List shared files, their links and upload findings."""
    table = Table("file", "name", "size", "state", "expires", "findings", "links")
    for f in service(platform()).files(request(), tenant):
        links = "\n".join(
            f"{lk.id} {lk.state} {lk.downloads}/{lk.max_downloads or '∞'}" for lk in f.links
        )
        findings = ", ".join(f"{k}: {v}" for k, v in f.findings.items()) or f.scan_kind
        table.add_row(
            f.id, f.name, str(f.size), f.state, f"{f.expires_at:%Y-%m-%d %H:%M}", findings, links
        )
    out.print(table)


@share_app.command("revoke")
def revoke(share_id: str, tenant: TenantOpt) -> None:
    """Revoke one link (shl_…) or a file and all its links (shf_…)."""
    service(platform()).revoke(request(), tenant, share_id)
    out.print(f"revoked {share_id}")


@share_app.command("get")
def get(
    token: str,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the file.")],
    passphrase_stdin: Annotated[bool, typer.Option(help="Read the passphrase from stdin.")] = False,
    email: Annotated[str | None, typer.Option(help="Recipient address.")] = None,
    code: Annotated[str | None, typer.Option(help="The one-time code e-mailed to you.")] = None,
    send_code: Annotated[bool, typer.Option(help="E-mail a one-time code to --email.")] = False,
) -> None:
    """Download a shared file through its link (every attempt is audited)."""
    svc, ctx = service(platform()), request()
    if send_code:
        if not email:
            raise InvalidInput("--send-code needs --email")
        svc.request_code(ctx, Secret(token), email)
        out.print("if that address may open the link, a code is on its way")
        return
    download = svc.get(
        ctx,
        Secret(token),
        passphrase=_stdin_secret() if passphrase_stdin else None,
        email=email,
        code=Secret(code) if code else None,
    )
    with output.open("wb") as fh:
        for chunk in download.chunks:
            fh.write(chunk)
    out.print(f"wrote {download.size} bytes to {output}")


@share_app.command("purge")
def purge(tenant: Annotated[str | None, typer.Option("--tenant", "-t")] = None) -> None:
    """Destroy the keys of expired and revoked files (crypto-shredding), then their blobs."""
    ids = service(platform()).purge(request(), tenant)
    out.print(f"destroyed {len(ids)} file key(s)")
