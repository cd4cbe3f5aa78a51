"""Database copies that reach k-anonymity (``--k``), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import create_engine, inspect, text

from privault.app.bootstrap import Platform
from privault.app.masking_sql import DatabaseOptions
from privault.core.context import RequestContext
from privault.core.errors import Conflict, InvalidInput
from privault.core.secret import Secret
from privault.deid import load_policy, measure_risk
from tests.support.shopdb import (
    JOINS,
    SHOP_POLICY,
    Interrupted,
    MakeUrl,
    assert_no_pii_survives,
    build_shop,
    rows_of,
    scalar,
    url_maker,
)

KEY = Secret(bytes(range(32)))
QUASI = {"customers": ("zip", "born"), "orders": ("total",)}


@pytest.fixture
def make_url(tmp_path: Path, backend: str) -> MakeUrl:
    return url_maker(tmp_path, backend)


def _policy(k: int, quasi: str = "[customers.zip, customers.born, orders.total]") -> Any:
    body = SHOP_POLICY.replace("risk: {quasi_identifiers: [customers.zip, customers.born]}", "")
    return load_policy(f"{body}\nrisk: {{quasi_identifiers: {quasi}, k: {k}}}\n")


def _copy(platform: Platform, admin: RequestContext, src: str, dst: str, **kw: Any) -> Any:
    policy = kw.pop("policy", None) or _policy(5)
    progress = kw.pop("progress", None)
    return platform.masking.mask_database(
        admin, src, dst, policy, KEY, options=DatabaseOptions(**kw), progress=progress
    )


def _dest_frame(url: str, table: str, columns: tuple[str, ...]) -> pl.DataFrame:
    """The columns as DEST holds them (as text), read back for measuring."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT {', '.join(columns)} FROM {table}")).all()
    finally:
        engine.dispose()
    data = [tuple(None if v is None else str(v) for v in r) for r in rows]
    return pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String()), orient="row")


def test_k_holds_in_dest_and_keys_survive(
    platform: Platform, admin: RequestContext, make_url: MakeUrl
) -> None:
    src, dest = make_url("shop"), make_url("masked")
    data = build_shop(src, customers=200)
    report = _copy(platform, admin, src, dest, batch_rows=40)
    for table, quasi in QUASI.items():
        measured = measure_risk(_dest_frame(dest, table, quasi), quasi)
        assert measured.k >= 5, table  # measured from DEST itself
        done = next(t for t in report.tables if t.source == table)
        assert done.rows_out == done.rows_in == len(data[table])  # no row dropped
        ka = done.k_anonymity
        assert ka is not None and ka.k == 5 and ka.suppression == "values"
        assert [lvl.column for lvl in ka.levels] == list(quasi)
        assert 0 < ka.information_loss <= 1 and ka.suppressed_share <= 0.05
        assert done.risk is not None and done.risk.meets_k
        starred = scalar(dest, f"SELECT count(*) FROM {table} WHERE {quasi[0]} = '*'")
        assert starred == ka.suppressed_rows
    levels = {
        lvl.column: lvl.level
        for t in report.tables
        if t.k_anonymity
        for lvl in t.k_anonymity.levels
    }
    assert levels["total"] > 0  # exact totals were unique: generalised to ranges
    for name, sql in JOINS.items():
        assert scalar(dest, sql) == scalar(src, sql), name
    assert_no_pii_survives(data, dest)
    zip_type = next(
        c["type"]
        for c in inspect(create_engine(dest)).get_columns("customers")
        if c["name"] == "zip"
    )
    assert "TEXT" in str(zip_type).upper()  # ranges and '*' need text


def test_interrupted_copy_resumes_with_the_saved_levels(
    platform: Platform, admin: RequestContext, make_url: MakeUrl
) -> None:
    src, whole, cut = make_url("shop"), make_url("whole"), make_url("cut")
    build_shop(src, customers=150)
    expected = _copy(platform, admin, src, whole, batch_rows=40)
    seen = [0]

    def stop(table: str, done: int, total: int | None) -> None:
        seen[0] += 1
        if seen[0] == 6:  # customers done (4 batches), orders part-way
            raise Interrupted(table)

    with pytest.raises(Interrupted, match="orders"):
        _copy(platform, admin, src, cut, batch_rows=40, progress=stop)
    saved = json.loads(scalar(cut, "SELECT stats FROM _privault_mask_state WHERE name = '*'"))
    by_table = {t.source: t.k_anonymity for t in expected.tables if t.k_anonymity}
    assert set(saved["kanon"]) == set(by_table) == {"customers", "orders"}
    for table, doc in saved["kanon"].items():
        assert doc["levels"] == [lvl.level for lvl in by_table[table].levels]
        assert doc["suppressed_rows"] == by_table[table].suppressed_rows
    resumed = _copy(platform, admin, src, cut, batch_rows=64, resume=True)
    assert resumed.resumed and rows_of(cut) == rows_of(whole)
    assert [t.to_dict() | {"seconds": 0} for t in resumed.tables] == [
        t.to_dict() | {"seconds": 0} for t in expected.tables
    ]


def test_resume_is_refused_when_the_source_classes_changed(
    platform: Platform, admin: RequestContext, make_url: MakeUrl
) -> None:
    src, cut = make_url("shop"), make_url("cut")
    build_shop(src, customers=150)
    with pytest.raises(Interrupted):
        _copy(platform, admin, src, cut, batch_rows=40, progress=_raise(Interrupted))
    engine = create_engine(src)
    with engine.begin() as conn:  # every customer moves to one new postcode
        conn.execute(text("UPDATE customers SET zip = '99999'"))
    engine.dispose()
    with pytest.raises(Conflict, match="source changed"):
        _copy(platform, admin, src, cut, batch_rows=40, resume=True)


def _raise(kind: type[Exception]) -> Callable[[str, int, int | None], None]:
    def progress(table: str, done: int, total: int | None) -> None:
        raise kind(table)

    return progress


def test_unreachable_k_is_refused_before_dest_is_touched(
    platform: Platform, admin: RequestContext, make_url: MakeUrl, backend: str
) -> None:
    src, dest = make_url("shop"), make_url("masked")
    build_shop(src, customers=60)
    # customer_id is a foreign key: kept exact, so customers with fewer than 5
    # orders stay below k whatever the totals become.
    policy = _policy(5, "[orders.customer_id, orders.total]")
    refusal = "table orders: k=5 cannot be reached within the suppression budget"
    with pytest.raises(InvalidInput, match=refusal) as err:
        _copy(platform, admin, src, dest, policy=policy)
    assert "kept exact, as keys: customer_id" in str(err.value)
    assert "C1" not in str(err.value)  # names and counts, never a value
    if backend == "sqlite":
        assert not Path(dest.removeprefix("sqlite:///")).exists()
    else:
        assert inspect(create_engine(dest)).get_table_names() == []
    with pytest.raises(InvalidInput, match="table customers: the table has 60 rows, fewer than k"):
        _copy(platform, admin, src, dest, policy=_policy(61, "[customers.zip]"))
