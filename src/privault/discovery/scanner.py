"""The scan: targets -> connectors -> tables -> profiles -> classified datasets.

Pure: no database, no settings. A corrupt or unreadable input becomes a
:class:`~privault.discovery.ScanIssue` and the scan goes on; a target that
cannot be reached at all (missing path, bad URL or credentials) raises before
any work, so the caller can stop with one clear error.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from privault.core.errors import PrivaultError
from privault.discovery._types import (
    ColumnResult,
    DatasetResult,
    ProgressFn,
    ScanIssue,
    ScanOptions,
    ScanResult,
    Table,
)
from privault.discovery.category import categorize, sensitivity
from privault.discovery.classify import classify_column, freeform_types, is_text
from privault.discovery.connectors import plan_target
from privault.discovery.profile import ColumnStats, Profiler
from privault.discovery.targets import Entry, Plan

__all__ = ["scan", "scan_table"]


def scan(
    targets: Sequence[str], options: ScanOptions | None = None, progress: ProgressFn | None = None
) -> ScanResult:
    """Scan every target and classify what it holds.

    Args:
        targets: paths (files, directories), SQLAlchemy URLs, ``s3://`` URLs.
        options: sampling and filtering (defaults: sample of 10,000 rows).
        progress: called after each entry with (name, done, total).

    Raises:
        NotFound: a path does not exist.
        InvalidInput: a URL is malformed or the database/bucket refuses access.

    """
    options = options or ScanOptions()
    plans: list[Plan] = []
    try:
        for target in targets:
            plans.append(plan_target(target, options))
        return _run(plans, options, progress)
    finally:
        for plan in plans:
            if plan.close is not None:
                plan.close()


def _run(plans: list[Plan], options: ScanOptions, progress: ProgressFn | None) -> ScanResult:
    datasets: list[DatasetResult] = []
    issues: list[ScanIssue] = []
    total = sum(len(p.entries) for p in plans)
    done = 0
    with tempfile.TemporaryDirectory(prefix="privault-scan-") as tmp:
        for plan in plans:
            for entry in plan.entries:
                found, problems = _scan_entry(plan.source, entry, Path(tmp), options)
                datasets += found
                issues += problems
                done += 1
                if progress is not None:
                    progress(entry.name, done, total)
    return ScanResult(
        tuple(datasets),
        tuple(issues),
        sum(p.skipped for p in plans),
        tuple((p.source, p.kind) for p in plans),
    )


def _reason(exc: Exception) -> str:
    """A short reason that never quotes content (parser messages can)."""
    if isinstance(exc, PrivaultError):
        return exc.message
    if isinstance(exc, OSError):
        return f"unreadable ({exc.strerror or type(exc).__name__})"
    return f"unreadable or corrupt ({type(exc).__name__})"


def _scan_entry(
    source: str, entry: Entry, work: Path, options: ScanOptions
) -> tuple[list[DatasetResult], list[ScanIssue]]:
    found: list[DatasetResult] = []
    issues: list[ScanIssue] = []
    try:
        tables = entry.open(work)
        # Any failure of a reader or parser is about this input only: record and go on.
        for table in tables:
            try:
                found.append(scan_table(table, source, options))
            except Exception as exc:
                issues.append(ScanIssue(table.name, _reason(exc)))
    except Exception as exc:
        issues.append(ScanIssue(entry.name, _reason(exc)))
    finally:
        if entry.close is not None:
            entry.close()
    return found, issues


def _profile(table: Table, options: ScanOptions) -> tuple[Profiler, int]:
    profiler = Profiler(seed=options.seed, text_values=options.freeform_values)
    if options.full:
        rows = 0
        for batch in table.batches(options.batch_rows):
            profiler.add(batch)
            rows += batch.height
        return profiler, rows
    frame, rows = table.sample(options.sample_size, options.seed)
    profiler.add(frame)
    return profiler, rows


def _column(name: str, stats: ColumnStats, document: bool) -> ColumnResult:
    col = classify_column(name, stats)
    if col.pii_type is not None or not (document or is_text(stats)):
        return col
    types, share = freeform_types(stats.texts.items)
    why = f"text analyzer found {', '.join(types)}" if types else "free text without PII"
    return replace(
        col, freeform_pii=types, match_ratio=round(share, 3), reasons=(*col.reasons, why)
    )


def scan_table(table: Table, source: str, options: ScanOptions) -> DatasetResult:
    """Profile and classify one table."""
    profiler, rows = _profile(table, options)
    columns = tuple(_column(n, s, table.document) for n, s in profiler.columns.items())
    category, reasons = categorize(columns, profiler.columns, document=table.document)
    level = sensitivity(t for c in columns for t in c.pii_types)
    return DatasetResult(source, table.name, category, reasons, level, rows, columns, options.full)
