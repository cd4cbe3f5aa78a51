"""Progress of a database copy, kept in DEST so an interrupted copy can resume.

``_privault_mask_state`` has one row per table (status ``pending``,
``copying`` or ``done``; the last key copied; rows in and out; the column
statistics of the report so far) and one job row named ``*`` whose status is
``incomplete`` from before the first row is written until the copy is audited
and finished, then ``complete``. Every batch is inserted together with its
state update in one DEST transaction, so the state never disagrees with the
rows. The fingerprint (policy, source, PII types, key) ties the state to its
copy: ``--resume`` under anything else is refused. Keys are stored as typed
JSON; no masked or source value other than the last key is kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    tuple_,
    update,
)

from privault.app.masking_sqlschema import STATE_TABLE
from privault.deid.operators import Operator
from privault.deid.sql import TableShape
from privault.deid.table import ColumnStats, TablePlan

__all__ = [
    "JOB",
    "Cursor",
    "TableState",
    "decode_key",
    "encode_key",
    "key_columns",
    "state_table",
]

JOB = "*"


def state_table(meta: MetaData) -> Table:
    """The state table, defined in ``meta``."""
    return Table(
        STATE_TABLE,
        meta,
        Column("name", String(300), primary_key=True),
        Column("status", String(20), nullable=False),
        Column("fingerprint", String(64), nullable=False),
        Column("last_key", Text, nullable=True),
        Column("rows_in", BigInteger, nullable=False),
        Column("rows_out", BigInteger, nullable=False),
        Column("stats", Text, nullable=False),
    )


@dataclass(frozen=True, slots=True)
class TableState:
    """One state row."""

    name: str
    status: str
    fingerprint: str
    last_key: str | None
    rows_in: int
    rows_out: int
    stats: str


def read_states(conn: Connection, table: Table) -> dict[str, TableState]:
    """Every state row by name."""
    return {r.name: TableState(*r) for r in conn.execute(select(table))}


def start(
    conn: Connection, table: Table, fingerprint: str, names: Sequence[str], job: str = "{}"
) -> None:
    """Mark the copy incomplete and every table pending (before any row is written).

    ``job`` is kept in the job row's ``stats``: what the whole copy must reuse
    when resumed (the k-anonymity levels), never a value.
    """
    rows = [
        {
            "name": n,
            "status": "incomplete" if n == JOB else "pending",
            "fingerprint": fingerprint,
            "last_key": None,
            "rows_in": 0,
            "rows_out": 0,
            "stats": job if n == JOB else "{}",
        }
        for n in (JOB, *names)
    ]
    conn.execute(insert(table), rows)


def save(conn: Connection, table: Table, name: str, **values: Any) -> None:
    """Update one state row."""
    conn.execute(update(table).where(table.c.name == name).values(**values))


def dump_stats(stats: dict[str, ColumnStats]) -> str:
    """The report's column statistics as JSON (counts and type names only)."""
    return json.dumps({c: [s.changed, dict(s.entities)] for c, s in stats.items()}, sort_keys=True)


def load_stats(text: str, into: dict[str, ColumnStats]) -> None:
    """Restore statistics saved by :func:`dump_stats`."""
    for column, (changed, entities) in json.loads(text).items():
        if column in into:
            into[column].changed = int(changed)
            into[column].entities = Counter({str(k): int(v) for k, v in entities.items()})


def _tag(value: Any) -> list[Any]:
    if value is None or isinstance(value, bool | int | float | str):
        return ["v", value]
    if isinstance(value, dt.datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, dt.time):
        return ["t", value.isoformat()]
    if isinstance(value, Decimal):
        return ["n", str(value)]
    if isinstance(value, bytes):
        return ["b", value.hex()]
    return ["v", str(value)]


_UNTAG: dict[str, Any] = {
    "v": lambda v: v,
    "dt": dt.datetime.fromisoformat,
    "d": dt.date.fromisoformat,
    "t": dt.time.fromisoformat,
    "n": Decimal,
    "b": bytes.fromhex,
}


def encode_key(values: Sequence[Any]) -> str:
    """A key tuple as typed JSON."""
    return json.dumps([_tag(v) for v in values])


def decode_key(text: str) -> tuple[Any, ...]:
    """The key tuple :func:`encode_key` wrote."""
    return tuple(_UNTAG[tag](value) for tag, value in json.loads(text))


def key_columns(shape: TableShape, table: Table) -> tuple[str, ...]:
    """The columns pages are ordered by: the primary key, else a NOT NULL unique key."""
    if shape.primary_key:
        return shape.primary_key
    for unique in shape.unique:
        if all(not table.c[c].nullable for c in unique):
            return unique
    return ()


class Cursor:
    """Where a table's copy stands: the last key (keyset pages) or the rows read (offset).

    Args:
        shape: the table's keys.
        table: the reflected source table.
        codec: encrypts the stored last key (None: stored as typed JSON).

    """

    def __init__(self, shape: TableShape, table: Table, codec: Operator[Any] | None) -> None:
        self.keys = key_columns(shape, table)
        self.table, self.codec = table, codec
        self.last: tuple[Any, ...] | None = None
        self.rows_in = self.rows_out = 0
        self._positions = [list(table.c.keys()).index(k) for k in self.keys]

    def restore(self, state: TableState) -> None:
        """Continue from a saved state row."""
        self.rows_in, self.rows_out = state.rows_in, state.rows_out
        if state.last_key is not None:
            text = state.last_key if self.codec is None else self.codec.reverse(state.last_key)
            self.last = decode_key(text)

    def page(self, size: int) -> Any:
        """The SELECT of the next ``size`` rows."""
        t = self.table
        if not self.keys:
            return select(t).order_by(*t.c).offset(self.rows_in).limit(size)
        cols = [t.c[k] for k in self.keys]
        query = select(t).order_by(*cols).limit(size)
        if self.last is not None:
            if len(cols) == 1:
                query = query.where(cols[0] > self.last[0])
            else:
                query = query.where(tuple_(*cols) > tuple_(*self.last))
        return query

    def advance(self, rows: Sequence[Any], written: int) -> None:
        """Record a copied page."""
        self.rows_in += len(rows)
        self.rows_out += written
        if self.keys:
            self.last = tuple(rows[-1][i] for i in self._positions)

    def saved(self, plan: TablePlan) -> dict[str, Any]:
        """The state row values after the last page (the key encrypted by ``codec``)."""
        key = None
        if self.last is not None:
            text = encode_key(self.last)
            key = text if self.codec is None else self.codec.apply(text)
        return {
            "status": "copying",
            "last_key": key,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "stats": dump_stats(plan.stats),
        }
