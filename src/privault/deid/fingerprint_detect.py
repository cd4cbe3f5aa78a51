"""Which recorded export did a leaked file come from? A binomial test per export.

For each recorded export, the distinct (normalised) values of the sample's
columns that the export marked are the trials; a trial *matches* when the
value carries the export's mark (:meth:`ExportMark.carries`).

* Under the null hypothesis "this file is not from that export", each
  distinct value matches with probability 1/2, independently (the tag is an
  HMAC bit under a key the file's maker never had). The p-value is the
  binomial tail ``P(X >= matched | n, 1/2)``.
* Columns are matched by name (case-insensitive). When none of an export's
  marked columns is present (renamed), every sample column is tested on its
  own and the best p-value is multiplied by the number of columns tested
  (Bonferroni).
* The p-values are multiplied by the number of recorded exports (Bonferroni
  again): the probability that *any* wrong export is named is at most
  ``alpha`` (default 10⁻⁶). The named export's ``confidence`` is one minus
  its adjusted p-value.

A file from the export matches on (nearly) every value: 30 rows with two
marked columns give ~60 trials, p ≈ 2⁻⁶⁰. Shuffling rows, dropping or
reordering columns and re-saving in another format change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import comb
from pathlib import Path

import polars as pl

from privault.core.errors import InvalidInput
from privault.deid.files import format_of, read_batches
from privault.deid.fingerprint import ExportMark, normalize_cell

__all__ = [
    "ALPHA",
    "Attribution",
    "ColumnEvidence",
    "ExportCandidate",
    "ExportScore",
    "attribute",
    "binomial_tail",
    "read_sample",
]

ALPHA = 1e-6
"""Default bound on the probability of naming the wrong export."""
_READ_LIMIT = 200_000  # rows read from a leaked file before sampling


@dataclass(frozen=True, slots=True)
class ExportCandidate:
    """A recorded export to test: its id, its mark and the columns it marked."""

    export_id: str
    mark: ExportMark
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ColumnEvidence:
    """One tested column: distinct values, how many carry the mark, and where.

    Attributes:
        column: the sample's column name.
        cells: distinct non-empty values tested.
        matched: of those, values carrying the mark.
        rows: row numbers (1-based, in the sample) of a few matching cells.

    """

    column: str
    cells: int
    matched: int
    rows: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ExportScore:
    """The test of one export against the sample.

    Attributes:
        export_id: the export.
        columns: evidence per tested column.
        cells: distinct values tested (over all columns).
        matched: of those, values carrying the mark.
        p_value: binomial tail, before the correction for many exports.
        adjusted: ``p_value`` times the corrections (capped at 1).

    """

    export_id: str
    columns: tuple[ColumnEvidence, ...]
    cells: int
    matched: int
    p_value: float
    adjusted: float


@dataclass(frozen=True, slots=True)
class Attribution:
    """The verdict: the export named (or None), with every export's score.

    Attributes:
        export_id: the export the sample came from, or None: no recorded export matches.
        confidence: ``1 - adjusted p-value`` of the named export (0 when none).
        alpha: the false-attribution bound used.
        rows: rows in the sample.
        scores: every export's score, best first.

    """

    export_id: str | None
    confidence: float
    alpha: float
    rows: int
    scores: tuple[ExportScore, ...]


def binomial_tail(n: int, k: int) -> float:
    """``P(X >= k)`` for ``X ~ Binomial(n, 1/2)`` (exact, big integers)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    term = comb(n, k)
    tail = 0
    for i in range(k, n + 1):  # C(n, i+1) = C(n, i) * (n - i) / (i + 1), exact
        tail += term
        term = term * (n - i) // (i + 1)
    return tail / (1 << n)


def _text_column(series: pl.Series) -> list[str | None]:
    """A column as the strings a writer would have produced."""
    dtype = series.dtype
    if dtype == pl.Datetime or (isinstance(dtype, pl.Datetime)):
        midnight = series.dt.time().drop_nulls().cast(pl.Int64).eq(0).all()
        series = series.dt.date() if midnight else series
    elif dtype.is_float():
        whole = series.drop_nulls()
        if whole.len() and (whole == whole.round(0)).all():
            series = series.cast(pl.Int64)
    elif dtype.is_nested() or dtype == pl.Object:
        return [None] * series.len()
    return series.cast(pl.String, strict=False).to_list()


def _distinct(sample: pl.DataFrame) -> dict[str, dict[str, int]]:
    """Per column: normalised value -> first row it appears on (1-based)."""
    out: dict[str, dict[str, int]] = {}
    for name in sample.columns:
        seen: dict[str, int] = {}
        for row, value in enumerate(_text_column(sample.get_column(name)), start=1):
            norm = normalize_cell(value) if value else ""
            if norm and norm not in seen:
                seen[norm] = row
        out[name] = seen
    return out


def _evidence(name: str, values: dict[str, int], marked: set[str]) -> ColumnEvidence:
    rows = sorted(row for norm, row in values.items() if norm in marked)
    return ColumnEvidence(name, len(values), len(rows), tuple(rows[:5]))


def _score(
    candidate: ExportCandidate, values: dict[str, dict[str, int]], exports: int
) -> ExportScore:
    by_name = {c.casefold(): c for c in values}
    named = [by_name[c.casefold()] for c in candidate.columns if c.casefold() in by_name]
    tested = named or list(values)  # marked columns renamed: test every column
    pooled = {norm for col in tested for norm in values[col]}
    marked = {norm for norm in pooled if candidate.mark.carries_normalized(norm)}
    evidence = tuple(_evidence(c, values[c], marked) for c in tested)
    if named:
        # Distinct values across the marked columns: one trial each.
        n, k, tests = len(pooled), len(marked), 1
    else:
        # Pick the best column, and pay for the choice (Bonferroni).
        best = min(evidence, key=lambda e: binomial_tail(e.cells, e.matched), default=None)
        n, k = (best.cells, best.matched) if best is not None else (0, 0)
        tests = max(1, len(evidence))
    p = binomial_tail(n, k)
    adjusted = min(1.0, p * tests * max(1, exports))
    return ExportScore(candidate.export_id, evidence, n, k, p, adjusted)


def attribute(
    sample: pl.DataFrame, candidates: Sequence[ExportCandidate], *, alpha: float = ALPHA
) -> Attribution:
    """Name the export ``sample`` came from, or none (see the module docstring).

    Args:
        sample: rows of the leaked file (any order, any subset of columns).
        candidates: every recorded export that could be the source.
        alpha: the bound on the probability of naming a wrong export.

    Raises:
        InvalidInput: ``alpha`` outside (0, 1).

    """
    if not 0.0 < alpha < 1.0:
        raise InvalidInput("alpha must lie strictly between 0 and 1")
    values = _distinct(sample)
    scores = sorted(
        (_score(c, values, len(candidates)) for c in candidates),
        key=lambda s: (s.adjusted, s.p_value, -s.matched),
    )
    best = scores[0] if scores else None
    if best is None or best.adjusted > alpha or best.matched == 0:
        return Attribution(None, 0.0, alpha, sample.height, tuple(scores))
    return Attribution(best.export_id, 1.0 - best.adjusted, alpha, sample.height, tuple(scores))


def read_sample(path: Path, rows: int, *, fmt: str | None = None, seed: int = 0) -> pl.DataFrame:
    """Up to ``rows`` rows of a table file, drawn at random (seeded: repeatable).

    Raises:
        InvalidInput: unknown format, unreadable file, or ``rows`` < 1.

    """
    if rows < 1:
        raise InvalidInput("the sample needs at least one row")
    kind = format_of(path, fmt)
    parts: list[pl.DataFrame] = []
    seen = 0
    for batch in read_batches(path, kind, 50_000):
        parts.append(batch)
        seen += batch.height
        if seen >= _READ_LIMIT:
            break
    frame = pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame()
    if frame.height <= rows:
        return frame
    return frame.sample(n=rows, seed=seed)
