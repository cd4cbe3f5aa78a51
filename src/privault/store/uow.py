"""Units of work: one transaction per use case; repositories never commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError as DbIntegrityError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from privault.core.errors import Busy, ConfigurationError, Conflict, IntegrityError


class UnitOfWork:
    """Opens transactions on one engine.

    ``with uow.transaction() as conn:`` commits when the block ends normally
    and rolls back on any exception, so a use case is all-or-nothing.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Yield a connection inside one transaction.

        Raises:
            ConfigurationError: when the database cannot be reached.
            Busy: when no pooled connection became free in time (overload).
            Conflict: when a constraint rejects the write (duplicate key…).
            IntegrityError: when the database rejects the write otherwise.

        """
        try:
            with self.engine.begin() as conn:
                yield conn
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
