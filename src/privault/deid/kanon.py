"""Reach k-anonymity by generalising quasi-identifiers (Datafly-style).

Each quasi-identifier gets a hierarchy, chosen from its values:

* numbers — exact, then ranges of growing "nice" widths (1/2/5 x 10^n) scaled
  to the column's spread, then ``*``;
* dates (Date/Datetime, or ISO strings) — day, month, year, decade, ``*``;
* other strings (postcodes, codes) — shorter and shorter prefixes + ``*``.

Loop: while the rows in classes smaller than k exceed the suppression budget,
raise by one level the quasi-identifier with the most distinct generalised
values; then suppress (drop) the rows still in small classes. The plan is
computed from the quasi-identifier columns of the whole table (first pass)
and applied batch by batch while copying (second pass).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from privault.core.errors import InvalidInput

__all__ = ["Hierarchy", "KPlan", "LevelLoss", "plan_k_anonymity"]

_MOST = 0.9  # share of values that must parse for a numeric/date hierarchy
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%Y", "decade")


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """Generalisation levels of one column (level 0 = exact, last = ``*``)."""

    column: str
    kind: str  # "number" | "date" | "string"
    steps: tuple[float, ...]  # widths (number) or prefix lengths (string)

    @property
    def top(self) -> int:
        """The level at which every value is ``*``."""
        return len(_DATE_FORMATS) if self.kind == "date" else len(self.steps) + 1

    def describe(self, level: int) -> str:
        """A short description of ``level`` (``width 10``, ``year``, ``prefix 3``)."""
        if level == 0:
            return "exact"
        if level >= self.top:
            return "suppressed (*)"
        if self.kind == "date":
            return ("month", "year", "decade")[level - 1]
        step = self.steps[level - 1]
        return f"width {step:g}" if self.kind == "number" else f"prefix {int(step)}"

    def expr(self, level: int) -> pl.Expr:
        """The column generalised to ``level``, as a String expression."""
        col = pl.col(self.column)
        if level == 0:
            return col.cast(pl.String)
        if level >= self.top:
            return pl.lit("*")
        if self.kind == "number":
            return _range(col.cast(pl.String).cast(pl.Float64, strict=False), self.steps[level - 1])
        if self.kind == "date":
            return _date_level(_as_date(col), level)
        keep = int(self.steps[level - 1])
        return pl.concat_str([col.cast(pl.String).str.slice(0, keep), pl.lit("*")])


def _as_date(col: pl.Expr) -> pl.Expr:
    return col.cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def _date_level(date: pl.Expr, level: int) -> pl.Expr:
    if level < len(_DATE_FORMATS) - 1:
        return date.dt.strftime(_DATE_FORMATS[level])
    decade = (date.dt.year() // 10 * 10).cast(pl.String)
    return pl.concat_str([decade, pl.lit("s")])


def _range(number: pl.Expr, width: float) -> pl.Expr:
    low = (number / width).floor() * width
    if width >= 1:
        lo, hi = low.cast(pl.Int64), (low + width - 1).cast(pl.Int64)
    else:
        lo, hi = low, low + width
    return pl.concat_str([lo.cast(pl.String), pl.lit("-"), hi.cast(pl.String)])


def _nice_widths(spread: float) -> tuple[float, ...]:
    if spread <= 0 or not math.isfinite(spread):
        return (1.0,)
    widths: list[float] = []
    exp = math.floor(math.log10(spread / 64))
    while not widths or widths[-1] < spread:
        for mantissa in (1, 2, 5):
            w = mantissa * 10.0**exp
            if w >= spread / 64 and (not widths or w > widths[-1]):
                widths.append(w)
        exp += 1
    return tuple(widths)


def hierarchy_for(column: str, values: pl.Series) -> Hierarchy:
    """Choose the hierarchy of ``column`` from its values."""
    present = values.drop_nulls()
    if values.dtype.is_temporal():
        return Hierarchy(column, "date", ())
    text = present.cast(pl.String)
    numbers = text.cast(pl.Float64, strict=False).drop_nulls()
    coded = bool(text.str.contains(r"^0\d").any())  # zero-padded codes (zips) keep prefixes
    if len(present) and len(numbers) >= _MOST * len(present) and not coded:
        spread = float(numbers.max()) - float(numbers.min())  # type: ignore[arg-type] # numeric
        return Hierarchy(column, "number", _nice_widths(spread))
    dates = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).drop_nulls()
    if len(present) and len(dates) >= _MOST * len(present):
        return Hierarchy(column, "date", ())
    longest = int(text.str.len_chars().max() or 1)  # type: ignore[arg-type]
    return Hierarchy(column, "string", tuple(float(n) for n in range(min(longest, 8) - 1, 0, -1)))


@dataclass(frozen=True, slots=True)
class LevelLoss:
    """Information lost on one quasi-identifier."""

    column: str
    level: int
    top: int
    description: str

    @property
    def loss(self) -> float:
        """Level over top level: 0 exact, 1 fully suppressed."""
        return round(self.level / self.top, 4)


@dataclass(frozen=True, slots=True)
class KPlan:
    """How to generalise and which classes to suppress so that k holds."""

    k: int
    hierarchies: tuple[Hierarchy, ...]
    levels: tuple[int, ...]
    suppressed: pl.DataFrame  # generalised QI tuples whose rows are dropped
    suppressed_rows: int
    rows: int

    def losses(self) -> list[LevelLoss]:
        """Per quasi-identifier: level reached and what it means."""
        return [
            LevelLoss(h.column, lvl, h.top, h.describe(lvl))
            for h, lvl in zip(self.hierarchies, self.levels, strict=True)
        ]

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Generalise the quasi-identifiers of one batch and drop suppressed rows."""
        exprs = [
            h.expr(lvl).alias(h.column)
            for h, lvl in zip(self.hierarchies, self.levels, strict=True)
        ]
        out = frame.with_columns(exprs)
        if self.suppressed.height:
            out = out.join(self.suppressed, on=list(self.suppressed.columns), how="anti")
        return out


def _generalised(data: pl.DataFrame, hs: Sequence[Hierarchy], levels: list[int]) -> pl.DataFrame:
    return data.select(
        h.expr(lvl).fill_null("\x00null").alias(h.column) for h, lvl in zip(hs, levels, strict=True)
    )


def plan_k_anonymity(data: pl.DataFrame, k: int, *, max_suppression: float = 0.05) -> KPlan:
    """Find levels (and a suppression set within budget) that make ``data`` k-anonymous.

    Args:
        data: the quasi-identifier columns of the whole (masked) table.
        k: the smallest class size wanted (>= 2).
        max_suppression: share of rows that may be dropped.

    Raises:
        InvalidInput: k < 2, or the table has fewer than k rows.

    """
    if k < 2:
        raise InvalidInput("k must be at least 2")
    if data.height < k:
        raise InvalidInput(f"the table has {data.height} rows, fewer than k={k}")
    hs = tuple(hierarchy_for(c, data.get_column(c)) for c in data.columns)
    levels = [0] * len(hs)
    budget = int(max_suppression * data.height)
    while True:
        gen = _generalised(data, hs, levels)
        sizes = gen.group_by(gen.columns).len()
        small = sizes.filter(pl.col("len") < k)
        at_risk = int(small["len"].sum())
        raisable = [i for i, h in enumerate(hs) if levels[i] < h.top]
        if at_risk <= budget or not raisable:
            break
        widest = max(raisable, key=lambda i: gen.get_column(hs[i].column).n_unique())
        levels[widest] += 1
    suppressed = small.drop("len").with_columns(pl.all().replace("\x00null", None))
    return KPlan(k, hs, tuple(levels), suppressed, at_risk, data.height)
