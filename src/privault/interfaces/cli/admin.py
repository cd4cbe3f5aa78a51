"""Set-up and administration: init, db, tenant, schema, keys, audit."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from privault.app.bootstrap import init_platform, upgrade_databases
from privault.core.errors import InvalidInput
from privault.interfaces.cli.common import err, out, passphrase, platform, request, settings

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
tenant_app = typer.Typer(
    help="Tenants: the client organisations you protect.", no_args_is_help=True
)
schema_app = typer.Typer(help="Record types, declared as YAML schemas.", no_args_is_help=True)
keys_app = typer.Typer(
    help="The key hierarchy: rotate, rewrap, retire, status.", no_args_is_help=True
)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)

TenantOpt = Annotated[str, typer.Option("--tenant", "-t", help="Tenant slug or id.")]


def register(app: typer.Typer) -> None:
    """Add the admin commands to ``app``."""
    app.command("init")(init)
    app.add_typer(db_app, name="db")
    app.add_typer(tenant_app, name="tenant")
    app.add_typer(schema_app, name="schema")
    app.add_typer(keys_app, name="keys")
    app.add_typer(audit_app, name="audit")


def init() -> None:
    """Create a new installation: keyfile, both stores, root key.

    The passphrase comes from PRIVAULT_PASSPHRASE or a prompt (asked twice).
    """
    cfg = settings()
    platform_ = init_platform(cfg, passphrase(cfg, confirm=True))
    platform_.close()
    out.print(f"initialised privault in {cfg.data_dir} (key provider: {cfg.key_provider})")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the data store and the key store to the newest schema."""
    for store, before, after in upgrade_databases(settings()):
        state = "up to date" if before == after else f"{before or 'empty'} -> {after}"
        out.print(f"{store} store: {state}")


@tenant_app.command("create")
def tenant_create(
    slug: Annotated[str, typer.Argument(help="Short name: a-z, 0-9, '-' or '_'.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
) -> None:
    """Create a tenant with its own keys."""
    tenant = platform().tenants.create(request(), slug, name)
    out.print(f"created tenant {tenant.slug} ({tenant.id})")


@tenant_app.command("list")
def tenant_list() -> None:
    """List tenants."""
    table = Table("slug", "name", "id", "created")
    for t in platform().tenants.visible(request()):
        table.add_row(t.slug, t.name, t.id, t.created_at.strftime("%Y-%m-%d %H:%M"))
    out.print(table)


@schema_app.command("apply")
def schema_apply(
    file: Annotated[Path, typer.Argument(help="YAML schema file.")], tenant: TenantOpt
) -> None:
    """Validate a schema file and store it as the record type's next version."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {file}: {type(exc).__name__}") from None
    schema, version = platform().tenants.apply_schema(request(), tenant, text, file.name)
    out.print(f"record type {schema.record_type} v{version}: {len(schema.fields)} fields")


@schema_app.command("list")
def schema_list(tenant: TenantOpt) -> None:
    """List a tenant's record types and their fields."""
    p = platform()
    t = p.tenants.get(tenant)
    table = Table("record type", "version", "category", "field", "pii", "search", "token")
    for schema, version in p.tenants.schemas(t.id):
        for i, (name, spec) in enumerate(schema.fields.items()):
            table.add_row(
                schema.record_type if i == 0 else "",
                str(version) if i == 0 else "",
                schema.category_of(name),
                name,
                spec.pii or "",
                "yes" if spec.searchable else "",
                spec.tokenize.replace("none", ""),
            )
    out.print(table)


@keys_app.command("rotate")
def keys_rotate(
    tenant: Annotated[
        str | None,
        typer.Option("--tenant", "-t", help="Rotate this tenant's key instead of the root key."),
    ] = None,
) -> None:
    """Add a key version (root, or a tenant's); run 'keys rewrap' afterwards."""
    version = platform().key_admin.rotate(request(), tenant)
    what = f"tenant {tenant} key" if tenant else "root key"
    out.print(
        f"{what} is now at version {version}; run 'privault keys rewrap' to move wrapped keys to it"
    )


@keys_app.command("rewrap")
def keys_rewrap(batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 500) -> None:
    """Re-wrap every key under the newest versions (batched, resumable)."""
    p = platform()
    with Progress(
        SpinnerColumn(),
        TextColumn("rewrapping keys"),
        TextColumn("{task.completed} moved"),
        TimeElapsedColumn(),
        console=err,
    ) as bar:
        task = bar.add_task("rewrap", total=None)
        report = p.key_admin.rewrap(
            request(), batch_size=batch_size, progress=lambda n: bar.advance(task, n)
        )
    out.print(
        f"rewrapped {report.tenant_keys} tenant keys and {report.subject_keys} "
        f"subject keys in {report.batches} batches"
    )


@keys_app.command("retire")
def keys_retire(version: Annotated[int, typer.Option(help="Root version to destroy.")]) -> None:
    """Destroy an old root version (refused while anything still uses it)."""
    platform().key_admin.retire_root(request(), version)
    out.print(f"root key v{version} retired")


@keys_app.command("status")
def keys_status() -> None:
    """Show key versions, their ages, and what still uses old ones."""
    table = Table("scope", "purpose", "version", "age (days)", "state", "wrapped by", "still wraps")
    stale = 0
    for k in platform().key_admin.status(request()):
        state = "retired" if k.retired else ("current" if k.current else "old")
        if state == "old" and k.wraps:
            stale += k.wraps
        table.add_row(
            k.scope,
            k.purpose,
            f"v{k.version}",
            f"{k.age_days:g}",
            state,
            k.wrapped_by,
            str(k.wraps),
        )
    out.print(table)
    if stale:
        out.print(f"{stale} key(s) still use old versions: run 'privault keys rewrap'")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the hash chains; exit 1 and say where if anything was altered."""
    report = platform().trail.verify(request())
    if report.ok:
        out.print(f"audit trail intact: {report.events} events in {report.chains} chain(s)")
        return
    for problem in report.problems:
        where = f"seq {problem.seq}" + (f" ({problem.event_id})" if problem.event_id else "")
        err.print(f"[red]chain {problem.chain}, {where}:[/] {problem.problem}")
    err.print(f"audit trail FAILED verification: {len(report.problems)} problem(s)")
    raise typer.Exit(1)


@audit_app.command("search")
def audit_search(
    tenant: Annotated[str | None, typer.Option("--tenant", "-t")] = None,
    actor: Annotated[str | None, typer.Option()] = None,
    action: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json (JSONL).")] = "table",
) -> None:
    """Show the newest audit events, filtered."""
    p = platform()
    tenant_id = p.tenants.get(tenant).id if tenant else None
    events = p.trail.search(request(), tenant_id=tenant_id, actor=actor, action=action, limit=limit)
    if fmt == "json":
        for e in events:
            out.print(json.dumps(dataclasses.asdict(e), default=str), markup=False)
        return
    table = Table("time", "actor", "action", "resource", "purpose", "outcome", "rule")
    for e in events:
        table.add_row(
            e.ts.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            e.resource,
            e.purpose or "",
            e.outcome,
            e.rule,
        )
    out.print(table)
