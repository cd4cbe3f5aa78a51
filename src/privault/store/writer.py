"""The writer lock of a SQLite file: one writer at a time, across threads and processes.

SQLite lets one connection write at a time. A writer that finds the file
locked polls with SQLite's busy handler, whose sleeps grow (1, 2, 5, 10, 15,
20, 25 … 100 ms): two server processes writing an audit event per request
then wait tens of milliseconds where the lock was free after one. Writers
queue here instead: threads of this process on a lock that wakes the next one
the moment the writer before it commits, and the process that holds it owns
an exclusive ``flock`` on ``<database>-writer``, which writers of other
processes (``privault serve --workers``, a CLI beside the server) take in turn,
polling it at :data:`POLL_S`.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux/macOS: threads of this process only
    fcntl = None  # type: ignore[assignment]

#: How often a writer of another process looks at a held file lock again.
POLL_S = 0.0002


class WriterLock:
    """Exclusive write access to one SQLite file (re-entrant within a thread)."""

    def __init__(self, database: Path) -> None:
        self._threads = threading.RLock()
        self._path = database.with_name(database.name + "-writer")
        self._fd: int | None = None
        self._depth = 0  # re-entries of the thread holding it

    def acquire(self, timeout: float) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds; False when it did not come."""
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            return False
        if self._depth == 0 and not self._lock_file(deadline):
            self._threads.release()
            return False
        self._depth += 1
        return True

    def release(self) -> None:
        """Give the lock back (the file lock once the outermost holder is done)."""
        self._depth -= 1
        if self._depth == 0 and self._fd is not None and fcntl is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def _lock_file(self, deadline: float) -> bool:
        if fcntl is None:
            return True
        if self._fd is None:  # not inherited by processes this one starts (O_CLOEXEC)
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            weakref.finalize(self, os.close, self._fd)
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(POLL_S)
