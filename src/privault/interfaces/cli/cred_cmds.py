"""``privault cred add|get|list|gen|health|import|export|totp``: the credential vault."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from privault.app.bootstrap import Platform
from privault.app.credentials import CredentialService
from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.credentials.formats import FORMATS
from privault.credentials.items import ItemMeta, ItemSecrets, NewItem
from privault.interfaces.cli.common import err, out, platform, request

cred_app = typer.Typer(help="Client credentials: gated, audited, per tenant.", no_args_is_help=True)
TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="Tenant slug.")]
PurposeOpt = Annotated[str, typer.Option(help="Why you need it (audited).")]


def register(app: typer.Typer) -> None:
    """Add the credential commands to ``app``."""
    app.add_typer(cred_app, name="cred")


def service(p: Platform) -> CredentialService:
    """The platform's credential service."""
    return p.credentials


def _stdin_line() -> str:
    return typer.get_text_stream("stdin").readline().rstrip("\n")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


@cred_app.command("add")
def add(
    title: str,
    tenant: TenantOpt,
    login: Annotated[str, typer.Option(help="User name.")] = "",
    url: Annotated[str, typer.Option(help="Where it is used.")] = "",
    generate: Annotated[bool, typer.Option(help="Generate a 24-character password.")] = False,
    totp_stdin: Annotated[bool, typer.Option(help="Read a TOTP seed after the password.")] = False,
    notes: Annotated[str, typer.Option(help="Notes (stored encrypted).")] = "",
    honeytoken: Annotated[bool, typer.Option(help="A decoy: any reveal raises an alert.")] = False,
    share_user: Annotated[
        list[str] | None, typer.Option(help="Only for user:NAME; repeat.")
    ] = None,
    share_role: Annotated[list[str] | None, typer.Option(help="Only for a role; repeat.")] = None,
    rotate_days: Annotated[int, typer.Option(help="Rotation reminder age.")] = 90,
) -> None:
    """Add an item; the password is read from stdin (one line) unless --generate."""
    svc = service(platform())
    password = svc.generate_password(24).value if generate else Secret(_stdin_line())
    seed = Secret(_stdin_line()) if totp_stdin else Secret("")
    item = NewItem(
        ItemMeta(title, login, url),
        ItemSecrets(password, seed, Secret(notes)),
        honeytoken,
        tuple(share_user or ()),
        tuple(share_role or ()),
        rotate_days,
    )
    out.print(f"added {svc.add(request(), tenant, item)}")


@cred_app.command("list")
def list_(tenant: TenantOpt) -> None:
    """List items (no secrets)."""
    table = Table("id", "title", "login", "url", "rotate", "shared with")
    for s in service(platform()).list_items(request(), tenant):
        flag = " [honeytoken]" if s.honeytoken else ""
        table.add_row(
            s.id,
            s.title + flag,
            s.login,
            s.url,
            "due" if s.rotate_due else "",
            ", ".join(s.shared_with),
        )
    out.print(table)


@cred_app.command("get")
def get(
    item_id: str,
    tenant: TenantOpt,
    purpose: PurposeOpt,
    field: Annotated[str, typer.Option(help="password, totp, notes or field:NAME.")] = "password",
    copy: Annotated[
        bool, typer.Option(help="Copy to the clipboard (OSC 52), do not print.")
    ] = False,
) -> None:
    """Reveal (or copy) one secret field: a gated, audited read."""
    value = service(platform()).reveal(
        request(), tenant, item_id, purpose=purpose, field=field, copy=copy
    )
    if copy:
        import base64

        encoded = base64.b64encode(value.reveal().encode()).decode()
        typer.echo(f"\033]52;c;{encoded}\a", nl=False)
        err.print("copied to the clipboard")
    else:
        typer.echo(value.reveal())


@cred_app.command("totp")
def totp(item_id: str, tenant: TenantOpt, purpose: PurposeOpt) -> None:
    """The current TOTP code of an item (audited)."""
    typer.echo(service(platform()).totp(request(), tenant, item_id, purpose=purpose).reveal())


@cred_app.command("gen")
def gen(
    length: Annotated[int, typer.Option(help="Characters.")] = 20,
    no_symbols: Annotated[bool, typer.Option(help="Letters and digits only.")] = False,
    avoid_ambiguous: Annotated[bool, typer.Option(help="No Il1O0o.")] = False,
    words: Annotated[int, typer.Option(help="A passphrase of N words instead.")] = 0,
) -> None:
    """Generate a password or a passphrase (nothing is stored)."""
    classes = (
        ("lower", "upper", "digits") if no_symbols else ("lower", "upper", "digits", "symbols")
    )
    made = (
        CredentialService.generate_passphrase(words)
        if words
        else CredentialService.generate_password(length, classes, avoid_ambiguous)
    )
    typer.echo(made.value.reveal())
    err.print(f"~{made.bits:.0f} bits")


@cred_app.command("health")
def health(
    tenant: TenantOpt,
    max_age_days: Annotated[int, typer.Option(help="Older passwords count as old.")] = 365,
) -> None:
    """Weak, reused, old and breached passwords; rotation reminders. Exit 1 if any."""
    report = service(platform()).health(request(), tenant, max_age_days=max_age_days)
    table = Table("id", "title", "issues", "score", "age (days)")
    for i in report.items:
        table.add_row(
            i.item_id, i.title, ", ".join(i.issues) or "ok", str(i.score), str(i.age_days)
        )
    out.print(table)
    out.print(", ".join(f"{k}: {v}" for k, v in report.counts.items()))
    for r in report.reminders:
        out.print(f"rotate {r.item_id} ({r.title}): overdue by {r.overdue_days} days")
    if not report.healthy:
        raise typer.Exit(1)


@cred_app.command("import")
def import_(
    file: Path,
    tenant: TenantOpt,
    fmt: Annotated[str, typer.Option("--format", help=f"{', '.join(FORMATS)}, privault.")],
    passphrase_stdin: Annotated[bool, typer.Option(help="Passphrase of a sealed export.")] = False,
) -> None:
    """Import a Bitwarden or KeePass export (all or nothing); then delete the export file."""
    passphrase = Secret(_stdin_line()) if passphrase_stdin else None
    result = service(platform()).import_items(request(), tenant, _read(file), fmt, passphrase)
    out.print(f"imported {len(result.ids)} item(s), skipped {result.skipped}")


@cred_app.command("export")
def export(
    tenant: TenantOpt,
    purpose: PurposeOpt,
    output: Annotated[Path, typer.Option("--output", "-o")],
    plain: Annotated[bool, typer.Option(help="Unencrypted JSON (audited as such).")] = False,
) -> None:
    """Export a client's items, sealed by a passphrase read from stdin unless --plain."""
    passphrase = None if plain else Secret(_stdin_line())
    data = service(platform()).export(
        request(), tenant, purpose=purpose, passphrase=passphrase, plain=plain
    )
    output.write_bytes(data)
    output.chmod(0o600)
    out.print(f"exported to {output}" + (" (PLAIN TEXT: delete it after use)" if plain else ""))
