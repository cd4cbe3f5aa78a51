"""Engine construction for SQLite (embedded, WAL) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.pool import StaticPool

from privault.core.errors import ConfigurationError
from privault.store.writer import WriterLock

#: Execution option a unit of work sets on a read-only transaction.
READ_ONLY = "privault_read_only"
#: Longest wait for a SQLite file's writer lock (as ``busy_timeout``).
WRITE_WAIT_S = 10.0
_QUERY_ONLY = "privault_query_only"
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, WriterLock] = weakref.WeakKeyDictionary()

# Sized for the server: request lanes, job workers, the monitor and the
# schedulers each hold connections, and one request may hold a data and a
# key-store connection at once (see privault.interfaces.api.lanes).
POOL: dict[str, Any] = {"pool_size": 10, "max_overflow": 40, "pool_timeout": 30}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL for concurrent readers; secure_delete zeroes freed pages so deleted
    # key material does not linger in the file.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA secure_delete=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with privault's connection settings.

    Raises:
        ConfigurationError: for a malformed or unsupported URL.

    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError("malformed database URL") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, future=True, **POOL)
        _ping_when_idle(engine)
        return engine
    raise ConfigurationError(f"unsupported database backend {parsed.get_backend_name()!r}")


#: A pooled PostgreSQL connection idle longer than this is pinged before use.
PING_AFTER_IDLE_S = 10.0
_IDLE_SINCE = "privault_idle_since"


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection with a round trip only when it sat idle a while.

    ``pool_pre_ping`` pings on every checkout: one extra round trip per unit of
    work, which a busy server pays many times per request. A connection in
    steady use is known alive; one idle past :data:`PING_AFTER_IDLE_S` (a
    database restart, a firewall dropping idle sessions) is pinged, and a dead
    one is replaced before anyone uses it (SQLAlchemy's pessimistic
    disconnect handling, with a threshold).
    """

    @event.listens_for(engine.pool, "checkin")
    def _idle(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception:
            raise DisconnectionError("stale pooled connection") from None


def _sqlite_engine(url: str, database: str | None) -> Engine:
    # SQLite's isolation: let SQLAlchemy issue BEGIN so transactions are real.
    memory = not database or database == ":memory:"
    if not memory and database is not None:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = StaticPool
    else:
        kwargs.update(POOL)
    engine = create_engine(url, future=True, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "connect")
    def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None

    _begin_by_mode(engine, None if memory else Path(str(database)))
    return engine


def _begin_by_mode(engine: Engine, database: Path | None) -> None:
    """Begin SQLite transactions: deferred for reads, IMMEDIATE for writes.

    WAL readers never wait, so a read-only unit of work (``READ_ONLY``) takes
    a plain deferred ``BEGIN`` on a connection set ``query_only`` (a write
    there fails instead of racing for the lock); writers take SQLite's write
    lock up front.
    Writers of a file also queue on its :func:`write_lock` (the unit of work
    takes it), so they wake soon after the writer before them commits,
    in this process or another, instead of polling SQLite's lock with its
    sleeping busy handler.
    """
    if database is not None:
        _WRITE_LOCKS[engine] = WriterLock(database)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        read_only = bool(conn.get_execution_options().get(READ_ONLY))
        if conn.info.get(_QUERY_ONLY, False) != read_only:  # enforce: reads cannot write
            conn.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            conn.info[_QUERY_ONLY] = read_only
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def write_lock(engine: Engine) -> WriterLock | None:
    """The writer lock of a SQLite file engine (None: no such lock)."""
    return _WRITE_LOCKS.get(engine)
