"""SQL databases by SQLAlchemy URL: every schema and table reflected, rows sampled in SQL.

Connection errors become one clear :class:`~privault.core.errors.InvalidInput`
line that names the URL without its password; driver messages are scrubbed
of the password too, and never chained (they can quote statements).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Engine, MetaData, Table, create_engine, func, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from privault.core.errors import InvalidInput
from privault.discovery.readers.base import frame_of

__all__ = ["SqlTable", "connect", "list_tables", "safe_url"]

_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog", "pg_toast"})


def parse_url(url: str) -> URL:
    """Parse a SQLAlchemy URL.

    Raises:
        InvalidInput: malformed (the message does not quote the URL).

    """
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise InvalidInput("malformed database URL") from None


def safe_url(url: URL | str) -> str:
    """The URL as text with its password removed."""
    parsed = parse_url(url) if isinstance(url, str) else url
    bare = URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return bare.render_as_string(hide_password=False)


def _scrub(message: str, url: URL) -> str:
    first = (message.strip().splitlines() or ["unavailable"])[0][:200]
    if url.password:
        first = first.replace(str(url.password), "***")
    return first


def connect(url: str) -> Engine:
    """Create an engine for a scan target and check that it connects.

    Raises:
        InvalidInput: malformed URL, unknown driver, or the database refuses
            the connection (wrong host, database or credentials).

    """
    parsed = parse_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    args: dict[str, Any] = (
        {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    )
    try:
        engine = create_engine(parsed, connect_args=args, pool_pre_ping=True)
    except (NoSuchModuleError, ArgumentError, ImportError):
        raise InvalidInput(f"unsupported database URL scheme {parsed.drivername!r}") from None
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = _scrub(str(getattr(exc, "orig", None) or type(exc).__name__), parsed)
        raise InvalidInput(f"cannot connect to {safe_url(parsed)}: {reason}") from None
    return engine


def list_tables(engine: Engine) -> list[tuple[str | None, str]]:
    """Every (schema, table) of the database; schema None for SQLite's main."""
    found: list[tuple[str | None, str]] = []
    inspector = inspect(engine)
    if engine.dialect.name == "sqlite":
        return [(None, t) for t in sorted(inspector.get_table_names())]
    for schema in sorted(inspector.get_schema_names()):
        if schema in _SYSTEM_SCHEMAS or schema.startswith("pg_"):
            continue
        found += [(schema, t) for t in sorted(inspector.get_table_names(schema=schema))]
    return found


@dataclass(frozen=True, slots=True)
class SqlTable:
    """One reflected table; rows are sampled with ``ORDER BY random()`` in the database."""

    name: str
    engine: Engine
    schema: str | None
    table: str
    document: bool = False

    def _reflect(self) -> Table:
        return Table(self.table, MetaData(), schema=self.schema, autoload_with=self.engine)

    def sample(self, size: int, seed: int) -> tuple[pl.DataFrame, int]:
        """Draw ``size`` random rows (the database's random(), spread over the whole table)."""
        del seed  # SQL random() is not seedable portably
        table = self._reflect()
        with self.engine.connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            query = select(table)
            if total > size:
                query = query.order_by(func.random()).limit(size)
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return frame_of([c.name for c in table.columns], rows), total

    def batches(self, rows: int) -> Iterator[pl.DataFrame]:
        """Stream every row with a server-side cursor, ``rows`` at a time."""
        table = self._reflect()
        columns = [c.name for c in table.columns]
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=rows).execute(
                select(table)
            )
            for part in result.partitions(rows):
                yield frame_of(columns, [dict(r._mapping) for r in part])
