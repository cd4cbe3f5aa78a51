"""``privault trace FILE``: name the marked export a leaked table file came from.

Calls :meth:`privault.app.exports.ExportService.trace`. Prints the verdict and
the evidence (per export: distinct values tested, values carrying its mark,
the p-value; per column: counts and a few row numbers) — never cell values.
Exit 0 when an export is named, 1 when no recorded export matches.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from privault.app.exports import TraceResult
from privault.deid.fingerprint_detect import ALPHA, ExportScore
from privault.interfaces.cli.common import out, platform, request

__all__ = ["register"]


def _evidence(score: ExportScore) -> str:
    parts = []
    for col in score.columns:
        rows = ", ".join(str(r) for r in col.rows)
        where = f" (rows {rows})" if rows and col.matched else ""
        parts.append(f"{col.column}: {col.matched}/{col.cells}{where}")
    return "; ".join(parts) or "no column of the file was tested"


def _render(result: TraceResult, top: int) -> None:
    verdict = result.attribution
    table = Table(title=f"{verdict.rows} row(s) sampled, {result.exports} recorded export(s)")
    table.add_column("export", no_wrap=True)
    for head in ("marked values", "p-value", "adjusted", "evidence"):
        table.add_column(head, overflow="fold")
    for score in verdict.scores[:top]:
        table.add_row(
            score.export_id,
            f"{score.matched}/{score.cells}",
            f"{score.p_value:.2e}",
            f"{score.adjusted:.2e}",
            _evidence(score),
        )
    out.print(table)
    if result.unverifiable:
        out.print(f"skipped (key no longer matches the record): {', '.join(result.unverifiable)}")
    record = result.export
    if record is None:
        out.print(f"no recorded export matches (false-attribution bound {verdict.alpha:.0e})")
        return
    best = verdict.scores[0]
    out.print(
        f"attributed to export {record.id}: confidence >= 1 - {best.adjusted:.1e} "
        f"(false-attribution bound {verdict.alpha:.0e}); "
        f"{best.matched} of {best.cells} distinct values carry its mark"
    )
    out.print(
        f"made by {record.actor} at {record.created_at.isoformat()} (project {record.project}): "
        f"{record.source} -> {record.dest} ({record.dest_format}, {record.rows_out} rows), "
        f"policy sha256 {record.policy_fingerprint[:16]}, marked columns "
        f"{', '.join(record.columns)}"
    )


def _as_json(result: TraceResult) -> dict[str, Any]:
    verdict = result.attribution
    record = result.export
    return {
        "export": verdict.export_id,
        "confidence": verdict.confidence,
        "alpha": verdict.alpha,
        "rows": verdict.rows,
        "exports_tested": result.exports,
        "unverifiable": list(result.unverifiable),
        "record": None
        if record is None
        else {
            "id": record.id,
            "actor": record.actor,
            "created_at": record.created_at.isoformat(),
            "project": record.project,
            "source": record.source,
            "dest": record.dest,
            "columns": list(record.columns),
            "policy_fingerprint": record.policy_fingerprint,
        },
        "scores": [
            {
                "export": s.export_id,
                "cells": s.cells,
                "matched": s.matched,
                "p_value": s.p_value,
                "adjusted": s.adjusted,
                "columns": [
                    {"column": c.column, "cells": c.cells, "matched": c.matched} for c in s.columns
                ],
            }
            for s in verdict.scores
        ],
    }


def trace(
    file: Annotated[Path, typer.Argument(help="A leaked CSV, JSONL, Parquet or XLSX file.")],
    sample: Annotated[
        int, typer.Option("--sample", "-n", min=1, help="Rows drawn from the file (seeded).")
    ] = 200,
    alpha: Annotated[
        float,
        typer.Option(min=1e-300, max=0.5, help="Bound on the chance of naming a wrong export."),
    ] = ALPHA,
    fmt: Annotated[str | None, typer.Option("--format", help="Override the extension.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    top: Annotated[int, typer.Option(min=1, help="Exports shown in the table.")] = 5,
) -> None:
    """Name the marked export (privault mask --fingerprint) FILE came from.

    Exit 0 when an export is named, 1 when no recorded export matches.
    """
    result = platform().exports.trace(request(), file, sample=sample, alpha=alpha, fmt=fmt)
    if as_json:
        out.print_json(json.dumps(_as_json(result)))
    else:
        _render(result, top)
    if result.export is None:
        raise typer.Exit(1)


def exports() -> None:
    """List the marked exports privault trace can name (who, when, where, which columns)."""
    records = platform().exports.exports(request())
    for r in records:
        out.print(
            f"{r.id}  {r.created_at.isoformat(timespec='seconds')}  {r.actor}  "
            f"{Path(r.source).name} -> {Path(r.dest).name}  "
            f"marked: {', '.join(r.columns)}  {r.rows_out} rows",
            markup=False,
            soft_wrap=True,
        )
    if not records:
        out.print("no marked exports recorded (privault mask --fingerprint)")


def register(app: typer.Typer) -> None:
    """Add ``trace`` and ``exports`` to the main ``privault`` app."""
    app.command("trace")(trace)
    app.command("exports")(exports)
