"""A background thread that runs the monitor's catch-up off the request path.

```
request thread: commit ──▶ on_events ──▶ honeytoken check (synchronous) ──▶ wake()
feed thread:    wake() or every `poll` s ──▶ step(): evaluate every event past the cursor
```

The cursor lives in the store (``monitor_cursors``), so what this thread has
not reached when the process dies is evaluated by the next catch-up, in this
process or another: nothing is lost, and nothing is evaluated twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)
MAX_BACKOFF = 30.0


class RuleFeed:
    """Runs ``step`` on a daemon thread when woken, and at least every ``poll`` seconds.

    Args:
        step: evaluates everything pending; may raise (logged by type, retried with back-off).
        poll: seconds between runs when nobody wakes the thread (picks up the
            events other processes committed).
        linger: seconds to wait after a wake before running, so the events of
            many requests are evaluated in one transaction (a busy server pays
            one rule-state write per batch, not per request).

    """

    def __init__(self, step: Callable[[], object], poll: float = 1.0, linger: float = 0.2) -> None:
        if poll <= 0 or linger < 0:
            raise ValueError("poll must be positive and linger not negative")
        self._step = step
        self._poll = poll
        self._linger = linger
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="privault-monitor", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Ask for a run soon; many wakes before it runs make one run."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Let the current run finish, then end the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        backoff = self._poll
        while not self._stop.is_set():
            if self._wake.wait(self._poll) and self._linger:
                self._stop.wait(self._linger)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._step()
            except Exception as exc:  # the feed must outlive a bad moment of the store
                self.failures += 1
                log.warning("monitor catch-up failed (%s); retrying", type(exc).__name__)
                self._stop.wait(backoff)  # wakes do not cut the back-off short
                backoff = min(MAX_BACKOFF, backoff * 2)
            else:
                self.failures, backoff = 0, self._poll
