"""``privault compliance check|report|transparency``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from privault.app.bootstrap import Platform
from privault.app.compliance import ComplianceService, load_settings
from privault.compliance import render
from privault.compliance.scoring import Assessment
from privault.core.errors import InvalidInput
from privault.interfaces.cli.common import out, platform, request

compliance_app = typer.Typer(
    help="Compliance checks on the live system, reports, transparency page.",
    no_args_is_help=True,
)

TenantOpt = Annotated[str | None, typer.Option("--tenant", "-t", help="Tenant slug or id.")]
FrameworkOpt = Annotated[
    str | None, typer.Option("--framework", "-f", help="gdpr, ccpa, hipaa or pci-dss.")
]
TrainingOpt = Annotated[
    Path | None, typer.Option("--training", help="Training records CSV: name,course,completed_on.")
]
TlsOpt = Annotated[
    bool | None, typer.Option("--tls/--no-tls", help="Whether the server serves over TLS.")
]


def register(app: typer.Typer) -> None:
    """Add the ``compliance`` group (once)."""
    if any(group.typer_instance is compliance_app for group in app.registered_groups):
        return
    app.add_typer(compliance_app, name="compliance")


def _service(
    p: Platform, training: Path | None, tls: bool | None, **extra: Any
) -> ComplianceService:
    existing = getattr(p, "compliance", None)
    if isinstance(existing, ComplianceService) and training is None and tls is None:
        return existing
    settings = load_settings(p.settings.data_dir, training_csv=training, tls_enabled=tls, **extra)
    return ComplianceService(p, settings)


def _json(a: Assessment) -> dict[str, Any]:
    return {
        "framework": a.framework or "all",
        "tenant": a.tenant,
        "at": a.at.isoformat(),
        "score": a.score,
        "level": a.level,
        "audit_ref": a.audit_ref,
        "failing": a.failing,
        "controls": [
            {
                "id": r.control.id,
                "check": r.control.check,
                "status": r.result.status,
                "explanation": r.result.explanation,
                "evidence": r.result.evidence,
            }
            for r in a.rows
        ],
    }


def _table(a: Assessment) -> None:
    table = Table("control", "status", "explanation")
    colour = {"pass": "green", "fail": "red", "not-applicable": "dim"}
    for r in a.rows:
        s = r.result.status
        table.add_row(r.control.id, f"[{colour[s]}]{s}[/]", r.result.explanation)
    out.print(table)
    out.print(f"score {a.score}/100, risk {a.level} (audit event {a.audit_ref})")


@compliance_app.command("check")
def check(
    framework: FrameworkOpt = None,
    tenant: TenantOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    training: TrainingOpt = None,
    tls: TlsOpt = None,
) -> None:
    """Run the control checks; exit 1 when a control fails."""
    if fmt not in ("table", "json"):
        raise InvalidInput("--format must be table or json")
    p = platform()
    try:
        a = _service(p, training, tls).check(request(), framework, tenant)
    finally:
        p.close()
    if fmt == "json":
        typer.echo(json.dumps(_json(a), indent=2, default=str))
    else:
        _table(a)
    if a.failing:
        raise typer.Exit(1)


@compliance_app.command("report")
def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="FILE.html or FILE.pdf.")],
    framework: FrameworkOpt = None,
    tenant: TenantOpt = None,
    training: TrainingOpt = None,
    tls: TlsOpt = None,
) -> None:
    """Run the checks and write an evidence report (HTML or PDF) with the score's trend."""
    suffix = output.suffix.lower()
    if suffix not in (".html", ".pdf"):
        raise InvalidInput("--output must end in .html or .pdf")
    p = platform()
    try:
        svc = _service(p, training, tls)
        ctx = request()
        a = svc.check(ctx, framework, tenant)
        trend = svc.trend(ctx, framework, tenant)
    finally:
        p.close()
    if suffix == ".pdf":
        output.write_bytes(render.report_pdf(a, trend))
    else:
        output.write_text(render.report_html(a, trend), encoding="utf-8")
    out.print(f"wrote {output}: score {a.score}/100, {len(a.failing)} failing control(s)")


@compliance_app.command("transparency")
def transparency(
    tenant: Annotated[str, typer.Option("--tenant", "-t", help="Tenant slug or id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="FILE.html.")],
    contact: Annotated[str | None, typer.Option(help="Privacy contact shown.")] = None,
    tls: TlsOpt = None,
) -> None:
    """Write the customer-facing transparency page from the live configuration."""
    p = platform()
    try:
        facts = _service(p, None, tls).transparency(request(), tenant, contact)
    finally:
        p.close()
    output.write_text(render.transparency_html(facts), encoding="utf-8")
    out.print(f"wrote {output}")
