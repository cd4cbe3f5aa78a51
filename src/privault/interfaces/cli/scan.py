"""``privault scan``: find PII in files, databases and buckets; print a summary, JSON or SARIF.

Exit codes: 0 scanned (unreadable inputs are listed, the scan goes on);
1 a ``--fail-on`` type was found; 2 usage or input error (missing path, bad
database URL or credentials). Values are never printed; URLs lose their password.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from privault.app.discovery import ScanReport
from privault.core.entities import check_entity_type
from privault.core.errors import InvalidInput
from privault.interfaces.cli import common

__all__ = ["register"]

_FORMATS = ("table", "json", "sarif")


def _fail_types(fail_on: str | None) -> frozenset[str] | None:
    if not fail_on:
        return None
    names = [n.strip().upper() for n in fail_on.split(",") if n.strip()]
    if "ANY" in names:
        return frozenset({"ANY"})
    return frozenset(check_entity_type(n) for n in names)


def _summary(report: ScanReport) -> None:
    table = Table(title=f"{len(report.datasets)} table(s) scanned")
    for name in ("table", "category", "sensitivity", "rows", "PII columns"):
        table.add_column(name, overflow="fold")
    for d in report.datasets:
        pii = [f"{c.name}: {c.pii_type}" for c in d.columns if c.pii_type]
        pii += [
            f"{c.name}: text with {'/'.join(c.freeform_pii)}" for c in d.columns if c.freeform_pii
        ]
        table.add_row(d.name, d.category, d.sensitivity, str(d.row_count), "\n".join(pii) or "-")
    common.out.print(table)
    for issue in report.issues:
        common.out.print(f"[yellow]unreadable:[/] {issue.target} ({issue.reason})")
    if report.skipped:
        common.out.print(f"skipped {report.skipped} file(s) of unknown format")
    for change in report.changes:
        common.out.print(f"[cyan]changed:[/] {change.describe()}")


def _with_progress(
    call: Callable[[Callable[[str, int, int | None], None]], ScanReport],
) -> ScanReport:
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=common.err,
        transient=True,
    ) as bar:
        task = bar.add_task("scanning", total=None)

        def progress(label: str, done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total, description=label[-40:])

        return call(progress)


def scan(
    targets: Annotated[list[str], typer.Argument(help="Paths, SQLAlchemy URLs or s3:// URLs.")],
    tenant: Annotated[str | None, typer.Option("--tenant", "-t", help="Keep a data map.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or sarif.")] = "table",
    full: Annotated[bool, typer.Option("--full", help="Read every row, not a sample.")] = False,
    sample: Annotated[int, typer.Option("--sample", min=1, help="Rows per table.")] = 10_000,
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", help="Exit 1 if these types (or ANY) are found.")
    ] = None,
    include: Annotated[list[str] | None, typer.Option(help="Glob files must match.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Glob of files to skip.")] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="local (this process) or spark (datasets on Spark).")
    ] = "local",
    spark_master: Annotated[
        str, typer.Option("--spark-master", help="With --engine spark: local[*] or a cluster URL.")
    ] = "local[*]",
) -> None:
    """Scan PATHS/URLs for customer data: per column a PII type, per table a category.

    With --engine spark each target is one dataset (a Parquet/CSV directory,
    s3://bucket/prefix or URL::TABLE) scanned on Spark partitions.
    """
    if fmt not in _FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; valid: {', '.join(_FORMATS)}")
    if engine not in ("local", "spark"):
        raise InvalidInput(f"unknown engine {engine!r}; valid: local, spark")
    wanted = _fail_types(fail_on)
    if engine == "spark":
        if tenant or include or exclude:
            raise InvalidInput("--tenant, --include and --exclude work with --engine local only")
        from privault.interfaces.cli.spark_cmds import scan_on_spark

        report = _with_progress(
            lambda progress: scan_on_spark(
                targets, full=full, sample=sample, master=spark_master, progress=progress
            )
        )
        _render(report, fmt, wanted)
        return
    p = common.platform()
    try:
        service = p.discovery
        report = _with_progress(
            lambda progress: service.scan(
                common.request(),
                targets,
                tenant=tenant,
                full=full,
                sample_size=sample,
                progress=progress,
                include=tuple(include or ()),
                exclude=tuple(exclude or ()),
            )
        )
    finally:
        p.close()
    _render(report, fmt, wanted)


def _render(report: ScanReport, fmt: str, wanted: frozenset[str] | None) -> None:
    if fmt == "table":
        _summary(report)
    else:
        doc = report.to_json() if fmt == "json" else report.to_sarif()
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    if wanted and (report.types if "ANY" in wanted else report.types & wanted):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``scan`` command to the main ``privault`` Typer app."""
    app.command("scan")(scan)
