"""The SQLite writer lock: one writer at a time across threads and processes, handed on at once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text

from privault.store.engine import make_engine, write_lock
from privault.store.uow import UnitOfWork
from privault.store.writer import WriterLock

# A second process: take the lock, say so, hold it until stdin closes.
HOLDER = """
import sys
from pathlib import Path
from privault.store.writer import WriterLock
lock = WriterLock(Path(sys.argv[1]))
assert lock.acquire(timeout=5)
print("held", flush=True)
sys.stdin.read()
lock.release()
print("released", flush=True)
sys.stdin.close()
"""


def _holder(database: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_writer_of_another_process_waits_and_takes_over_when_released(tmp_path: Path) -> None:
    database = tmp_path / "privault.db"
    holder = _holder(database)
    lock = WriterLock(database)
    try:
        started = time.monotonic()
        assert not lock.acquire(timeout=0.2)  # held elsewhere: refused at the deadline
        assert time.monotonic() - started >= 0.2
        got: list[float] = []

        def wait_for_it() -> None:
            if lock.acquire(timeout=10):
                got.append(time.monotonic())
                lock.release()

        waiter = threading.Thread(target=wait_for_it)
        waiter.start()
        time.sleep(0.1)
        assert got == []  # still waiting
        assert holder.stdin is not None
        holder.stdin.close()  # the other process releases
        released_at = time.monotonic()
        waiter.join(10)
        assert len(got) == 1 and got[0] - released_at < 1.0
    finally:
        if holder.stdin is not None and not holder.stdin.closed:
            holder.stdin.close()
        holder.wait(10)


def test_the_file_lock_is_held_until_the_outermost_release(tmp_path: Path) -> None:
    database = tmp_path / "privault.db"
    lock, other = WriterLock(database), WriterLock(database)  # two "processes" (own fds)
    assert lock.acquire(timeout=1)
    assert lock.acquire(timeout=1)  # re-entered by the same thread
    lock.release()
    assert not other.acquire(timeout=0.05)  # still held: one release to go
    lock.release()
    assert other.acquire(timeout=1)
    other.release()


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path / "privault.db")
    inside: list[int] = []
    overlaps: list[int] = []

    def write(i: int) -> None:
        for _ in range(20):
            assert lock.acquire(timeout=10)
            try:
                if inside:
                    overlaps.append(i)
                inside.append(i)
                time.sleep(0.0005)
                inside.pop()
            finally:
                lock.release()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert overlaps == []


def test_units_of_work_on_a_sqlite_file_write_under_the_lock(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'privault.db'}")
    try:
        lock = write_lock(engine)
        assert isinstance(lock, WriterLock)
        with UnitOfWork(engine).transaction() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            # Another process's writer would be refused now.
            assert not WriterLock(tmp_path / "privault.db").acquire(timeout=0.05)
        assert WriterLock(tmp_path / "privault.db").acquire(timeout=1)
        assert write_lock(make_engine("sqlite://")) is None  # in memory: one process only
    finally:
        engine.dispose()
