"""``privault lifecycle|consent|dsr|minimize``: retention, consent, data-subject requests."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from privault.app.lifecycle import Lifecycle, lifecycle_for, load_policies
from privault.core.errors import InvalidInput
from privault.interfaces.cli.common import out, platform, request

lifecycle_app = typer.Typer(help="Retention runs, legal holds, certificates.", no_args_is_help=True)
consent_app = typer.Typer(help="Consent and opt-out per subject and purpose.", no_args_is_help=True)
dsr_app = typer.Typer(help="Data-subject requests (GDPR, CCPA).", no_args_is_help=True)
minimize_app = typer.Typer(help="Data minimization.", no_args_is_help=True)

Tenant = Annotated[str, typer.Option("--tenant", "-t", help="Tenant slug or id.")]
AnyTenant = Annotated[str | None, typer.Option("--tenant", "-t", help="Tenant slug or id.")]
Subject = Annotated[str | None, typer.Option("--subject", help="A data subject id.")]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write here (else stdout).")]


def register(app: typer.Typer) -> None:
    """Add the ``lifecycle``, ``consent``, ``dsr`` and ``minimize`` groups (once)."""
    if any(group.typer_instance is lifecycle_app for group in app.registered_groups):
        return
    app.add_typer(lifecycle_app, name="lifecycle")
    app.add_typer(consent_app, name="consent")
    app.add_typer(dsr_app, name="dsr")
    app.add_typer(minimize_app, name="minimize")


def _life(policy: Path | None = None) -> Lifecycle:
    p = platform()
    return lifecycle_for(p, load_policies(policy) if policy else None)


def _emit(text: str | bytes, output: Path | None) -> None:
    if output is None:
        out.print(text if isinstance(text, str) else text.decode("latin-1"), markup=False)
    elif isinstance(text, bytes):
        output.write_bytes(text)
    else:
        output.write_text(text, encoding="utf-8")


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title)
    for c in columns:
        table.add_column(c)
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    out.print(table)


# -- lifecycle ----------------------------------------------------------------------
@lifecycle_app.command("run")
def lifecycle_run(
    tenant: Tenant,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would go.")] = False,
    batch_size: Annotated[int, typer.Option(help="Records per batch.")] = 500,
    policy: Annotated[
        Path | None, typer.Option(help="Policy YAML (default retention.yaml).")
    ] = None,
) -> None:
    """Destroy due records (crypto-shredding, deletion); resumes a stopped run."""
    report = _life(policy).retention.run(request(), tenant, dry_run=dry_run, batch_size=batch_size)
    if dry_run:
        _table(
            f"{len(report.due)} record(s) due ({report.held} held)",
            ["record", "type", "rule", "due on"],
            [[d.record_id, d.record_type, d.rule, d.due_on] for d in report.due],
        )
        return
    cert = report.certificate or {}
    verb = "resumed run" if report.resumed else "run"
    out.print(
        f"{verb} {report.run_id}: {report.destroyed} destroyed, {report.gone} already gone, "
        f"{report.held} held; certificate {cert.get('id')}"
    )


@lifecycle_app.command("hold")
def lifecycle_hold(
    tenant: Tenant,
    reason: Annotated[str, typer.Option(help="Case or matter reference.")],
    subject: Subject = None,
) -> None:
    """Place a legal hold on a tenant (or one subject): nothing held is destroyed."""
    hold = _life().retention.hold(request(), tenant, reason, subject)
    out.print(f"hold {hold.id} placed")


@lifecycle_app.command("release")
def lifecycle_release(tenant: Tenant, subject: Subject = None) -> None:
    """Release the legal holds on a tenant (or one subject)."""
    out.print(f"{_life().retention.release(request(), tenant, subject)} hold(s) released")


@lifecycle_app.command("certificate")
def lifecycle_certificate(
    tenant: Tenant,
    cert_id: Annotated[str, typer.Argument(help="Certificate id or run id.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or pdf.")] = "json",
    output: Output = None,
) -> None:
    """Export a signed destruction certificate as JSON or PDF."""
    certs = _life().certificates
    if fmt == "pdf":
        if output is None:
            raise InvalidInput("a PDF needs --output FILE")
        _emit(certs.pdf(request(), tenant, cert_id), output)
    elif fmt == "json":
        _emit(json.dumps(certs.get(request(), tenant, cert_id), indent=2, sort_keys=True), output)
    else:
        raise InvalidInput("--format is json or pdf")


# -- consent ------------------------------------------------------------------------
@consent_app.command("set")
def consent_set(
    tenant: Tenant,
    subject: Annotated[str, typer.Argument(help="Data subject id.")],
    purpose: Annotated[str, typer.Argument(help="marketing, analytics, sale, share, …")],
    decision: Annotated[str, typer.Argument(help="granted or withdrawn (opt-in, opt-out).")],
    method: Annotated[str, typer.Option(help="form, api, import, gpc, dsr, cli.")] = "cli",
    source: Annotated[str, typer.Option(help="Where the choice was collected.")] = "",
) -> None:
    """Record a subject's choice for one purpose."""
    change = _life().consent.set(
        request(), tenant, subject, purpose, decision, method=method, source=source
    )
    out.print(f"{change.purpose}: {change.decision} ({change.method}) recorded as {change.id}")


@consent_app.command("import")
def consent_import(
    tenant: Tenant,
    file: Annotated[Path, typer.Argument(help="CSV with a header, or JSONL (.jsonl).")],
) -> None:
    """Record many choices from a file: subject, purpose, decision[, method, source].

    All or nothing: every row is checked first, and an error names the row.
    """
    rows = _rows(file)
    count = _life().consent.import_rows(request(), tenant, rows, source=file.name)
    out.print(f"{count} consent choice(s) recorded from {file.name}", markup=False)


@consent_app.command("list")
def consent_list(tenant: Tenant, subject: Subject = None) -> None:
    """Current choices."""
    rows = _life().consent.current(request(), tenant, subject)
    _table("consent", ["subject", "purpose", "decision", "since"], [list(r) for r in rows])


@consent_app.command("history")
def consent_history(tenant: Tenant, subject: Subject = None) -> None:
    """Every recorded choice: who, when, how."""
    rows = _life().consent.history(request(), tenant, subject)
    _table(
        "consent history",
        ["at", "subject", "purpose", "decision", "method", "source", "actor"],
        [[c.at, c.subject_id, c.purpose, c.decision, c.method, c.source, c.actor] for c in rows],
    )


# -- data-subject requests ------------------------------------------------------------
@dsr_app.command("open")
def dsr_open(
    tenant: Tenant,
    subject: Annotated[str, typer.Argument(help="Data subject id.")],
    kind: Annotated[
        str, typer.Argument(help="access, rectification, erasure, restriction, opt_out_sale.")
    ],
    law: Annotated[str, typer.Option(help="gdpr or ccpa.")] = "gdpr",
    received: Annotated[str | None, typer.Option(help="Day received (YYYY-MM-DD).")] = None,
) -> None:
    """Register a request; it waits for identity verification."""
    day = _day(received)
    req = _life().dsr.open(request(), tenant, subject, kind, law=law, received_on=day)
    out.print(f"{req.id} {req.kind} ({req.law}) {req.state}, due {req.due_on}")


@dsr_app.command("verify")
def dsr_verify(
    tenant: Tenant,
    dsr_id: str,
    method: Annotated[str, typer.Option(help="id-document, email-link, account-login, …")],
    note: Annotated[str, typer.Option(help="What was checked (no document numbers).")] = "",
) -> None:
    """Record that the requester's identity was verified, and how."""
    req = _life().dsr.verify(request(), tenant, dsr_id, method=method, note=note)
    out.print(f"{req.id} {req.state} by {req.verified_by} ({req.verification_method})")


@dsr_app.command("advance")
def dsr_advance(
    tenant: Tenant,
    dsr_id: str,
    record: Annotated[str | None, typer.Option(help="Record to rectify.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="field=value (rectify).")] = None,
    connection: Annotated[
        list[str] | None, typer.Option(help="SOURCE=URL to connect with (erasure).")
    ] = None,
    output: Output = None,
) -> None:
    """Carry out a verified request (an access bundle goes to --output)."""
    changes = dict(_pair(s, "--set") for s in set_ or [])
    conns = dict(_pair(c, "--connection") for c in connection or [])
    done = _life().dsr.advance(
        request(), tenant, dsr_id, record_id=record, changes=changes or None, connections=conns
    )
    if done.bundle is not None:
        _emit(json.dumps(done.bundle, indent=2, default=str), output)
    out.print(f"{done.request.id} {done.request.state}", markup=False)


@dsr_app.command("extend")
def dsr_extend(
    tenant: Tenant, dsr_id: str, reason: Annotated[str, typer.Option(help="Told to the subject.")]
) -> None:
    """Extend the deadline as far as the law allows (once)."""
    req = _life().dsr.extend(request(), tenant, dsr_id, reason)
    out.print(f"{req.id} now due {req.due_on}")


@dsr_app.command("lift-restriction")
def dsr_lift_restriction(
    tenant: Tenant,
    dsr_id: str,
    reason: Annotated[str, typer.Option(help="Why processing may resume (kept on the request).")],
    informed: Annotated[
        bool, typer.Option("--subject-informed", help="Confirm the subject was told first.")
    ] = False,
) -> None:
    """Lift the restriction of a completed restriction request (GDPR Art. 18(3))."""
    req = _life().dsr.lift_restriction(request(), tenant, dsr_id, reason, informed=informed)
    out.print(f"{req.id}: restriction lifted")


@dsr_app.command("reject")
def dsr_reject(tenant: Tenant, dsr_id: str, reason: Annotated[str, typer.Option()]) -> None:
    """Close a request without acting on it."""
    out.print(f"{_life().dsr.reject(request(), tenant, dsr_id, reason).id} rejected")


@dsr_app.command("export")
def dsr_export(tenant: Tenant, dsr_id: str, output: Output = None) -> None:
    """Write the access bundle of a verified access request (JSON)."""
    bundle = _life().dsr.export(request(), tenant, dsr_id)
    _emit(json.dumps(bundle, indent=2, default=str), output)


@dsr_app.command("register")
def dsr_register(
    tenant: AnyTenant = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or csv.")] = "json",
    output: Output = None,
) -> None:
    """Export the register of requests."""
    _emit(_life().dsr.register(request(), tenant, fmt), output)


@dsr_app.command("list")
def dsr_list(
    tenant: AnyTenant = None,
    due_within: Annotated[int | None, typer.Option(help="Open requests due within N days.")] = None,
) -> None:
    """Requests by due date (reminders with --due-within)."""
    rows = _life().dsr.list(request(), tenant, due_within=due_within)
    _table(
        "data-subject requests",
        ["id", "kind", "law", "state", "received", "due", "extended"],
        [[r.id, r.kind, r.law, r.state, r.received_on, r.due_on, r.extended] for r in rows],
    )


@dsr_app.command("map")
def dsr_map(
    tenant: Tenant,
    source: Annotated[str, typer.Argument(help="Source as the data map shows it.")],
    dataset: Annotated[str, typer.Argument(help="Dataset (schema.table).")],
    column: Annotated[str, typer.Argument(help="Column holding the subject id.")],
) -> None:
    """Map a discovered SQL dataset's subject column, so erasure reaches it."""
    m = _life().dsr.map_source(request(), tenant, source, dataset, column)
    out.print(f"erasure reaches {m.dataset} by {m.subject_column}", markup=False)


# -- minimization -------------------------------------------------------------------------
@minimize_app.command("report")
def minimize_report(
    tenant: Tenant,
    days: Annotated[int, typer.Option(help="Unread for this many days.")] = 90,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Fields without purpose or unread, PII outside the vault, duplicate copies."""
    report = _life().minimization.report(request(), tenant, days=days)
    if as_json:
        _emit(json.dumps(report.to_json(), indent=2), None)
        return
    _table(
        f"minimization ({len(report.findings)} finding(s))",
        ["kind", "where", "detail", "suggestion"],
        [[f.kind, f.target, f.detail, f.suggestion] for f in report.findings],
    )


def _rows(file: Path) -> list[dict[str, Any]]:
    """The rows of a CSV (with a header) or JSONL file; errors name the line, never values."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = type(exc).__name__
        raise InvalidInput(f"{file.name}: cannot read it as UTF-8 text ({reason})") from None
    if file.suffix.lower() in (".jsonl", ".ndjson"):
        rows: list[dict[str, Any]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise InvalidInput(f"{file.name} line {number}: not JSON") from None
            if not isinstance(row, dict):
                raise InvalidInput(f"{file.name} line {number}: not a JSON object")
            rows.append(row)
        return rows
    reader = csv.DictReader(io.StringIO(text))
    missing = {"subject", "purpose", "decision"} - set(reader.fieldnames or ())
    if missing:
        raise InvalidInput(f"{file.name}: the header lacks {', '.join(sorted(missing))}")
    return list(reader)


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise InvalidInput(f"{option} takes NAME=VALUE")
    return name, value


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("--received must be a date (YYYY-MM-DD)") from None
