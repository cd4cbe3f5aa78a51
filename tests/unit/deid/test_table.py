"""Table plans: rule resolution, vectorised forms equal the scalar ones, stats."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.deid import Binding, DeidKeys, build_operator, load_policy, plan_table

KEYS = DeidKeys(Secret(b"t" * 32))
VALUES = ["4111111111111111", "abc", "", "12345", None, "SW1A 1AA", "37", "93", "1985-03-14"]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("mask", {}),  # all
        ("mask", {"chars_to_mask": 3}),  # first N
        ("mask", {"chars_to_mask": 3, "from_end": True}),  # last N
        ("mask", {"keep_last": 4}),  # keep last N
        ("redact", {}),  # empty
        ("replace", {}),  # <TYPE>
        ("keep", {}),  # unchanged
        ("generalize", {"kind": "postcode"}),  # prefixes
        ("generalize", {"kind": "number"}),  # ranges (non-numbers: null in tables)
        ("generalize", {"kind": "age"}),  # bands
    ],
)
def test_expr_matches_scalar(name: str, params: dict) -> None:
    op = build_operator(name, params, Binding("PERSON", None))
    column = pl.Series("c", VALUES, dtype=pl.String)
    expr = op.expr(pl.col("c"), pl.String)
    assert expr is not None
    got = pl.DataFrame([column]).select(expr).to_series().to_list()
    for value, out in zip(VALUES, got, strict=True):
        if value is None:
            assert out is None
        elif out is not None:
            assert out == op.apply(value)
        else:  # unparsable numbers: scalar says <TYPE>, tables say null; never the value
            assert op.apply(value) == "<PERSON>"


def test_plan_resolution_and_stats() -> None:
    policy = load_policy(
        """
entities: {EMAIL_ADDRESS: hash}
columns:
  card: {operator: mask, keep_last: 4}
  notes: detect
  id: keep
unlisted: drop
"""
    )
    frame = pl.DataFrame(
        {
            "id": ["1", "2"],
            "card": ["4111111111111111", "5500000000000004"],
            "mail": ["a@b.io", "a@b.io"],
            "notes": ["call jane@x.io", None],
            "extra": ["x", "y"],
        }
    )
    plan = plan_table(policy, frame.schema, keys=KEYS, pii_types={"mail": "EMAIL_ADDRESS"})
    out = plan.apply(frame)
    assert out.columns == ["id", "card", "mail", "notes"]  # extra dropped
    assert out["card"].to_list() == ["************1111", "************0004"]
    assert out["mail"][0] == out["mail"][1] != "a@b.io"  # hash, consistent
    assert "jane@x.io" not in out["notes"][0] and out["notes"][1] is None
    reasons = {c.column: (c.action, c.reason) for c in plan.columns}
    assert reasons["mail"] == ("operator", "pii type") and reasons["extra"] == ("drop", "unlisted")
    assert plan.stats["card"].changed == 2 and plan.stats["notes"].entities["EMAIL_ADDRESS"] == 1


def test_unknown_columns_and_types_rejected() -> None:
    schema = {"a": pl.String}
    with pytest.raises(InvalidInput, match="does not have: b"):
        plan_table(load_policy("columns: {b: keep}"), schema)
    with pytest.raises(InvalidInput, match="unknown PII type"):
        plan_table(load_policy("{}"), schema, pii_types={"a": "NAME"})
    with pytest.raises(InvalidInput, match="needs a key"):
        plan_table(load_policy("columns: {a: hash}"), schema)


def test_date_shift_per_subject_in_tables() -> None:
    policy = load_policy("columns: {d: {operator: date_shift, subject_column: s}, s: hash}")
    frame = pl.DataFrame(
        {"s": ["a", "a", "b"], "d": [date(2020, 1, 1), date(2020, 1, 11), date(2020, 1, 1)]}
    )
    out = plan_table(policy, frame.schema, keys=KEYS).apply(frame)
    d = out["d"].to_list()
    assert (d[1] - d[0]).days == 10  # intervals within one subject survive
    assert d[0] != date(2020, 1, 1)
    text = plan_table(policy, {"s": pl.String, "d": pl.String}, keys=KEYS).apply(
        frame.with_columns(pl.col("d").cast(pl.String))
    )
    assert text["d"].to_list() == [str(x) for x in d]  # same shift for text dates


def test_mapping_ops_dedupe_and_loop_agree() -> None:
    op = build_operator("hash", {}, Binding(None, KEYS))
    from privault.deid.table import map_values

    repeated = pl.Series("c", ["x", "y", None] * 50)
    distinct = pl.Series("c", [str(i) for i in range(50)] + [None])
    assert map_values(op, repeated).to_list() == op.apply_many(repeated.to_list())
    assert map_values(op, distinct).to_list() == op.apply_many(distinct.to_list())
