"""Fast bulk inserts: one compiled statement, rows passed straight to the driver.

SQLAlchemy's executemany processes every parameter of every row in Python;
for the vault's hot path (thousands of field rows of bytes and strings) that
costs more than the encryption. Here the INSERT is compiled once per dialect
and table, and the rows go to the DBAPI ``executemany`` as they are — still a
parameterised statement, never string-built SQL. Use it only for columns whose
values the driver takes natively (str, bytes, int, None), not datetimes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Table,
    Text,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

_CACHE: dict[tuple[str, str, tuple[str, ...]], tuple[str, tuple[str, ...] | None]] = {}
FIELD_COLUMNS = ("record_id", "field", "ciphertext", "blind_index", "token")


def insert_rows(
    conn: Connection, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT ``rows`` (tuples in ``columns`` order) into ``table`` in one executemany."""
    if not rows:
        return
    key = (conn.dialect.name, table.name, columns)
    compiled = _CACHE.get(key)
    if compiled is None:
        stmt = insert(table).values({c: None for c in columns}).compile(dialect=conn.dialect)
        positions = tuple(stmt.positiontup) if stmt.positional and stmt.positiontup else None
        compiled = _CACHE[key] = (str(stmt), positions)
    sql, positions = compiled
    params: list[Any]
    if positions is None:  # named paramstyle (psycopg)
        params = [dict(zip(columns, row, strict=True)) for row in rows]
    elif positions == columns:  # qmark in our order (sqlite)
        params = list(rows)
    else:
        order = [columns.index(c) for c in positions]
        params = [tuple(row[i] for i in order) for row in rows]
    conn.exec_driver_sql(sql, params)


def member_of(
    conn: Connection, column: ColumnElement[Any], values: Sequence[str]
) -> ColumnElement[bool]:
    """``column IN (values)`` with one bound parameter, however many values.

    A plain ``IN`` binds one parameter per value, which SQLAlchemy expands and
    processes on every execution; here the list travels as one parameter (an
    array on PostgreSQL, a JSON array read by ``json_each`` on SQLite), so
    the statement compiles once and stays parameterised.
    """
    if conn.dialect.name == "postgresql":
        # unnest, not "= ANY(array)": a prepared statement's generic plan would
        # scan the array once per row; a set of rows lets the planner join.
        array = bindparam(None, list(values), type_=ARRAY(Text), unique=True)
        return column.in_(select(func.unnest(array)))
    members = func.json_each(bindparam(None, json.dumps(list(values)), unique=True))
    return column.in_(select(members.table_valued("value").c.value))


def insert_new(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows``, skipping any whose primary key is stored already.

    For rows two writers may create at once with the same key and equivalent
    content (a deterministic token, a subject's first data key): the first
    stored wins and the other is not an error (``ON CONFLICT DO NOTHING`` on
    SQLite and PostgreSQL).
    """
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    keys = [c.name for c in table.primary_key.columns]
    conn.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=keys), list(rows))
