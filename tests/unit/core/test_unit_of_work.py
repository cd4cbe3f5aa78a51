"""Units of work on SQLite: reads never queue behind writers; writers queue in-process."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from privault.core.errors import ConfigurationError, Conflict
from privault.store.engine import make_engine
from privault.store.uow import UnitOfWork


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'uow.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO t VALUES (0, 0)"))
    return engine


def test_a_read_does_not_wait_for_an_open_write(engine: Engine) -> None:
    uow = UnitOfWork(engine)
    with uow.transaction() as writer:
        writer.execute(text("UPDATE t SET v = 1 WHERE k = 0"))
        # Another thread reads while this write transaction holds SQLite's
        # write lock: it sees the last committed value at once.
        seen: list[int] = []

        def read() -> None:
            with uow.read() as conn:
                seen.append(conn.execute(text("SELECT v FROM t WHERE k = 0")).scalar_one())

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=5)
        assert not reader.is_alive()
        assert seen == [0]
    with uow.read() as conn:
        assert conn.execute(text("SELECT v FROM t")).scalar_one() == 1


def test_a_write_inside_a_read_is_refused(engine: Engine) -> None:
    uow = UnitOfWork(engine)
    with pytest.raises(ConfigurationError, match="readonly"), uow.read() as conn:
        conn.execute(text("INSERT INTO t VALUES (1, 1)"))
    with uow.transaction() as conn:  # the same pooled connection writes again afterwards
        conn.execute(text("INSERT INTO t VALUES (1, 1)"))
    with uow.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 2


def test_concurrent_writers_all_commit(engine: Engine) -> None:
    uow = UnitOfWork(engine)
    errors: list[BaseException] = []

    def bump(n: int) -> None:
        try:
            for _ in range(n):
                with uow.transaction() as conn:
                    v = conn.execute(text("SELECT v FROM t WHERE k = 0")).scalar_one()
                    conn.execute(text("UPDATE t SET v = :v WHERE k = 0"), {"v": v + 1})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=bump, args=(25,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with uow.read() as conn:
        # Read-modify-write under the write lock: no update was lost.
        assert conn.execute(text("SELECT v FROM t")).scalar_one() == 200


def test_errors_are_mapped_in_both_modes(engine: Engine) -> None:
    uow = UnitOfWork(engine)
    with pytest.raises(Conflict), uow.transaction() as conn:
        conn.execute(text("INSERT INTO t VALUES (0, 9)"))
    with pytest.raises(ConfigurationError), uow.read() as conn:
        conn.execute(text("SELECT nope FROM t"))
