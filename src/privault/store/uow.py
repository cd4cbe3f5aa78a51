"""Units of work: one transaction per use case; repositories never commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError as DbIntegrityError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from privault.core.errors import Busy, ConfigurationError, Conflict, IntegrityError
from privault.store.engine import READ_ONLY, WRITE_WAIT_S, write_lock


class UnitOfWork:
    """Opens transactions on one engine.

    ``with uow.transaction() as conn:`` commits when the block ends normally
    and rolls back on any exception, so a use case is all-or-nothing.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = write_lock(engine)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Yield a connection inside one transaction.

        Raises:
            ConfigurationError: when the database cannot be reached.
            Busy: when no pooled connection became free in time (overload).
            Conflict: when a constraint rejects the write (duplicate key…).
            IntegrityError: when the database rejects the write otherwise.

        """
        lock = self._lock
        if lock is None:
            with _mapped_errors(), self.engine.begin() as conn:
                yield conn
            return
        # SQLite: writers of this file, in this process and others, queue here
        # and wake soon after the one before them has committed
        # (see privault.store.writer).
        with _mapped_errors(), self.engine.connect() as conn:
            if not lock.acquire(timeout=WRITE_WAIT_S):
                raise Busy("the database is busy (a write waited too long); retry")
            try:
                with conn.begin():
                    yield conn
            finally:
                lock.release()
            # Closing returns the connection to the pool, which runs the
            # after-commit hooks (audit delivery, monitoring) outside the lock.

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Yield a connection inside one read-only transaction (a consistent snapshot).

        On SQLite it does not take the write lock, so reads never queue behind
        writers, and a write inside it fails (``query_only``). Raises as
        :meth:`transaction`.
        """
        with _mapped_errors(), self.engine.connect() as conn:
            conn.execution_options(**{READ_ONLY: True})
            with conn.begin():
                yield conn


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """Map driver errors to the error tree, never quoting statement parameters."""
    try:
        yield
    except OperationalError as exc:
        # The driver's first line ("database is locked", "connection
        # refused") helps; later lines may quote parameters, so drop them.
        first = str(exc.orig).strip().splitlines()[0][:200] if exc.orig else "unavailable"
        raise ConfigurationError(f"database error: {first}") from None
    except PoolTimeout:
        raise Busy("the database is busy (no connection free in time); retry") from None
    except DbIntegrityError:
        raise Conflict(
            "the write conflicts with existing data (duplicate or missing parent)"
        ) from None
    except SQLAlchemyError as exc:
        # Never chain: the DBAPI error carries the statement's parameters.
        raise IntegrityError(f"database rejected the write ({type(exc).__name__})") from None
