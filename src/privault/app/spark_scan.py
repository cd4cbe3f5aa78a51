"""Discovery on Spark: a stratified sample, or a full profile merged from partitions.

```
sample: every partition ─► N rows (bottom-k) ─► driver ─► single-machine scan
full:   every partition ─► Profiler over its rows ─► pickled ColumnStats
        driver: merge the stats ─► the same classifier, categories, sensitivity
```
Both end in discovery's own classifier, so a column gets the type the
single-machine scan gives on the same rows. The full profile sends back counts
and masked examples only, never rows. Merging keeps every count exact; the
distinct ratio is the largest seen in a batch (as the single-machine full
scan), and the few long texts kept for the text analyzer are a uniform draw
from what the partitions kept.
"""

from __future__ import annotations

import pickle
import random
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from privault.discovery import (
    ColumnResult,
    ColumnStats,
    DatasetResult,
    Profiler,
    ScanOptions,
    categorize,
    classify_column,
    sensitivity,
)
from privault.discovery import scan as run_scan
from privault.discovery.classify import freeform_types, is_text

__all__ = ["full_profile", "sample_scan"]

_EXAMPLES = 3


def _strings(batch: pa.Table) -> pl.DataFrame:
    """String columns as discovery's readers give them (nested values: null)."""
    frame = pl.from_arrow(batch)
    assert isinstance(frame, pl.DataFrame)  # a table converts to a frame
    return frame.select(
        pl.lit(None, pl.String).alias(n)
        if t.is_nested() or t == pl.Binary
        else pl.col(n).cast(pl.String)
        for n, t in frame.schema.items()
    )


def _profile_fold(options: ScanOptions) -> Callable[[Iterator[pa.RecordBatch]], bytes]:
    """The executor side: profile one partition in batches of ``options.batch_rows``."""

    def fold(batches: Iterator[pa.RecordBatch]) -> bytes:
        profiler = Profiler(seed=options.seed, text_values=options.freeform_values)
        pending: list[pa.RecordBatch] = []
        held = rows = 0
        for batch in batches:
            pending.append(batch)
            held += batch.num_rows
            if held >= options.batch_rows:
                profiler.add(_strings(pa.Table.from_batches(pending)))
                rows, pending, held = rows + held, [], 0
        if pending:
            profiler.add(_strings(pa.Table.from_batches(pending)))
            rows += held
        return pickle.dumps((rows, profiler.columns))

    return fold


def _merge(into: ColumnStats, other: ColumnStats, rng: random.Random) -> None:
    for name in ("rows", "non_null", "chars", "words", "numeric", "decimals", "dates", "times"):
        setattr(into, name, getattr(into, name) + getattr(other, name))
    into.given_names += other.given_names
    into.distinct = max(into.distinct, other.distinct)
    for detector, hits in other.matches.items():
        into.matches[detector] = into.matches.get(detector, 0.0) + hits
    for entity, examples in other.examples.items():
        kept = into.examples.setdefault(entity, [])
        kept += [e for e in examples if e not in kept][: _EXAMPLES - len(kept)]
    into.years.update(other.years)
    pool = into.texts.items + other.texts.items
    into.texts.seen += other.texts.seen
    into.texts.items = rng.sample(pool, into.texts.size) if len(pool) > into.texts.size else pool


def merge_profiles(
    parts: list[bytes], columns: list[str], seed: int
) -> tuple[int, dict[str, ColumnStats]]:
    """Merge the partitions' pickled ``(rows, stats)`` into one profile in ``columns`` order."""
    rng = random.Random(seed)  # noqa: S311 - sampling, not security
    merged: dict[str, ColumnStats] = {}
    rows = 0
    for blob in parts:
        part_rows, stats = pickle.loads(blob)  # noqa: S301 - our own executors' output
        rows += part_rows
        for name, col in stats.items():
            if name in merged:
                _merge(merged[name], col, rng)
            else:
                merged[name] = col
    return rows, {c: merged[c] for c in columns if c in merged}


def _column(name: str, stats: ColumnStats) -> ColumnResult:
    """As the single-machine scan: the value classifier, then the text analyzer."""
    col = classify_column(name, stats)
    if col.pii_type is not None or not is_text(stats):
        return col
    types, share = freeform_types(stats.texts.items)
    why = f"text analyzer found {', '.join(types)}" if types else "free text without PII"
    return replace(
        col, freeform_pii=types, match_ratio=round(share, 3), reasons=(*col.reasons, why)
    )


def full_profile(
    df: Any, options: ScanOptions, *, source: str, name: str, fold: Callable[..., list[bytes]]
) -> DatasetResult:
    """Profile every row of ``df`` on Spark and classify it like a single-machine full scan.

    Args:
        df: the Spark DataFrame.
        options: ``seed``, ``batch_rows`` and ``freeform_values`` are used.
        source: the source shown in the result.
        name: the dataset name shown in the result.
        fold: :func:`privault.spark.partitions.fold_partitions` (with its task hook).

    """
    parts = fold(df, _profile_fold(options))
    rows, stats = merge_profiles(parts, list(df.columns), options.seed)
    columns = tuple(_column(n, s) for n, s in stats.items())
    category, reasons = categorize(columns, stats, document=False)
    level = sensitivity(t for c in columns for t in c.pii_types)
    return DatasetResult(source, name, category, reasons, level, rows, columns, True)


def sample_scan(
    sample: pl.DataFrame, options: ScanOptions, *, source: str, name: str, rows: int
) -> DatasetResult:
    """Classify a Spark sample with the single-machine scan (same reader, same classifier).

    Raises:
        InvalidInput: the sample could not be classified (an unreadable column type).

    """
    from privault.core.errors import InvalidInput

    with tempfile.TemporaryDirectory(prefix="privault-spark-scan-") as tmp:
        staged = Path(tmp) / "sample.parquet"
        sample.write_parquet(staged)
        opts = replace(options, full=False, sample_size=max(1, sample.height))
        result = run_scan([str(staged)], opts)
    if not result.datasets:
        reason = result.issues[0].reason if result.issues else "no table"
        raise InvalidInput(f"{name}: the sample could not be classified ({reason})")
    return replace(result.datasets[0], source=source, name=name, row_count=rows)
