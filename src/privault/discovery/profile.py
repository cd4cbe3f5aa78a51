"""Column profiles: counts accumulated over batches, computed with Polars expressions.

One ``select`` per batch evaluates every count of every column at once (Polars
runs the expressions in parallel); validators then see only the values their
pattern let through. Raw values never leave this module: examples are masked
as they are taken, and the few long texts kept for the analyzer live in memory
only.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import polars as pl

from privault.detect.recognizers._words import first_names
from privault.discovery.detectors import (
    DATE_PATTERN,
    DECIMAL_PATTERN,
    DETECTORS,
    FEATURES,
    FIRST_WORD,
    NUMBER_PATTERN,
    PERSON_SHAPE,
    TIME_PATTERN,
    ValueDetector,
)
from privault.discovery.masking import mask_example
from privault.discovery.names import name_hint
from privault.discovery.sampling import Reservoir
from privault.discovery.vectorised import VECTORISED

__all__ = ["COMPANY", "ColumnStats", "Profiler"]

#: Values that mean "no value" in exports, in the six languages of the name hints.
PLACEHOLDERS = (
    "", "-", "--", "?", "n/a", "na", "n.a.", "null", "none", "nil", "nan", "#n/a", "unknown",
    "k.a.", "keine angabe", "unbekannt", "inconnu", "desconocido", "onbekend", "sconosciuto",
    "0", "x", "xxx", "tbd", "test",
)  # fmt: skip
COMPANY = (
    r"(?i)(?:\b(?:gmbh|ag|kg|ltd|llc|inc|plc|sa|sarl|sas|spa|s\.p\.a|s\.l|bv|nv|corp|group"
    r"|and sons|e\.v|oy|ab)\b\.?|&)"
)
_TEXT_WORDS = 4
_EXAMPLES = 3


@dataclass(slots=True)
class ColumnStats:
    """Counts for one column, summed over the batches seen (no raw values)."""

    hint: str | None = None
    rows: int = 0
    non_null: int = 0
    chars: int = 0
    words: int = 0
    distinct: float = 0.0
    numeric: int = 0
    decimals: int = 0
    dates: int = 0
    times: int = 0
    given_names: int = 0
    matches: dict[str, float] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    years: Counter[int] = field(default_factory=Counter)
    texts: Reservoir[str] = field(default_factory=lambda: Reservoir(200, 0))

    def ratio(self, count: float) -> float:
        """``count`` as a share of the non-null values."""
        return count / self.non_null if self.non_null else 0.0

    def add_examples(self, entity: str, values: list[str]) -> None:
        """Keep up to three masked examples for ``entity``."""
        kept = self.examples.setdefault(entity, [])
        for v in values:
            if len(kept) >= _EXAMPLES:
                return
            masked = mask_example(v, entity)
            if masked and masked not in kept:
                kept.append(masked)


@cache
def _names() -> pl.Series:
    return pl.Series("n", sorted(first_names()), dtype=pl.String)


def _clean(col: str) -> pl.Expr:
    text = pl.col(col).str.strip_chars()
    return (
        pl.when(text.str.to_lowercase().is_in(pl.Series(PLACEHOLDERS).implode()))
        .then(None)
        .otherwise(text)
        .alias(col)
    )


def _given(col: pl.Expr) -> pl.Expr:
    token = col.str.extract(FIRST_WORD, 1)
    return (
        token.is_in(_names().implode())
        & col.str.contains(PERSON_SHAPE)
        & ~col.str.contains(COMPANY)
    )


class Profiler:
    """Accumulates :class:`ColumnStats` per column over any number of batches.

    Args:
        seed: seed for the subsets and the text reservoir.
        text_values: long values kept per column for the text analyzer.
        costly_cap: candidates a costly validator checks per column and batch;
            beyond it a random subset is checked and the count scaled up.

    """

    def __init__(self, *, seed: int = 0, text_values: int = 200, costly_cap: int = 1_000) -> None:
        self.columns: dict[str, ColumnStats] = {}
        self._rng = random.Random(seed)  # noqa: S311 - sampling, not security
        self._text_values = text_values
        self._cap = costly_cap

    def _stats(self, name: str) -> ColumnStats:
        if name not in self.columns:
            self.columns[name] = ColumnStats(
                hint=name_hint(name),
                texts=Reservoir(self._text_values, self._rng.randrange(1 << 30)),
            )
        return self.columns[name]

    def _active(self, stats: ColumnStats) -> list[ValueDetector]:
        return [d for d in DETECTORS if not d.needs_hint or d.entity == stats.hint]

    def add(self, batch: pl.DataFrame) -> None:
        """Profile one batch of String columns."""
        if batch.width == 0:
            return
        clean = batch.select([_clean(c) for c in batch.columns])
        plan = [(c, self._stats(c)) for c in clean.columns]
        features = _features(clean)
        exprs: list[pl.Expr] = []
        for i, (c, stats) in enumerate(plan):
            has = features[c]
            exprs += _base_exprs(c, i, has)
            exprs += [
                pl.col(c).str.contains(d.pattern).sum().alias(f"{i}|{d.name}")
                for d in self._active(stats)
                if d.requires is None or d.requires in has
            ]
        counts = clean.select(exprs).row(0, named=True)
        for i, (c, stats) in enumerate(plan):
            self._update(clean.get_column(c), stats, counts, i)

    def _update(self, col: pl.Series, stats: ColumnStats, counts: dict[str, int], i: int) -> None:
        stats.rows += col.len()
        stats.non_null += counts[f"{i}|nn"]
        stats.chars += counts[f"{i}|chars"] or 0
        stats.words += counts[f"{i}|words"] or 0
        stats.numeric += counts.get(f"{i}|num", 0)
        stats.decimals += counts.get(f"{i}|dec", 0)
        stats.dates += counts.get(f"{i}|date", 0)
        stats.times += counts.get(f"{i}|time", 0)
        stats.given_names += counts.get(f"{i}|given", 0)
        nn = counts[f"{i}|nn"]
        stats.distinct = max(stats.distinct, counts[f"{i}|uniq"] / nn if nn else 0.0)
        if counts.get(f"{i}|given"):
            stats.add_examples("PERSON", col.filter(_given_series(col)).head(3).to_list())
        for d in self._active(stats):
            hits = counts.get(f"{i}|{d.name}", 0)
            if hits:
                stats.matches[d.name] = stats.matches.get(d.name, 0.0) + self._validate(
                    col, d, hits, stats
                )
        if counts.get(f"{i}|date"):
            _years(col, stats)
        self._keep_texts(col, stats)

    def _validate(self, col: pl.Series, d: ValueDetector, hits: int, stats: ColumnStats) -> float:
        candidates = col.to_frame("v").filter(_narrow(pl.col("v"), d)).to_series()
        if d.validator is None:
            stats.add_examples(d.entity, candidates.head(3).to_list())
            return float(hits)
        vectorised = VECTORISED.get(d.name)
        if vectorised is not None:
            valid_mask = vectorised(candidates)
            stats.add_examples(d.entity, candidates.filter(valid_mask).head(3).to_list())
            return float(valid_mask.sum())
        values = candidates.to_list()
        checked = values
        if d.costly and len(values) > self._cap:
            checked = self._rng.sample(values, self._cap)
        valid = [v for v in checked if d.validator(v)]
        stats.add_examples(d.entity, valid[:3])
        return len(valid) * (len(values) / len(checked)) if checked else 0.0

    def _keep_texts(self, col: pl.Series, stats: ColumnStats) -> None:
        long = col.filter(col.str.count_matches(r"\S+") >= _TEXT_WORDS)
        if long.len() > 4 * self._text_values:
            long = long.sample(4 * self._text_values, seed=self._rng.randrange(1 << 30))
        stats.texts.extend(long.to_list())


def _features(clean: pl.DataFrame) -> dict[str, set[str]]:
    """Which cheap features (an ``@``, a digit…) each column of the batch has at all."""
    exprs = [
        pl.col(c).str.contains(pattern, literal=len(pattern) == 1).any().alias(f"{c}\x00{k}")
        for c in clean.columns
        for k, pattern in FEATURES.items()
    ]
    row = clean.select(exprs).row(0, named=True)
    found: dict[str, set[str]] = {c: set() for c in clean.columns}
    for key, present in row.items():
        c, _, k = key.rpartition("\x00")
        if present:
            found[c].add(k)
    return found


def _narrow(col: pl.Expr, d: ValueDetector) -> pl.Expr:
    """The detector's candidates: its pattern, then its digit count, not a date."""
    hit = col.str.contains(d.pattern)
    if d.digits is not None:
        hit = hit & col.str.count_matches(r"\d").is_between(*d.digits)
    if d.not_dates:
        hit = hit & ~col.str.contains(DATE_PATTERN)
    return hit.fill_null(False)


def _base_exprs(c: str, i: int, has: set[str]) -> list[pl.Expr]:
    col = pl.col(c)
    exprs = [
        col.is_not_null().sum().alias(f"{i}|nn"),
        col.str.len_chars().sum().alias(f"{i}|chars"),
        col.str.count_matches(r"\S+").sum().alias(f"{i}|words"),
        col.drop_nulls().n_unique().alias(f"{i}|uniq"),
    ]
    if "digit" in has:
        exprs += [
            col.str.contains(NUMBER_PATTERN).sum().alias(f"{i}|num"),
            col.str.contains(DECIMAL_PATTERN).sum().alias(f"{i}|dec"),
            col.str.contains(DATE_PATTERN).sum().alias(f"{i}|date"),
            col.str.contains(TIME_PATTERN).sum().alias(f"{i}|time"),
        ]
    if "upper" in has:
        exprs.append(_given(col).sum().alias(f"{i}|given"))
    return exprs


def _given_series(col: pl.Series) -> pl.Series:
    return col.to_frame("v").select(_given(pl.col("v")).fill_null(False)).to_series()


def _years(col: pl.Series, stats: ColumnStats) -> None:
    years = (
        col.filter(col.str.contains(DATE_PATTERN))
        .str.extract(r"((?:18|19|20)\d{2})", 1)
        .drop_nulls()
        .cast(pl.Int32)
    )
    for year, n in years.value_counts().iter_rows():
        stats.years[int(year)] += int(n)
