"""Re-identification risk over declared quasi-identifiers.

* **k-anonymity** — the size of the smallest equivalence class (rows sharing
  every quasi-identifier value). An attacker who knows a person's
  quasi-identifiers narrows them to at least k rows.
* **l-diversity** (distinct) — the fewest distinct sensitive values in any
  class: with l = 1 some class discloses its sensitive value outright.
* **t-closeness** — the largest distance between a class's sensitive-value
  distribution and the whole table's. The distance is the Earth Mover's
  Distance with equal ground distance, i.e. total variation
  ``½ Σ |q - p|`` (Li, Li & Venkatasubramanian 2007, categorical case).

Nulls count as one value of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from privault.core.errors import InvalidInput

__all__ = ["RiskReport", "measure_risk"]

_NULL = "\x00null"


@dataclass(frozen=True, slots=True)
class RiskReport:
    """Measured risk of one table.

    Attributes:
        quasi_identifiers: the columns classes are formed on.
        sensitive: the columns l and t are measured on.
        rows: rows measured.
        classes: equivalence classes.
        k: smallest class size (0 for an empty table).
        rows_below_k: rows in classes smaller than ``k_target``, if one was given.
        k_target: the k asked for, if any.
        l_diversity: fewest distinct sensitive values in a class, per sensitive column.
        t_closeness: largest class-to-table distance, per sensitive column.

    """

    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    rows: int
    classes: int
    k: int
    rows_below_k: int | None
    k_target: int | None
    l_diversity: dict[str, int]
    t_closeness: dict[str, float]

    @property
    def meets_k(self) -> bool | None:
        """Whether ``k >= k_target`` (None without a target)."""
        return None if self.k_target is None else self.k >= self.k_target


def _normalised(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    return frame.select(pl.col(c).cast(pl.String).fill_null(_NULL) for c in columns)


def _t_closeness(data: pl.DataFrame, quasi: list[str], sizes: pl.DataFrame, col: str) -> float:
    rows = data.height
    overall = data.group_by(col).len().select(col, (pl.col("len") / rows).alias("p"))
    per_class = (
        data.group_by([*quasi, col])
        .len()
        .join(sizes.rename({"len": "size"}), on=quasi)
        .join(overall, on=col)
        .with_columns(q=pl.col("len") / pl.col("size"))
    )
    # Values a class lacks contribute p each: sum|q-p| = 1 + sum_present(|q-p| - p).
    dist = per_class.group_by(quasi).agg(
        (0.5 * (1 + ((pl.col("q") - pl.col("p")).abs() - pl.col("p")).sum())).alias("t")
    )
    return round(float(dist["t"].max() or 0.0), 6)  # type: ignore[arg-type] # a float column


def measure_risk(
    frame: pl.DataFrame,
    quasi_identifiers: Sequence[str],
    sensitive: Sequence[str] = (),
    *,
    k_target: int | None = None,
) -> RiskReport:
    """Measure k-anonymity, l-diversity and t-closeness of ``frame``.

    Raises:
        InvalidInput: no quasi-identifiers, or a column ``frame`` lacks.

    """
    quasi, sens = list(quasi_identifiers), list(sensitive)
    if not quasi:
        raise InvalidInput("risk needs at least one quasi-identifier column")
    missing = [c for c in (*quasi, *sens) if c not in frame.columns]
    if missing:
        raise InvalidInput(f"risk columns missing from the table: {', '.join(missing)}")
    data = _normalised(frame, list(dict.fromkeys([*quasi, *sens])))
    sizes = data.group_by(quasi).len()
    k = int(sizes["len"].min() or 0) if data.height else 0  # type: ignore[arg-type]
    below = None
    if k_target is not None:
        below = int(sizes.filter(pl.col("len") < k_target)["len"].sum())
    l_div = {
        s: int(data.group_by(quasi).agg(pl.col(s).n_unique())[s].min() or 0)  # type: ignore[arg-type]
        for s in sens
    }
    t_close = {s: _t_closeness(data, quasi, sizes, s) for s in sens} if data.height else {}
    return RiskReport(
        tuple(quasi), tuple(sens), data.height, sizes.height, k, below, k_target, l_div, t_close
    )
