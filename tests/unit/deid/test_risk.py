"""Risk measures on a known table, and k-anonymity by generalisation."""

from __future__ import annotations

import random

import polars as pl
import pytest

from privault.core.errors import InvalidInput
from privault.deid import measure_risk, plan_k_anonymity
from privault.deid.kanon import plan_at

# The classic 2-anonymous example: three classes of sizes 3, 3 and 2.
KNOWN = pl.DataFrame(
    {
        "zip": ["130**", "130**", "130**", "148**", "148**", "148**", "130**", "130**"],
        "age": ["<30", "<30", "<30", ">=40", ">=40", ">=40", "3*", "3*"],
        "disease": ["flu", "flu", "cancer", "flu", "hiv", "hiv", "flu", "cold"],
    }
)


def test_known_table() -> None:
    r = measure_risk(KNOWN, ["zip", "age"], ["disease"], k_target=3)
    assert (r.k, r.classes, r.rows, r.rows_below_k, r.meets_k) == (2, 3, 8, 2, False)
    assert r.l_diversity == {"disease": 2}
    # class (148**, >=40): flu 1/3, hiv 2/3 against flu .5, hiv .25, cancer .125, cold .125
    assert r.t_closeness["disease"] == pytest.approx(0.416667)


def test_unique_rows_are_1_anonymous() -> None:
    frame = pl.DataFrame({"a": ["1", "2", None], "s": ["x", "x", "y"]})
    r = measure_risk(frame, ["a"], ["s"])
    assert r.k == 1 and r.l_diversity == {"s": 1}


def test_measure_needs_quasi_identifiers() -> None:
    with pytest.raises(InvalidInput):
        measure_risk(KNOWN, [])
    with pytest.raises(InvalidInput, match="missing"):
        measure_risk(KNOWN, ["nope"])


def _people(n: int) -> pl.DataFrame:
    rng = random.Random(7)
    return pl.DataFrame(
        {
            "age": [str(rng.randint(18, 95)) for _ in range(n)],
            "zip": [f"0{rng.randint(1000, 1999)}" for _ in range(n)],
            "dob": [
                f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                for _ in range(n)
            ],
        }
    )


@pytest.mark.parametrize("k", [2, 5, 10])
def test_k_is_reached_within_budget(k: int) -> None:
    data = _people(2000)
    plan = plan_k_anonymity(data, k, max_suppression=0.05)
    out = plan.apply(data)
    assert measure_risk(out, data.columns).k >= k
    assert plan.suppressed_rows <= 0.05 * data.height
    assert out.height == data.height - plan.suppressed_rows
    kinds = {h.column: h.kind for h in plan.hierarchies}
    assert kinds == {"age": "number", "zip": "string", "dob": "date"}  # zero-padded zips: prefixes
    assert all(0 <= loss.loss <= 1 for loss in plan.losses())


def test_k_larger_than_table_is_refused() -> None:
    with pytest.raises(InvalidInput, match="fewer than k"):
        plan_k_anonymity(_people(3), 5)


def _with_null_ages(data: pl.DataFrame) -> pl.DataFrame:
    return data.with_columns(pl.Series("age", [None] * 7 + [str(a) for a in range(1993)]))


@pytest.mark.parametrize("k", [2, 5, 10])
def test_value_suppression_keeps_rows_and_reaches_k(k: int) -> None:
    data = _with_null_ages(_people(2000))
    plan = plan_k_anonymity(data, k, max_suppression=0.05, suppression="values")
    out = plan.apply(data)
    assert out.height == data.height  # no row dropped: others may reference it
    assert measure_risk(out, data.columns).k >= k
    starred = out.filter(pl.all_horizontal(pl.col(c) == "*" for c in data.columns))
    assert starred.height == plan.suppressed_rows <= 0.05 * data.height
    assert starred.height == 0 or starred.height >= k  # the '*' rows form a class too


def test_rows_with_null_quasi_identifiers_are_suppressed_too() -> None:
    data = _with_null_ages(_people(2000))
    plan = plan_k_anonymity(data, 10, max_suppression=0.05)
    out = plan.apply(data)
    assert measure_risk(out, data.columns).k >= 10  # nulls are a value of their own
    assert out.height == data.height - plan.suppressed_rows


def test_a_short_suppressed_class_takes_in_the_smallest_class_of_k() -> None:
    # Six rows of one class, one outlier: dropping it (files) suppresses one row;
    # starring it alone would leave a class of one, so the class of six joins it.
    data = pl.DataFrame({"zip": ["12345"] * 6 + ["99999"], "age": ["40"] * 6 + ["41"]})
    rows = plan_k_anonymity(data, 3, max_suppression=1.0)
    values = plan_k_anonymity(data, 3, max_suppression=1.0, suppression="values")
    assert (rows.levels, rows.suppressed_rows) == ((0, 0), 1)
    assert (values.levels, values.suppressed_rows) == ((0, 0), 7)
    assert measure_risk(values.apply(data), ["zip", "age"]).k == 7


def test_fixed_columns_stay_exact_or_k_is_refused() -> None:
    data = _people(600).with_columns(
        pl.Series("region", [i % 6 for i in range(600)], dtype=pl.Int64)
    )
    plan = plan_k_anonymity(data, 5, fixed=["region"], suppression="values")
    out = plan.apply(data)
    assert out["region"].to_list() == data["region"].to_list()  # type and values kept
    assert measure_risk(out, data.columns).k >= 5
    assert plan.to_doc()["fixed"] == ["region"] and plan.levels[-1] == 0
    lonely = data.with_columns(pl.Series("region", list(range(600)), dtype=pl.Int64))
    with pytest.raises(InvalidInput, match="cannot be reached within the suppression budget"):
        plan_k_anonymity(lonely, 5, fixed=["region"], suppression="values")


def test_a_saved_plan_is_rebuilt_with_the_same_levels() -> None:
    data = _people(1500)
    plan = plan_k_anonymity(data, 5, suppression="values")
    again = plan_at(data, plan.to_doc(), max_suppression=0.05)
    assert again.to_doc() == plan.to_doc()
    assert again.apply(data).equals(plan.apply(data))
    moved = plan.to_doc() | {"levels": [lvl + 1 for lvl in plan.levels]}
    assert plan_at(data, moved, max_suppression=0.05).levels == tuple(moved["levels"])
