"""Reach k-anonymity by generalising quasi-identifiers (Datafly-style).

Each quasi-identifier gets a hierarchy, chosen from its values:

* numbers — exact, then ranges of growing "nice" widths (1/2/5 x 10^n) scaled
  to the column's spread, then ``*``;
* dates (Date/Datetime, or ISO strings) — day, month, year, decade, ``*``;
* other strings (postcodes, codes) — shorter and shorter prefixes + ``*``.

Loop: while the rows in classes smaller than k exceed the suppression budget,
raise by one level the quasi-identifier with the most distinct generalised
values; then suppress the rows still in small classes: drop them (files), or
keep them with their quasi-identifiers replaced by ``*`` (databases, where
other rows may reference them; the ``*`` rows then form classes of their own,
which must reach k too). Columns may be held exact (database keys): they are
never raised, and a k they make unreachable within the budget is refused.
The plan is computed from the quasi-identifier columns of the whole table
(first pass) and applied batch by batch while copying (second pass);
:meth:`KPlan.to_doc` and :func:`plan_at` carry its levels over to a resumed copy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from privault.core.errors import InvalidInput

__all__ = ["Hierarchy", "KPlan", "LevelLoss", "Suppression", "plan_at", "plan_k_anonymity"]

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


Suppression = Literal["rows", "values"]
_NULL = "\x00null"  # nulls as a value of their own when classes are formed and matched


@dataclass(frozen=True, slots=True)
class KPlan:
    """How to generalise and which classes to suppress so that k holds.

    Attributes:
        k: the smallest class size reached.
        hierarchies: one per quasi-identifier.
        levels: the level of each hierarchy.
        suppressed: generalised quasi-identifier tuples (nulls as a sentinel)
            whose rows are suppressed.
        suppressed_rows: rows in those classes.
        rows: rows planned over.
        fixed: quasi-identifiers kept exact (key columns of a database).
        suppression: ``rows`` (dropped) or ``values`` (the rows stay, their
            generalisable quasi-identifiers become ``*``).

    """

    k: int
    hierarchies: tuple[Hierarchy, ...]
    levels: tuple[int, ...]
    suppressed: pl.DataFrame
    suppressed_rows: int
    rows: int
    fixed: tuple[str, ...] = ()
    suppression: Suppression = "rows"

    def losses(self) -> list[LevelLoss]:
        """Per quasi-identifier: level reached and what it means."""
        return [
            LevelLoss(h.column, lvl, h.top, h.describe(lvl))
            for h, lvl in zip(self.hierarchies, self.levels, strict=True)
        ]

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Generalise the quasi-identifiers of one batch and suppress the rows still below k."""
        moved = [
            (h, lvl) for h, lvl in zip(self.hierarchies, self.levels, strict=True)
            if h.column not in self.fixed
        ]  # fmt: skip
        out = frame.with_columns(h.expr(lvl).alias(h.column) for h, lvl in moved)
        if not self.suppressed.height:
            return out
        keys = list(self.suppressed.columns)
        probe = out.select(pl.col(c).cast(pl.String).fill_null(_NULL) for c in keys)
        hit = probe.with_row_index("_row").join(self.suppressed, on=keys, how="semi")["_row"]
        mask = pl.int_range(pl.len(), dtype=pl.UInt32).is_in(hit.implode())
        if self.suppression == "rows":
            return out.filter(~mask)
        return out.with_columns(
            pl.when(mask).then(pl.lit("*")).otherwise(pl.col(h.column)).alias(h.column)
            for h, _ in moved
        )

    def to_doc(self) -> dict[str, Any]:
        """The levels and hierarchies as JSON (no values): what a resumed copy reuses."""
        return {
            "k": self.k,
            "hierarchies": [[h.column, h.kind, list(h.steps)] for h in self.hierarchies],
            "levels": list(self.levels),
            "fixed": list(self.fixed),
            "suppression": self.suppression,
            "suppressed_rows": self.suppressed_rows,
            "rows": self.rows,
        }


def _generalised(
    data: pl.DataFrame, hs: Sequence[Hierarchy], levels: Sequence[int]
) -> pl.DataFrame:
    return data.select(
        h.expr(lvl).fill_null(_NULL).alias(h.column) for h, lvl in zip(hs, levels, strict=True)
    )


def _suppressed(
    sizes: pl.DataFrame, k: int, fixed: Sequence[str], suppression: Suppression
) -> pl.DataFrame | None:
    """The classes (with their ``len``) to suppress, or None when no choice makes k hold.

    Dropped rows leave no class behind. Rows whose values are suppressed stay
    as one class per value of the ``fixed`` columns, which must reach k too:
    a short one takes in the smallest class of k or more with the same fixed
    values (None when there is none).
    """
    small = sizes.filter(pl.col("len") < k)
    if suppression == "rows" or not small.height:
        return small
    keys = [*fixed, "_all"]
    tagged = sizes.with_columns(_all=pl.lit(0))
    short = (
        tagged.filter(pl.col("len") < k)
        .group_by(keys)
        .agg(pl.col("len").sum().alias("n"))
        .filter(pl.col("n") < k)
    )
    if not short.height:
        return small
    big = tagged.filter(pl.col("len") >= k).join(short.select(keys), on=keys)
    pad = big.sort("len").group_by(keys, maintain_order=True).first()
    if pad.height < short.height:
        return None
    return pl.concat([small, pad.select(small.columns)])


@dataclass(frozen=True, slots=True)
class _Search:
    fixed: tuple[str, ...]
    suppression: Suppression
    budget: int


def _evaluate(
    data: pl.DataFrame, hs: Sequence[Hierarchy], levels: Sequence[int], k: int, plan: _Search
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    gen = _generalised(data, hs, levels)
    return gen, _suppressed(gen.group_by(gen.columns).len(), k, plan.fixed, plan.suppression)


def _start(
    data: pl.DataFrame, k: int, max_suppression: float, fixed: Sequence[str], suppression: str
) -> _Search:
    if k < 2:
        raise InvalidInput("k must be at least 2")
    if data.height < k:
        raise InvalidInput(f"the table has {data.height} rows, fewer than k={k}")
    if suppression not in ("rows", "values"):
        raise InvalidInput("suppression is 'rows' or 'values'")
    return _Search(tuple(fixed), suppression, int(max_suppression * data.height))  # type: ignore[arg-type] # checked


def _finish(data: pl.DataFrame, k: int, hs: tuple[Hierarchy, ...], levels: Sequence[int],
            search: _Search, chosen: pl.DataFrame | None) -> KPlan:  # fmt: skip
    at_risk = None if chosen is None else int(chosen["len"].sum())
    if chosen is None or at_risk is None or at_risk > search.budget:
        kept = f" (kept exact, as keys: {', '.join(search.fixed)})" if search.fixed else ""
        if at_risk is None:
            need, hint = "classes below k remain whatever is suppressed", "lower k"
        else:
            need, hint = f"{at_risk} row(s) would need suppressing", "lower k or raise"
            hint += " risk.max_suppression"
        raise InvalidInput(
            f"k={k} cannot be reached within the suppression budget ({search.budget} of "
            f"{data.height} rows): with every quasi-identifier generalised as far as it "
            f"may go{kept}, {need}; {hint}",
            k=k,
        )
    return KPlan(
        k, hs, tuple(levels), chosen.drop("len"), at_risk, data.height, search.fixed,
        search.suppression,
    )  # fmt: skip


def plan_k_anonymity(
    data: pl.DataFrame,
    k: int,
    *,
    max_suppression: float = 0.05,
    fixed: Sequence[str] = (),
    suppression: Suppression = "rows",
) -> KPlan:
    """Find levels (and a suppression set within budget) that make ``data`` k-anonymous.

    Args:
        data: the quasi-identifier columns of the whole (masked) table.
        k: the smallest class size wanted (>= 2).
        max_suppression: share of rows that may be suppressed.
        fixed: columns kept exact (never generalised nor suppressed).
        suppression: drop the rows of small classes, or ``*`` their values.

    Raises:
        InvalidInput: k < 2, the table has fewer than k rows, or k cannot be
            reached within the budget.

    """
    search = _start(data, k, max_suppression, fixed, suppression)
    hs = tuple(hierarchy_for(c, data.get_column(c)) for c in data.columns)
    levels = [0] * len(hs)
    while True:
        gen, chosen = _evaluate(data, hs, levels, k, search)
        raisable = [
            i for i, h in enumerate(hs) if levels[i] < h.top and h.column not in search.fixed
        ]
        if (chosen is not None and int(chosen["len"].sum()) <= search.budget) or not raisable:
            break
        widest = max(raisable, key=lambda i: gen.get_column(hs[i].column).n_unique())
        levels[widest] += 1
    return _finish(data, k, hs, levels, search, chosen)


def plan_at(data: pl.DataFrame, doc: Mapping[str, Any], *, max_suppression: float) -> KPlan:
    """The plan :meth:`KPlan.to_doc` describes, its suppression set recomputed from ``data``.

    Raises:
        InvalidInput: a document that does not fit ``data``, or k not reached.

    """
    k = int(doc["k"])
    search = _start(data, k, max_suppression, doc["fixed"], doc["suppression"])
    hs = tuple(Hierarchy(str(c), str(kind), tuple(steps)) for c, kind, steps in doc["hierarchies"])
    if [h.column for h in hs] != data.columns:
        raise InvalidInput("the saved generalisation levels name other quasi-identifiers")
    levels = [int(v) for v in doc["levels"]]
    return _finish(data, k, hs, levels, search, _evaluate(data, hs, levels, k, search)[1])
