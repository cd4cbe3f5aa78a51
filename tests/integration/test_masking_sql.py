"""Masked database copies through the service, on SQLite and PostgreSQL (and mixed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from privault.app.bootstrap import Platform
from privault.app.masking_sql import DatabaseOptions
from privault.core.context import RequestContext
from privault.core.errors import Conflict, IntegrityError, InvalidInput
from privault.core.secret import Secret
from privault.deid import load_policy
from tests.support.shopdb import (
    JOINS,
    SHOP_POLICY,
    Interrupted,
    MakeUrl,
    assert_no_pii_survives,
    build_shop,
    pii_values,
    rows_of,
    scalar,
    url_maker,
)

KEY = Secret(bytes(range(32)))
OTHER_KEY = Secret(bytes(range(1, 33)))


@pytest.fixture
def make_url(tmp_path: Path, backend: str) -> MakeUrl:
    return url_maker(tmp_path, backend)


def _structure(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        insp = inspect(engine)
        found = {}
        for t in sorted(n for n in insp.get_table_names() if not n.startswith("_privault")):
            fks = sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in insp.get_foreign_keys(t)
            )
            found[t] = {
                "columns": [(c["name"], c["nullable"]) for c in insp.get_columns(t)],
                "pk": insp.get_pk_constraint(t)["constrained_columns"],
                "fks": fks,
                "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(t)),
            }
        return found
    finally:
        engine.dispose()


def _copy(platform: Platform, admin: RequestContext, src: str, dst: str, **kw: Any) -> Any:
    policy = load_policy(kw.pop("policy", SHOP_POLICY))
    key = kw.pop("key", KEY)
    progress = kw.pop("progress", None)
    return platform.masking.mask_database(
        admin, src, dst, policy, key, options=DatabaseOptions(**kw), progress=progress
    )


def test_copy_keeps_schema_and_joins_and_leaks_no_pii(
    platform: Platform, admin: RequestContext, make_url: MakeUrl
) -> None:
    src, dst = make_url("shop"), make_url("masked")
    data = build_shop(src, customers=120)
    report = _copy(platform, admin, src, dst, batch_rows=97)
    assert _structure(dst) == _structure(src)
    for name, sql in JOINS.items():
        assert scalar(dst, sql) == scalar(src, sql), name
    assert_no_pii_survives(data, dst)
    # the free text was scanned and its PII replaced, not dropped
    notes = [r[4] for r in rows_of(dst)["orders"] if r[4] and r[4].startswith("Call ")]
    assert len(notes) == 180
    by_table = {t.source: t for t in report.tables}
    assert [t.source for t in report.tables] == ["customers", "orders", "order_items"]
    assert by_table["orders"].rows_out == 360
    cols = {c.column: c for c in by_table["orders"].columns}
    assert cols["customer_code"].reason == "foreign key -> customers.code"
    assert cols["customer_code"].rule == "hash"
    assert cols["note"].entities["EMAIL_ADDRESS"] == 180
    risk = by_table["customers"].risk
    assert risk is not None and risk.quasi_identifiers == ("zip", "born") and risk.rows == 120
    assert scalar(dst, "SELECT status FROM _privault_mask_state WHERE name = '*'") == "complete"
    events = platform.audit.search(action="mask.run")
    assert events[-1].detail["rows"] == report.rows == 120 + 360 + len(data["order_items"])
    assert events[-1].detail["tables"]["orders"]["note"] == "detect"
    dumped = json.dumps([e.detail for e in events], default=str)
    assert not [v for v in pii_values(data) if v in dumped]


@pytest.mark.parametrize(
    ("policy", "error", "words"),
    [
        # a column no table has
        ("columns: {customers.code: hash, nickname: keep}\n", InvalidInput, "nickname"),
        # table.column with an unknown column
        ("columns: {customers.nope: hash}\n", InvalidInput, "customers.nope"),
        # an unknown operator
        ("columns: {customers.name: scramble}\n", InvalidInput, "scramble"),
        # an unknown PII type
        ("entities: {NOT_A_TYPE: hash}\n", InvalidInput, "NOT_A_TYPE"),
        # a random operator on a key referenced by orders
        (
            "columns: {customers.code: {operator: encrypt, mode: random}}\n",
            InvalidInput,
            "one-to-one",
        ),
        # a many-to-one operator on a UNIQUE column
        ("columns: {customers.email: fake, customers.code: hash}\n", InvalidInput, "UNIQUE"),
        # a foreign key masked differently from the key it references
        (
            "columns: {customers.code: hash, orders.customer_code: keep}\nunlisted: keep\n",
            InvalidInput,
            "inherit",
        ),
        # a string key left to detection
        ("unlisted: detect\n", InvalidInput, "customers.code"),
    ],
)
def test_bad_policies_are_refused_before_dest_is_touched(
    platform: Platform,
    admin: RequestContext,
    make_url: MakeUrl,
    policy: str,
    error: type[Exception],
    words: str,
) -> None:
    src, dest = make_url("shop"), make_url("masked")
    build_shop(src, customers=5)
    with pytest.raises(error, match=words):
        _copy(platform, admin, src, dest, policy=policy)
    assert_untouched(dest)


def assert_untouched(url: str) -> None:
    """A SQLite DEST file was not even created; a PostgreSQL DEST has no table."""
    if url.startswith("sqlite"):
        assert not Path(url.removeprefix("sqlite:///")).exists()
    else:
        engine = create_engine(url)
        try:
            assert inspect(engine).get_table_names() == []
        finally:
            engine.dispose()


def test_unknown_type_from_types_option_is_refused(
    platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    src, dest = f"sqlite:///{tmp_path / 'shop.db'}", tmp_path / "masked.db"
    build_shop(src, customers=5)
    with pytest.raises(InvalidInput, match="BOGUS"):
        _copy(platform, admin, src, f"sqlite:///{dest}", pii_types={"customers": {"zip": "BOGUS"}})
    assert not dest.exists()


def test_reversible_operator_refuses_without_a_key(
    platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    src, dest = f"sqlite:///{tmp_path / 'shop.db'}", tmp_path / "masked.db"
    build_shop(src, customers=5)
    policy = "columns: {customers.code: keep, card: fpe}\nunlisted: keep\n"
    with pytest.raises(InvalidInput, match="needs a key"):
        _copy(platform, admin, src, f"sqlite:///{dest}", policy=policy, key=None)
    assert not dest.exists()


def _interrupt_after(batches: int) -> Callable[[str, int, int | None], None]:
    seen = [0]

    def progress(table: str, done: int, total: int | None) -> None:
        seen[0] += 1
        if seen[0] == batches:
            raise Interrupted(table)

    return progress


def test_interrupted_copy_resumes_to_the_same_result(
    platform: Platform, admin: RequestContext, make_url: MakeUrl
) -> None:
    src, whole, cut = make_url("shop"), make_url("whole"), make_url("cut")
    build_shop(src, customers=100)
    expected = _copy(platform, admin, src, whole, batch_rows=40)
    with pytest.raises(Interrupted, match="orders"):
        _copy(platform, admin, src, cut, batch_rows=40, progress=_interrupt_after(5))
    state = "SELECT status FROM _privault_mask_state WHERE name = '{}'"
    assert scalar(cut, state.format("*")) == "incomplete"
    assert scalar(cut, state.format("customers")) == "done"
    assert scalar(cut, state.format("orders")) == "copying"
    assert 0 < scalar(cut, "SELECT count(*) FROM orders") < 300
    with pytest.raises(Conflict, match="--resume"):
        _copy(platform, admin, src, cut, batch_rows=40)
    with pytest.raises(Conflict, match="another policy"):
        _copy(platform, admin, src, cut, batch_rows=40, resume=True, key=OTHER_KEY)
    # a different batch size does not change the result
    resumed = _copy(platform, admin, src, cut, batch_rows=64, resume=True)
    assert resumed.resumed and rows_of(cut) == rows_of(whole)
    assert [t.to_dict() | {"seconds": 0} for t in resumed.tables] == [
        t.to_dict() | {"seconds": 0} for t in expected.tables
    ]
    assert scalar(cut, state.format("*")) == "complete"
    with pytest.raises(Conflict, match="complete masked copy"):
        _copy(platform, admin, src, cut)
    again = _copy(platform, admin, src, cut, restart=True)
    assert not again.resumed and rows_of(cut) == rows_of(whole)


def test_foreign_tables_in_dest_are_never_overwritten(
    platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    src, dst = f"sqlite:///{tmp_path / 'shop.db'}", f"sqlite:///{tmp_path / 'other.db'}"
    build_shop(src, customers=5)
    build_shop(dst, customers=3, seed=9)
    for restart in (False, True):
        with pytest.raises(Conflict, match="not made by privault"):
            _copy(platform, admin, src, dst, restart=restart)
    assert scalar(dst, "SELECT count(*) FROM customers") == 3
    with pytest.raises(Conflict, match="nothing to resume"):
        _copy(platform, admin, src, f"sqlite:///{tmp_path / 'empty.db'}", resume=True)


@pytest.mark.parametrize("direction", ["sqlite->postgres", "postgres->sqlite"])
def test_mixed_directions(
    sqlite_platform: Platform, admin: RequestContext, tmp_path: Path, direction: str
) -> None:
    sqlite = url_maker(tmp_path, "sqlite")
    pg = url_maker(tmp_path, "postgres")
    src, dst = (
        (sqlite("shop"), pg("masked"))
        if direction.startswith("sqlite")
        else (pg("shop"), sqlite("masked"))
    )
    data = build_shop(src, customers=80)
    _copy(sqlite_platform, admin, src, dst, batch_rows=50)
    assert set(_structure(dst)) == set(_structure(src))
    for name, sql in JOINS.items():
        assert scalar(dst, sql) == scalar(src, sql), name
    assert_no_pii_survives(data, dst)


def _odd_database(url: str) -> None:
    """A self-referencing key, a table without any key, typed values."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE staff (id INTEGER PRIMARY KEY, email VARCHAR(80) NOT NULL UNIQUE,"
                " boss_email VARCHAR(80) REFERENCES staff (email), hired TIMESTAMP,"
                " pay NUMERIC(9, 2))"
            )
        )
        conn.execute(text("CREATE TABLE log (at INTEGER, who VARCHAR(80), msg TEXT)"))
        conn.execute(text("CREATE INDEX ix_log_at ON log (at)"))
        conn.execute(text("CREATE TABLE accounts (login VARCHAR(80) PRIMARY KEY, tier INTEGER)"))
        for i in range(30):
            conn.execute(text(f"INSERT INTO accounts VALUES ('u{i}@staff.example', {i % 3})"))
        for i in range(1, 41):
            boss = "NULL" if i == 1 else f"'p{(i - 1) // 3 + 1}@staff.example'"
            conn.execute(
                text(
                    f"INSERT INTO staff VALUES ({i}, 'p{i}@staff.example', {boss}, "
                    f"'2020-01-{1 + i % 28:02d} 09:30:00', {1000 + i}.25)"
                )
            )
        for i in range(95):  # duplicates on purpose: no key, only whole rows
            conn.execute(
                text("INSERT INTO log VALUES (:a, :w, :m)"),
                {"a": i % 30, "w": f"p{i % 40 + 1}@staff.example", "m": "checked in"},
            )
    engine.dispose()


ODD_POLICY = """
columns:
  email: {operator: hash, length: 20}
  log.who: {operator: hash, length: 20}
  accounts.login: hash
  msg: keep
"""


def test_self_references_keyless_tables_and_types(
    platform: Platform, admin: RequestContext, make_url: MakeUrl
) -> None:
    src, whole, cut = make_url("odd"), make_url("whole"), make_url("cut")
    _odd_database(src)
    report = _copy(platform, admin, src, whole, policy=ODD_POLICY, batch_rows=7)
    staff = {c.column: c for c in next(t for t in report.tables if t.source == "staff").columns}
    assert staff["boss_email"].reason == "foreign key -> staff.email"
    boss_join = "SELECT count(*) FROM staff s JOIN staff b ON s.boss_email = b.email"
    assert scalar(whole, boss_join) == scalar(src, boss_join) == 39
    assert scalar(whole, "SELECT count(*) FROM log") == 95
    assert scalar(whole, "SELECT count(*) FROM log WHERE who LIKE '%@%'") == 0
    assert scalar(whole, "SELECT sum(pay) FROM staff") == scalar(src, "SELECT sum(pay) FROM staff")
    # interrupted inside the keyless table: resumed by position, same result
    with pytest.raises(Interrupted, match="log"):
        _copy(
            platform, admin, src, cut, policy=ODD_POLICY, batch_rows=7, progress=_interrupt_after(9)
        )
    _copy(platform, admin, src, cut, policy=ODD_POLICY, batch_rows=11, resume=True)
    query = "SELECT * FROM {} ORDER BY 1, 2, 3"
    for table in ("staff", "log"):
        engine_a, engine_b = create_engine(whole), create_engine(cut)
        with engine_a.connect() as a, engine_b.connect() as b:
            assert [tuple(r) for r in a.execute(text(query.format(table)))] == [
                tuple(r) for r in b.execute(text(query.format(table)))
            ]
        engine_a.dispose()
        engine_b.dispose()
    # the last key of a masked key column is stored encrypted, never in clear
    keys = "SELECT last_key FROM _privault_mask_state WHERE name = '{}'"
    assert scalar(cut, keys.format("staff")) == '[["v", 40]]'  # an id copied as it is
    assert "staff.example" not in scalar(cut, keys.format("accounts"))
    for table in ("accounts", "staff", "log", "_privault_mask_state"):
        dump = str(rows_of_any(cut, table))
        assert "staff.example" not in dump, table


def rows_of_any(url: str, table: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table}"))]
    finally:
        engine.dispose()


def test_a_refused_batch_is_one_line_without_values(
    sqlite_platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    src, dst = f"sqlite:///{tmp_path / 'dirty.db'}", f"sqlite:///{tmp_path / 'masked.db'}"
    engine = create_engine(src)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("CREATE TABLE u (id INTEGER PRIMARY KEY, n INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1, 5), (2, 9)"))
        # SQLite keeps text in an INTEGER column: the copy refuses it without showing it
        conn.execute(text("INSERT INTO u VALUES (1, 5), (2, 'Secret-Canary-77')"))
    engine.dispose()
    with pytest.raises(InvalidInput) as caught:
        _copy(sqlite_platform, admin, src, dst, policy="unlisted: keep")
    message = str(caught.value)
    assert message.startswith("table u: a value does not match") and "--resume" in message
    assert "Canary" not in message and caught.value.__cause__ is None
    assert scalar(dst, "SELECT status FROM _privault_mask_state WHERE name = '*'") == "incomplete"
    # DEST refusing a batch (a CHECK constraint someone added there): one line, no values
    engine = create_engine(dst)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE u"))
        conn.execute(text("DELETE FROM t"))
        conn.execute(text("CREATE TABLE u (id INTEGER PRIMARY KEY, n INTEGER CHECK (n < 0))"))
        conn.execute(text("UPDATE _privault_mask_state SET status = 'pending', rows_in = 0"))
    engine.dispose()
    engine = create_engine(src)
    with engine.begin() as conn:
        conn.execute(text("UPDATE u SET n = 7 WHERE id = 2"))
    engine.dispose()
    with pytest.raises(IntegrityError) as refused:
        _copy(sqlite_platform, admin, src, dst, policy="unlisted: keep", resume=True)
    assert str(refused.value).startswith("table u: a database refused a batch (IntegrityError)")
    assert refused.value.__cause__ is None
