"""Schemas of database copies: reflect the source, create the masked tables in DEST.

Types are portable: a column whose values are kept gets the generic form of
its source type (``INTEGER``, ``VARCHAR(n)``, ``TIMESTAMP``…); a column whose
values are transformed becomes ``TEXT`` (a hash or a fake may be longer than
the source's ``VARCHAR(n)``) unless the masked values keep their type.
Primary keys, foreign keys, NOT NULL, unique constraints and plain indexes
are recreated; CHECK constraints, defaults, triggers and views are not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Time,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.types import TypeEngine

from privault.core.errors import InvalidInput
from privault.deid.sql import ForeignKeyRef, TableShape

__all__ = ["STATE_TABLE", "dest_tables", "page_frame", "polars_schema", "reflect_source"]

STATE_TABLE = "_privault_mask_state"

_BY_PYTHON: dict[type, pl.DataType] = {
    bool: pl.Boolean(),
    int: pl.Int64(),
    float: pl.Float64(),
    str: pl.String(),
    bytes: pl.Binary(),
    dt.date: pl.Date(),
    dt.time: pl.Time(),
}


def reflect_source(engine: Engine) -> tuple[MetaData, list[TableShape]]:
    """Reflect every table of the default schema (the state table excluded).

    Returns:
        The reflected metadata and each table's key structure.

    """
    meta = MetaData()
    meta.reflect(engine)
    inspector = inspect(engine)
    shapes = []
    for table in meta.sorted_tables:
        if table.name == STATE_TABLE:
            continue
        unique = [tuple(u["column_names"]) for u in inspector.get_unique_constraints(table.name)]
        unique += [tuple(i.columns.keys()) for i in table.indexes if i.unique]
        fks = tuple(
            ForeignKeyRef(
                tuple(fk.column_keys),
                fk.referred_table.name,
                tuple(e.column.name for e in fk.elements),
            )
            for fk in table.foreign_key_constraints
        )
        shapes.append(
            TableShape(
                table.name,
                tuple(c.name for c in table.columns),
                tuple(c.name for c in table.primary_key.columns),
                fks,
                tuple(dict.fromkeys(u for u in unique if u)),
            )
        )
    return meta, shapes


def _dtype(column: Column[Any]) -> pl.DataType:
    try:
        python = column.type.python_type
    except NotImplementedError:
        return pl.String()
    if python is dt.datetime:
        return pl.Datetime("us", "UTC" if getattr(column.type, "timezone", False) else None)
    if python is Decimal:
        scale = getattr(column.type, "scale", None)
        return pl.Decimal(38, scale if scale is not None else 6)
    return _BY_PYTHON.get(python, pl.String())


def polars_schema(table: Table) -> dict[str, pl.DataType]:
    """The Polars type each column is read into (String for anything exotic)."""
    return {c.name: _dtype(c) for c in table.columns}


def _generic(column: Column[Any]) -> TypeEngine[Any]:
    try:
        return column.type.as_generic()
    except NotImplementedError:
        return Text()


_FROM_POLARS: dict[type, TypeEngine[Any]] = {
    pl.Int64: BigInteger(),
    pl.Int32: BigInteger(),
    pl.Float64: Float(),
    pl.Boolean: Boolean(),
    pl.Date: Date(),
    pl.Time: Time(),
    pl.Binary: LargeBinary(),
}


def _dest_type(column: Column[Any], source: pl.DataType, out: pl.DataType) -> TypeEngine[Any]:
    if out == source:
        return _generic(column)
    if isinstance(out, pl.Datetime):
        return DateTime(timezone=out.time_zone is not None)
    return _FROM_POLARS.get(type(out), Text())


def dest_tables(
    source: MetaData,
    order: Sequence[TableShape],
    types: Mapping[str, tuple[Mapping[str, pl.DataType], Mapping[str, pl.DataType]]],
    changed: Mapping[str, frozenset[str]],
) -> MetaData:
    """The DEST tables: same names, columns, keys and constraints, portable types.

    Args:
        source: the reflected source.
        order: the tables, parents first.
        types: table -> (source Polars schema, masked Polars schema).
        changed: table -> columns whose values are transformed (TEXT when textual).

    """
    meta = MetaData()
    for shape in order:
        table = source.tables[shape.name]
        src_types, out_types = types[shape.name]
        cols: list[Any] = []
        for c in table.columns:
            if c.name not in out_types:
                continue  # dropped by the policy
            out = out_types[c.name]
            if c.name in changed[shape.name] and out == pl.String():
                kind: TypeEngine[Any] = Text()
            else:
                kind = _dest_type(c, src_types[c.name], out)
            cols.append(
                Column(
                    c.name,
                    kind,
                    primary_key=c.primary_key,
                    nullable=c.nullable,
                    autoincrement=False,
                )
            )
        for fk in shape.foreign_keys:
            refs = [f"{fk.table}.{r}" for r in fk.ref_columns]
            cols.append(ForeignKeyConstraint(list(fk.columns), refs))
        cols += [UniqueConstraint(*u) for u in shape.unique]
        new = Table(shape.name, meta, *cols)
        for index in table.indexes:
            names = list(index.columns.keys())
            if not index.unique and names and all(n in out_types for n in names):
                Index(index.name, *(new.c[n] for n in names))
    return meta


def page_frame(table: str, rows: Sequence[Any], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """One page as a typed frame; a value unlike its column's type is refused, never shown."""
    try:
        return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row", strict=False)
    except (pl.exceptions.PolarsError, TypeError, ValueError):
        raise InvalidInput(
            f"table {table}: a value does not match its column's declared type; the copy "
            "stays incomplete: fix the source, then run again with --resume",
            table=table,
        ) from None
