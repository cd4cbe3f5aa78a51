"""Masked copies of table files: plan, (optionally) reach k, stream, measure, report.

```
policy + schema ─► plan_table (validate every rule, bind keys) ── errors here,
        │                                                         before any write
        ├─ --k: pass 1 reads the quasi-identifiers, masks them, plans levels
        ▼
 batches ─► TablePlan.apply ─► KPlan.apply ─► TableWriter ─► DEST
        └─► quasi-identifier + sensitive columns kept ─► measure_risk ─► MaskReport
```
A failed copy leaves no file behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.deid.files import (
    FileFormat,
    TableWriter,
    count_rows,
    format_of,
    read_batches,
    read_schema,
)
from privault.deid.fingerprint import ExportMark
from privault.deid.kanon import KPlan, plan_k_anonymity
from privault.deid.keys import DeidKeys
from privault.deid.policy import Policy
from privault.deid.report import ColumnReport, KReport, MaskReport
from privault.deid.risk import measure_risk
from privault.deid.table import TablePlan, plan_table

__all__ = ["MaskOptions", "Progress", "column_reports", "mask_file"]

Progress = Callable[[int, int | None], None]
"""Called with (rows done, total rows or None) after each batch."""


@dataclass(frozen=True, slots=True)
class MaskOptions:
    """Options of one masked copy (each overrides the policy's own, if set).

    Attributes:
        pii_types: column -> PII type (e.g. from a scan).
        quasi_identifiers: columns risk is measured over.
        sensitive: columns l-diversity and t-closeness are measured on.
        k: generalise quasi-identifiers until every class has k rows.
        max_suppression: share of rows that may be dropped to reach k.
        source_format: override the source's extension.
        dest_format: override the destination's extension.
        batch_rows: rows per streamed batch.

    """

    pii_types: Mapping[str, str] = field(default_factory=dict)
    quasi_identifiers: tuple[str, ...] | None = None
    sensitive: tuple[str, ...] | None = None
    k: int | None = None
    max_suppression: float | None = None
    source_format: str | None = None
    dest_format: str | None = None
    batch_rows: int = 50_000


@dataclass(frozen=True, slots=True)
class _Risk:
    quasi: tuple[str, ...]
    sensitive: tuple[str, ...]
    k: int | None
    max_suppression: float


def _risk_spec(policy: Policy, opts: MaskOptions, plan: TablePlan) -> _Risk:
    spec = policy.risk
    quasi = opts.quasi_identifiers if opts.quasi_identifiers is not None else spec.quasi_identifiers
    sens = opts.sensitive if opts.sensitive is not None else spec.sensitive
    k = opts.k if opts.k is not None else spec.k
    if k is not None and not quasi:
        raise InvalidInput("k-anonymity needs quasi-identifier columns (--quasi)")
    kept = {c.column for c in plan.columns if c.action != "drop"}
    absent = [c for c in (*quasi, *sens) if c not in kept]
    if absent:
        raise InvalidInput(f"risk column(s) missing or dropped: {', '.join(absent)}")
    budget = opts.max_suppression if opts.max_suppression is not None else spec.max_suppression
    return _Risk(tuple(quasi), tuple(sens), k, budget)


def _plan_k(source: Path, fmt: FileFormat, plan: TablePlan, risk: _Risk, batch: int) -> KPlan:
    quasi = frozenset(risk.quasi)
    parts = [plan.apply(b, only=quasi) for b in read_batches(source, fmt, batch)]
    data = pl.concat(parts) if parts else pl.DataFrame()
    assert risk.k is not None  # only called with a k
    return plan_k_anonymity(data.select(risk.quasi), risk.k, max_suppression=risk.max_suppression)


@dataclass(frozen=True, slots=True)
class _Job:
    source: Path
    dest: Path
    fmt_in: FileFormat
    fmt_out: FileFormat
    plan: TablePlan
    kplan: KPlan | None
    risk: _Risk
    batch_rows: int


def _stream(job: _Job, progress: Progress | None) -> tuple[int, int, list[pl.DataFrame]]:
    """Second pass: mask, generalise, write, keep the risk columns."""
    total = count_rows(job.source, job.fmt_in) if progress is not None else None
    writer = TableWriter(job.dest, job.fmt_out)
    rows_in = rows_out = 0
    kept: list[pl.DataFrame] = []
    measured = [*job.risk.quasi, *(c for c in job.risk.sensitive if c not in job.risk.quasi)]
    try:
        for batch in read_batches(job.source, job.fmt_in, job.batch_rows):
            masked = job.plan.apply(batch)
            if job.kplan is not None:
                masked = job.kplan.apply(masked)
            writer.write(masked)
            rows_in += batch.height
            rows_out += masked.height
            if measured:
                kept.append(masked.select(measured))
            if progress is not None:
                progress(rows_in, total)
        writer.close()
    except BaseException:
        writer.abort()
        raise
    return rows_in, rows_out, kept


def column_reports(plan: TablePlan) -> tuple[ColumnReport, ...]:
    """What the plan did to each column, for a :class:`MaskReport`."""
    return tuple(
        ColumnReport(
            c.column,
            c.action,
            c.describe(),
            c.reason,
            c.entity,
            plan.stats[c.column].changed,
            dict(plan.stats[c.column].entities),
        )
        for c in plan.columns
    )


def mask_file(
    source: Path,
    dest: Path,
    policy: Policy,
    *,
    key: Secret[bytes] | DeidKeys | None = None,
    options: MaskOptions | None = None,
    progress: Progress | None = None,
    mark: ExportMark | None = None,
) -> MaskReport:
    """Write a masked copy of the table file ``source`` to ``dest``.

    Args:
        source: CSV, JSONL, Parquet or XLSX file.
        dest: the copy to write (any of the same formats).
        policy: the validated policy.
        key: the project key for keyed operators (none: they refuse).
        options: PII types, risk columns, k, formats, batch size.
        progress: called after each batch.
        mark: an export's mark for its ``fake`` columns (leak tracing).

    Returns:
        What was transformed and how, with the measured risk.

    Raises:
        InvalidInput: a bad policy for this data, an unreadable source, or a
            keyed operator without a key; raised before ``dest`` is created.

    """
    opts = options or MaskOptions()
    started = time.perf_counter()
    fmt_in = format_of(source, opts.source_format)
    fmt_out = format_of(dest, opts.dest_format)
    keys = DeidKeys(key) if isinstance(key, Secret) else key
    plan = plan_table(policy, read_schema(source, fmt_in), keys=keys, pii_types=opts.pii_types)
    if mark is not None:
        plan = mark.mark(plan, keys)
    risk = _risk_spec(policy, opts, plan)
    kplan = _plan_k(source, fmt_in, plan, risk, opts.batch_rows) if risk.k else None
    job = _Job(source, dest, fmt_in, fmt_out, plan, kplan, risk, opts.batch_rows)
    rows_in, rows_out, kept = _stream(job, progress)
    measured = pl.concat(kept) if kept else None
    risk_report = None
    if risk.quasi and measured is not None:
        risk_report = measure_risk(measured, risk.quasi, risk.sensitive, k_target=risk.k)
    return MaskReport(
        source.name,
        dest.name,
        fmt_in,
        fmt_out,
        rows_in,
        rows_out,
        column_reports(plan),
        risk_report,
        KReport.of(kplan) if kplan is not None else None,
        round(time.perf_counter() - started, 3),
    )
