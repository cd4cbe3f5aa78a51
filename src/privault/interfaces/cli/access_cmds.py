"""``privault user|role|apikey|mfa|access …``: identities and least privilege."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.interfaces.cli.common import err, out, platform, request

user_app = typer.Typer(help="People and service accounts that sign in.", no_args_is_help=True)
role_app = typer.Typer(help="Roles: built-in and custom, and who holds them.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys with scopes and expiry.", no_args_is_help=True)
mfa_app = typer.Typer(help="Second factors (TOTP, recovery codes).", no_args_is_help=True)
access_app = typer.Typer(
    help="Explain decisions; the least-privilege report.", no_args_is_help=True
)

TenantOpt = Annotated[
    str | None, typer.Option("--tenant", "-t", help="Tenant (default: every tenant).")
]


def register(app: typer.Typer) -> None:
    """Add the access commands to ``app``."""
    app.add_typer(user_app, name="user")
    app.add_typer(role_app, name="role")
    app.add_typer(apikey_app, name="apikey")
    app.add_typer(mfa_app, name="mfa")
    app.add_typer(access_app, name="access")


def _read_password(from_stdin: bool) -> Secret[str] | None:
    if from_stdin:
        return Secret(typer.get_text_stream("stdin").readline().rstrip("\n"))
    return Secret(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    username: str,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    role: Annotated[list[str] | None, typer.Option(help="Role to grant (repeat).")] = None,
    tenant: TenantOpt = None,
    service: Annotated[bool, typer.Option(help="A service account (no password).")] = False,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from stdin instead of a prompt.")
    ] = False,
) -> None:
    """Add a user (password asked twice, checked against the password policy)."""
    p, ctx = platform(), request()
    password = None if service else _read_password(password_stdin)
    user = p.identity.add_user(
        ctx, username, display_name=name, password=password, kind="service" if service else "user"
    )
    for r in role or []:
        p.access.grant(ctx, user.username, r, tenant)
    out.print(f"added {user.kind} {user.username} ({user.id})")


@user_app.command("list")
def user_list() -> None:
    """List users, their status, MFA and last sign-in."""
    table = Table("username", "kind", "status", "mfa", "last sign-in", "created")
    for u in platform().identity.list_users(request()):
        table.add_row(
            u.username,
            u.kind,
            u.status,
            "yes" if u.mfa_enrolled_at else "no",
            u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "-",
            u.created_at.strftime("%Y-%m-%d"),
        )
    out.print(table)


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable a user: sessions and API keys stop working at once."""
    platform().identity.disable(request(), username)
    out.print(f"disabled {username}; sessions and API keys revoked")


@user_app.command("password")
def user_password(username: str, password_stdin: Annotated[bool, typer.Option()] = False) -> None:
    """Set a user's password (policy and no-reuse checked); ends their sessions."""
    new = _read_password(password_stdin)
    assert new is not None
    platform().identity.set_password(request(), username, new)
    out.print(f"password of {username} changed; their sessions were ended")


@role_app.command("list")
def role_list() -> None:
    """List roles: what each allows, denies, and shows."""
    table = Table("role", "allows", "denies", "views", "break-glass")
    for r in platform().access.roles(request()):
        table.add_row(
            r.name,
            ", ".join(r.allow),
            ", ".join(r.deny),
            ", ".join(f"{k}={v}" for k, v in r.views.items()),
            "yes" if r.break_glass else "",
        )
    out.print(table)


@role_app.command("apply")
def role_apply(file: Path) -> None:
    """Store the custom roles of a YAML policy file."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror}") from None
    names = platform().access.apply_roles(request(), text, file.name)
    out.print(f"applied role(s): {', '.join(names)}")


@role_app.command("grant")
def role_grant(username: str, role: str, tenant: TenantOpt = None) -> None:
    """Grant a role to a user on one tenant (or on every tenant)."""
    platform().access.grant(request(), username, role, tenant)
    out.print(f"granted {role} to {username} on {tenant or 'every tenant'}")


@role_app.command("revoke")
def role_revoke(username: str, role: str, tenant: TenantOpt = None) -> None:
    """Revoke a role grant."""
    platform().access.grant(request(), username, role, tenant, revoke=True)
    out.print(f"revoked {role} from {username} on {tenant or 'every tenant'}")


def _duration(text: str | None) -> timedelta | None:
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,4})([hd])", text)
    if match is None:
        raise InvalidInput("expiry looks like 12h or 90d")
    n, unit = int(match.group(1)), match.group(2)
    return timedelta(hours=n) if unit == "h" else timedelta(days=n)


@apikey_app.command("create")
def apikey_create(
    username: str,
    name: str,
    scope: Annotated[list[str], typer.Option(help="Action glob (repeat).")],
    expires: Annotated[str | None, typer.Option(help="e.g. 90d or 12h.")] = "90d",
) -> None:
    """Create an API key; the key is shown once, only its hash is kept."""
    key, token = platform().identity.create_api_key(
        request(), username, name, scopes=scope, expires_in=_duration(expires)
    )
    err.print(
        f"API key {key.id} for {username}, scopes {', '.join(key.scopes)}; "
        "store it now, it is not shown again:"
    )
    out.print(token.reveal(), markup=False)


@apikey_app.command("revoke")
def apikey_revoke(key_id: str) -> None:
    """Revoke an API key at once."""
    platform().identity.revoke_api_key(request(), key_id)
    out.print(f"revoked API key {key_id}")


@apikey_app.command("list")
def apikey_list(username: Annotated[str | None, typer.Argument()] = None) -> None:
    """List API keys (never their secrets)."""
    table = Table("id", "name", "scopes", "expires", "state", "last used")
    for k in platform().identity.api_keys(request(), username):
        table.add_row(
            k.id,
            k.name,
            ", ".join(k.scopes),
            k.expires_at.strftime("%Y-%m-%d") if k.expires_at else "never",
            "revoked" if k.revoked_at else "active",
            k.last_used_at.strftime("%Y-%m-%d %H:%M") if k.last_used_at else "-",
        )
    out.print(table)


@mfa_app.command("enroll")
def mfa_enroll(username: str) -> None:
    """Start TOTP enrolment: shows the QR code (and otpauth URI) once."""
    enrollment = platform().mfa.enroll_totp(request(), username)
    err.print("Scan this with an authenticator app, then run 'privault mfa verify':")
    out.print(enrollment.qr_text, markup=False, highlight=False)
    out.print(enrollment.uri.reveal(), markup=False)


@mfa_app.command("verify")
def mfa_verify(username: str, code: str) -> None:
    """Confirm enrolment with a first code; shows ten single-use recovery codes once."""
    codes = platform().mfa.confirm_totp(request(), username, code)
    err.print("TOTP enrolled. Recovery codes (each works once; store them offline):")
    for c in codes:
        out.print(c.reveal(), markup=False)


@mfa_app.command("reset")
def mfa_reset(username: str) -> None:
    """Remove a user's second factors (they must enrol again)."""
    platform().mfa.reset(request(), username)
    out.print(f"second factors of {username} removed; their sessions were ended")


@access_app.command("check")
def access_check(
    username: str,
    action: str,
    resource: Annotated[str, typer.Argument(help="Tenant slug, or '-' for platform-wide actions.")],
    field: Annotated[
        str | None, typer.Option(help="record_type.field to explain its view.")
    ] = None,
    pii: Annotated[str | None, typer.Option(help="The field's PII type.")] = None,
    purpose: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Explain whether USER may do ACTION on RESOURCE, and which rule decides."""
    tenant = None if resource == "-" else resource
    ex = platform().access.check(
        request(), username, action, tenant, field=field, pii=pii, purpose=purpose
    )
    verdict = "[green]ALLOWED[/]" if ex.decision.allowed else "[red]DENIED[/]"
    out.print(f"{verdict} {action} on {resource} for {username}")
    out.print(f"  rule:   {ex.decision.rule}\n  reason: {ex.decision.reason}")
    out.print(f"  roles there: {', '.join(ex.roles) or 'none'}")
    if ex.field is not None:
        out.print(f"  field {field}: shown as {ex.field.view} ({ex.field.rule})")
    if not ex.decision.allowed:
        raise typer.Exit(1)


@access_app.command("report")
def access_report(days: Annotated[int, typer.Option(min=1, max=3650)] = 90) -> None:
    """Least privilege: unused grants, users without MFA, stale accounts (exit 1 if any)."""
    findings = platform().access.report(request(), days)
    table = Table("finding", "user", "detail")
    for f in findings:
        table.add_row(f.kind, f.user, f.detail)
    out.print(table if findings else "no findings")
    if findings:
        raise typer.Exit(1)
