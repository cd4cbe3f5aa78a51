"""Audit export and checkpoints, monitoring replay, alerts, honeytokens."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from privault.app.bootstrap import Platform
from privault.app.monitoring import MonitorService, config_summary
from privault.audit.repository import EventFilter
from privault.core.errors import InvalidInput
from privault.interfaces.cli.admin import audit_app
from privault.interfaces.cli.common import out, platform, request
from privault.monitor.config import load_monitor_config

monitor_app = typer.Typer(help="Monitoring rules over the audit trail.", no_args_is_help=True)
alert_app = typer.Typer(help="Alerts raised by the monitoring rules.", no_args_is_help=True)
honeytoken_app = typer.Typer(help="Canary records that alert when read.", no_args_is_help=True)

TenantOpt = Annotated[str | None, typer.Option("--tenant", "-t", help="Tenant slug or id.")]
NoteOpt = Annotated[str | None, typer.Option(help="A note kept with the alert.")]


def register(app: typer.Typer) -> None:
    """Add ``audit export|checkpoint``, ``monitor``, ``alert`` and ``honeytoken`` (once)."""
    if any(group.typer_instance is monitor_app for group in app.registered_groups):
        return
    audit_app.command("export")(audit_export)
    audit_app.command("checkpoint")(audit_checkpoint)
    app.add_typer(monitor_app, name="monitor")
    app.add_typer(alert_app, name="alert")
    app.add_typer(honeytoken_app, name="honeytoken")


def _monitor(p: Platform) -> MonitorService:
    existing = getattr(p, "monitor", None)
    if isinstance(existing, MonitorService):
        return existing
    config = load_monitor_config(p.settings.data_dir / "monitor.yaml")
    return MonitorService(p.data, p.audit, p.authz, p.tenants, p.vault, p.identity, p.clock, config)


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--{name} must be an ISO date or time (2026-01-31T08:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def audit_export(
    tenant: TenantOpt = None,
    actor: Annotated[str | None, typer.Option()] = None,
    action: Annotated[str | None, typer.Option()] = None,
    outcome: Annotated[str | None, typer.Option()] = None,
    purpose: Annotated[str | None, typer.Option()] = None,
    resource: Annotated[str | None, typer.Option(help="Resource prefix.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO time, inclusive.")] = None,
    until: Annotated[str | None, typer.Option(help="ISO time, exclusive.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, cef or rfc5424.")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Export matching events, oldest first, one per line (JSONL, CEF or RFC 5424)."""
    p = platform()
    where = EventFilter(
        tenant_id=p.tenants.get(tenant).id if tenant else None,
        actor=actor,
        action=action,
        outcome=outcome,
        purpose=purpose,
        resource=resource,
        since=_when(since, "since"),
        until=_when(until, "until"),
    )
    lines = p.trail.export(request(), where, fmt)
    count = 0
    if output is None:
        for line in lines:
            out.print(line, markup=False, highlight=False)
        return
    with output.open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")
            count += 1
    out.print(f"exported {count} event(s) to {output}")


def audit_checkpoint() -> None:
    """Sign the head of every chain that moved since its last checkpoint (Ed25519)."""
    p = platform()
    signed = p.trail.checkpoint(request())
    for cp in signed:
        out.print(f"signed {cp.chain} at seq {cp.seq} ({cp.key_id})")
    out.print(f"{len(signed)} checkpoint(s); public key {p.trail.public_key(request()).hex()}")


@monitor_app.command("replay")
def monitor_replay(
    since: Annotated[str, typer.Option(help="ISO time to replay from.")],
    notify: Annotated[bool, typer.Option(help="Send new alerts to the notifiers.")] = False,
) -> None:
    """Re-run every rule over the trail since a time; new alerts are recorded."""
    start = _when(since, "since")
    assert start is not None
    count, alerts = _monitor(platform()).replay(request(), start, notify=notify)
    out.print(f"replayed {count} event(s): {len(alerts)} new alert(s)")
    for alert in alerts:
        out.print(f"  {alert.id} [{alert.severity}] {alert.rule}: {alert.title}")


@monitor_app.command("rules")
def monitor_rules() -> None:
    """Show the rules in force with their thresholds."""
    p = platform()
    summary = config_summary(load_monitor_config(p.settings.data_dir / "monitor.yaml"))
    out.print(json.dumps(summary, indent=2), markup=False)


@alert_app.command("list")
def alert_list(
    state: Annotated[
        list[str] | None, typer.Option(help="open, acknowledged, resolved, false_positive")
    ] = None,
    rule: Annotated[str | None, typer.Option()] = None,
    severity: Annotated[str | None, typer.Option(help="Minimum severity.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List alerts (open and acknowledged unless --state), grouped by principal."""
    states = state or ["open", "acknowledged"]
    alerts = _monitor(platform()).alerts(
        request(), states=states, rule=rule, min_severity=severity, limit=limit
    )
    if fmt == "json":
        for a in alerts:
            out.print(json.dumps(_alert_doc(a), default=str), markup=False)
        return
    table = Table("alert", "severity", "state", "rule", "principal", "count", "last seen", "title")
    for a in sorted(alerts, key=lambda x: (x.group_key, x.last_seen)):
        table.add_row(
            a.id,
            a.severity,
            a.state,
            a.rule,
            a.actor,
            str(a.count),
            a.last_seen.strftime("%Y-%m-%d %H:%M"),
            a.title,
        )
    out.print(table)


def _alert_doc(a: object) -> dict[str, object]:
    return {name: getattr(a, name) for name in getattr(a, "__slots__", ())}


def _move(alert_id: str, state: str, note: str | None) -> None:
    alert = _monitor(platform()).transition(request(), alert_id, state, note)
    out.print(f"alert {alert.id} is now {alert.state}")


@alert_app.command("ack")
def alert_ack(alert_id: str, note: NoteOpt = None) -> None:
    """Acknowledge an alert (someone is on it)."""
    _move(alert_id, "acknowledged", note)


@alert_app.command("resolve")
def alert_resolve(alert_id: str, note: NoteOpt = None) -> None:
    """Resolve an alert."""
    _move(alert_id, "resolved", note)


@alert_app.command("false-positive")
def alert_false_positive(alert_id: str, note: NoteOpt = None) -> None:
    """Close an alert as a false positive."""
    _move(alert_id, "false_positive", note)


@honeytoken_app.command("plant")
def honeytoken_plant(
    tenant: Annotated[str, typer.Option("--tenant", "-t", help="Tenant slug or id.")],
    record_type: Annotated[str, typer.Option("--type", help="Record type (schema).")],
    count: Annotated[int, typer.Option(min=1, max=100)] = 1,
) -> None:
    """Plant canary records through the normal vault write; reading one alerts at once."""
    ids = _monitor(platform()).plant_honeytokens(request(), tenant, record_type, count)
    out.print(f"planted {len(ids)} honeytoken record(s) in {tenant}/{record_type}")
