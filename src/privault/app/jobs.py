"""A small background job runner: bounded worker threads over persisted job rows.

```
submit ──▶ row "queued" (caller's transaction) ──▶ worker thread
             running ──▶ progress … ──▶ done (summary, results) | failed (code, message)
```

Invariants:

* A job row is written before its work is queued; a job whose row is
  ``queued`` or ``running`` belongs to this process while it lives.
* :meth:`JobRunner.recover` runs when a server starts: rows left ``queued``
  or ``running`` by a stopped server are marked failed with the code
  ``interrupted``, never left running forever. (One server per data store:
  a second server starting would interrupt the first one's jobs.)
* A failure stores the error's stable code and its message, which by the
  rule of the error tree hold no values; an unexpected exception stores
  only ``internal`` and is logged by type name, never by message.
* At most ``workers`` jobs run at once and at most ``max_queued`` wait;
  beyond that :class:`~privault.core.errors.Busy` refuses new ones.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from privault.core.clock import Clock
from privault.core.errors import Busy, PrivaultError
from privault.jobs import repository as repo
from privault.store.uow import UnitOfWork

log = logging.getLogger(__name__)

Progress = Callable[[float], None]
Outcome = tuple[dict[str, Any], Sequence[dict[str, Any]]]
Work = Callable[[Progress], Outcome]
PROGRESS_EVERY = 0.25  # seconds between progress writes


class JobRunner:
    """Runs job functions on a bounded thread pool and keeps their rows current.

    Args:
        data: unit of work on the data store.
        clock: time source for started/finished times.
        workers: threads running jobs at once.
        max_queued: jobs that may wait for a thread.
    """

    def __init__(self, data: UnitOfWork, clock: Clock, workers: int = 2, max_queued: int = 32):
        self._data = data
        self._clock = clock
        self._workers = workers
        self._max_queued = max_queued
        self._lock = threading.Lock()
        self._pending = 0
        self._pool: ThreadPoolExecutor | None = None

    def recover(self) -> int:
        """Mark jobs a stopped server left queued or running as failed (``interrupted``)."""
        with self._data.transaction() as conn:
            count = repo.interrupt_active(conn, self._clock.now())
        if count:
            log.warning("%d job(s) were interrupted by a restart", count)
        return count

    def reserve(self) -> None:
        """Take a place in the queue before the job row is written.

        Raises:
            Busy: the queue is full.
        """
        with self._lock:
            if self._pending >= self._workers + self._max_queued:
                raise Busy("too many background jobs are waiting; retry later")
            self._pending += 1

    def release(self) -> None:
        """Give back a place taken by :meth:`reserve` (the job was not queued)."""
        with self._lock:
            self._pending -= 1

    def start(self, job_id: str, work: Work, scrub: Callable[[str], str] = str) -> None:
        """Run ``work`` for the (committed, queued) job ``job_id`` on a worker thread.

        Args:
            job_id: the job's row, committed as ``queued``.
            work: the job; gets a progress callback, returns (summary, result rows).
            scrub: applied to a failure's message before it is stored (e.g. to drop
                server paths).
        """
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="privault-job")
            pool = self._pool
        pool.submit(self._run, job_id, work, scrub)

    def close(self, wait: bool = False) -> None:
        """Stop taking jobs; queued ones are dropped (and recovered as interrupted)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)

    def _run(self, job_id: str, work: Work, scrub: Callable[[str], str]) -> None:
        try:
            with self._data.transaction() as conn:
                repo.set_running(conn, job_id, self._clock.now())
            summary, rows = work(self._progress(job_id))
            with self._data.transaction() as conn:
                repo.finish(conn, job_id, self._clock.now(), summary, rows)
        except PrivaultError as exc:
            self._fail(job_id, exc.code, scrub(exc.message))
        except Exception as exc:  # a bug or a library error: its message may quote data
            log.error("job %s failed (%s)", job_id, type(exc).__name__)
            self._fail(job_id, "internal", "internal error; the server log names the job id")
        finally:
            self.release()

    def _fail(self, job_id: str, code: str, message: str) -> None:
        try:
            with self._data.transaction() as conn:
                repo.fail(conn, job_id, self._clock.now(), code, message)
        except PrivaultError:
            log.error("job %s: could not record its failure", job_id)

    def _progress(self, job_id: str) -> Progress:
        last = [0.0]

        def report(fraction: float) -> None:
            now = time.monotonic()
            if now - last[0] < PROGRESS_EVERY:
                return
            last[0] = now
            with self._data.transaction() as conn:
                repo.set_progress(conn, job_id, fraction)

        return report
