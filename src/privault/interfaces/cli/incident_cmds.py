"""``privault incident``: cases, impact, clocks, register, containment, notices, escalation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from privault.app.bootstrap import Platform
from privault.app.incidents import IncidentService
from privault.core.errors import InvalidInput
from privault.incidents import register as breach_register
from privault.incidents.impact import Selector
from privault.interfaces.cli.common import out, platform, request

incident_app = typer.Typer(help="Incident response and breach notification.", no_args_is_help=True)
Out = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]


def register(app: typer.Typer) -> None:
    """Add ``incident`` (once)."""
    if any(group.typer_instance is incident_app for group in app.registered_groups):
        return
    app.add_typer(incident_app, name="incident")


def _svc(p: Platform) -> IncidentService:
    existing = getattr(p, "incidents", None)
    if isinstance(existing, IncidentService):
        return existing
    return IncidentService(
        p.data, p.audit, p.authz, p.tenants, p.gate, p.identity, p.key_admin, p.clock
    )


def _when(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--{name} must be an ISO time (2026-01-31T08:00+01:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        out.print(text, markup=False, end="")
    else:
        output.write_text(text)
        out.print(f"wrote {output}")


@incident_app.command("open")
def open_cmd(
    title: Annotated[str, typer.Argument()] = "",
    severity: Annotated[str, typer.Option("--severity", "-s")] = "medium",
    alert: Annotated[str | None, typer.Option(help="Open from this alert id.")] = None,
    tenant: Annotated[str | None, typer.Option("--tenant", "-t")] = None,
    aware: Annotated[str | None, typer.Option(help="When you became aware (ISO).")] = None,
    since: Annotated[str | None, typer.Option(help="Breach window start (ISO).")] = None,
    until: Annotated[str | None, typer.Option(help="Breach window end (ISO).")] = None,
    flag: Annotated[list[str] | None, typer.Option(help="hipaa, nis2 or pci.")] = None,
) -> None:
    """Open an incident by hand or from an alert."""
    p = platform()
    inc = _svc(p).open(
        request(), title, severity, alert_id=alert, tenant=tenant, aware_at=_when(aware, "aware"),
        breach=(_when(since, "since"), _when(until, "until")), flags=flag or [],
    )  # fmt: skip
    out.print(inc.id)


@incident_app.command("list")
def list_cmd() -> None:
    """List incidents, newest first."""
    table = Table("id", "state", "severity", "title", "aware (UTC)")
    for i in _svc(platform()).list_incidents(request()):
        table.add_row(i.id, i.state, i.severity, i.title, i.aware_at.isoformat())
    out.print(table)


@incident_app.command("show")
def show_cmd(incident_id: str) -> None:
    """Show an incident, its team and its timeline (JSON)."""
    svc, ctx = _svc(platform()), request()
    inc = svc.get(ctx, incident_id)
    doc = {
        "id": inc.id, "title": inc.title, "state": inc.state, "severity": inc.severity,
        "aware_at": inc.aware_at.isoformat(), "review": inc.review, "impact": inc.impact,
        "team": [{"member": m.member, "role": m.role} for m in svc.team(ctx, incident_id)],
        "timeline": [{"ts": t.ts.isoformat(), "actor": t.actor, "kind": t.kind, "text": t.text}
                     for t in svc.timeline(ctx, incident_id)],
    }  # fmt: skip
    out.print(json.dumps(doc, indent=2, default=str), markup=False)


@incident_app.command("advance")
def advance_cmd(
    incident_id: str,
    state: str,
    review: Annotated[str | None, typer.Option(help="Post-incident review.")] = None,
) -> None:
    """Move an incident to its next state."""
    inc = _svc(platform()).advance(request(), incident_id, state, review=review)
    out.print(f"{inc.id} is {inc.state}")


@incident_app.command("assess")
def assess_cmd(
    incident_id: str,
    since: Annotated[str, typer.Option(help="Window start (ISO).")],
    until: Annotated[str, typer.Option(help="Window end (ISO).")],
    principal: Annotated[str | None, typer.Option()] = None,
    api_key: Annotated[str | None, typer.Option("--api-key")] = None,
    source: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Compute the impact from the audit trail (JSON)."""
    start, end = _when(since, "since"), _when(until, "until")
    assert start is not None and end is not None
    sel = Selector(start, end, principal, api_key, source)
    impact = _svc(platform()).assess(request(), incident_id, sel)
    out.print(json.dumps(impact, indent=2), markup=False)


@incident_app.command("clocks")
def clocks_cmd(
    incident_id: str, tz: Annotated[str | None, typer.Option(help="IANA zone for times.")] = None
) -> None:
    """Notification duties and their countdowns."""
    table = Table("rule", "applies", "due", "status", "reason")
    for c in _svc(platform()).clocks(request(), incident_id, tz):
        table.add_row(c["rule"], "yes" if c["applies"] else "no", c["due"] or c["deadline"],
                      c["status"], c["reason"])  # fmt: skip
    out.print(table)


@incident_app.command("register")
def register_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or csv.")] = "json",
    output: Out = None,
) -> None:
    """Export the breach register (every incident, notified or not)."""
    entries = _svc(platform()).register(request())
    if fmt not in ("json", "csv"):
        raise InvalidInput("--format must be json or csv")
    text = breach_register.to_json(entries) if fmt == "json" else breach_register.to_csv(entries)
    _emit(text, output)


@incident_app.command("contain")
def contain_cmd(incident_id: str, action: str, target: str) -> None:
    """Containment: disable-user, revoke-sessions, revoke-api-key, rotate-keys, freeze-exports."""
    out.print(_svc(platform()).contain(request(), incident_id, action, target), markup=False)


@incident_app.command("notice")
def notice_cmd(
    incident_id: str,
    kind: Annotated[str, typer.Option(help="authority, individual or letters.")] = "authority",
    contact: Annotated[str, typer.Option()] = "the data protection officer",
    organisation: Annotated[str, typer.Option()] = "our organisation",
    output: Out = None,
) -> None:
    """Draft a notice; ``--kind letters -o DIR`` writes one letter per affected individual."""
    svc, ctx = _svc(platform()), request()
    if kind != "letters":
        _emit(
            svc.notice(ctx, incident_id, kind, contact=contact, organisation=organisation), output
        )
        return
    if output is None:
        raise InvalidInput("letters need --output DIR")
    output.mkdir(parents=True, exist_ok=True)
    letters = svc.letters(ctx, incident_id, contact=contact, organisation=organisation)
    for n, (_sid, text) in enumerate(letters, 1):
        (output / f"letter-{n:05d}.txt").write_text(text)
    out.print(f"wrote {len(letters)} letter(s) to {output}")


@incident_app.command("team")
def team_cmd(
    incident_id: str,
    member: Annotated[str, typer.Argument(help="A principal, e.g. user:dora.")],
    role: Annotated[str, typer.Argument(help="lead, investigator, communications, legal, dpo, "
                                             "technical or observer.")],
) -> None:  # fmt: skip
    """Add a response-team member in a role (escalation notifies by role)."""
    _svc(platform()).add_member(request(), incident_id, member, role)
    out.print(f"{member} joined {incident_id} as {role}", markup=False)


@incident_app.command("notified")
def notified_cmd(
    incident_id: str,
    rule: Annotated[str, typer.Argument(help="A duty's rule id (see `incident clocks`).")],
    at: Annotated[str | None, typer.Option(help="When it was done (ISO; default now).")] = None,
    reference: Annotated[str | None, typer.Option(help="Case or filing reference.")] = None,
) -> None:
    """Record that a notification duty was fulfilled (its reminders stop)."""
    _svc(platform()).mark_notified(request(), incident_id, rule, _when(at, "at"), reference)
    out.print(f"{rule} recorded as notified for {incident_id}", markup=False)


@incident_app.command("ack")
def ack_cmd(incident_id: str) -> None:
    """Acknowledge an incident: records who and when, and stops its escalation."""
    ack = _svc(platform()).ack(request(), incident_id)
    out.print(f"{ack.incident_id} acknowledged by {ack.by} at level {ack.level}", markup=False)


@incident_app.command("escalation")
def escalation_cmd(incident_id: str) -> None:
    """Escalation state: level, acknowledgement, next level due, failed deliveries (JSON)."""
    doc = _svc(platform()).escalation(request(), incident_id)
    out.print(json.dumps(doc, indent=2), markup=False)


@incident_app.command("tick")
def tick_cmd() -> None:
    """Send due escalations and clock reminders once (exit 1 if a delivery failed).

    Idempotent: nothing is sent twice; failed deliveries are retried on the next
    tick. `privault serve` runs this every 5 minutes (--incident-tick-every).
    """
    report = _svc(platform()).tick(request())
    out.print(
        f"{report.incidents} open incident(s): {report.stages} new notification(s), "
        f"{report.sent} sent, {report.failed} failed, {report.skipped} skipped"
    )
    if report.failed:
        raise typer.Exit(1)


matrix_app = typer.Typer(help="The escalation matrix (who is notified, and who next).")
incident_app.add_typer(matrix_app, name="matrix")


@matrix_app.command("show")
def matrix_show_cmd() -> None:
    """Print the matrix in force (this installation's file, else the shipped one)."""
    source, text = _svc(platform()).matrix_text()
    out.print(f"# source: {source}", markup=False)
    out.print(text, markup=False, end="")


@matrix_app.command("check")
def matrix_check_cmd(file: Path) -> None:
    """Validate a matrix file without installing it (exit 2 if invalid)."""
    matrix = IncidentService.check_matrix(_read(file), str(file))
    levels = ", ".join(f"{sev}: {len(lv)}" for sev, lv in matrix.levels.items())
    out.print(f"{file} is valid (levels {levels}; {len(matrix.reminders)} reminder(s))")


@matrix_app.command("apply")
def matrix_apply_cmd(file: Path) -> None:
    """Validate a matrix file and install it (the server reads it at its next tick)."""
    _svc(platform()).apply_matrix(request(), _read(file))
    out.print(f"installed the escalation matrix from {file}")


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except OSError:
        raise InvalidInput(f"cannot read {file}") from None
