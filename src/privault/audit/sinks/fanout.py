"""Deliver committed events to every secondary sink; never raise."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from privault.audit.chain import SealedEvent
from privault.audit.sinks.base import AuditSink

log = logging.getLogger(__name__)


class SinkFanout:
    """Fans events out to sinks after commit; failures are logged and counted.

    Failures never reach the caller: the database write (the primary sink)
    already succeeded, so the operation stands. Log lines name the sink and
    the error type only, never event values or the exception text (which
    could quote a payload).
    """

    def __init__(self, sinks: Sequence[AuditSink]) -> None:
        self.sinks = list(sinks)
        self.delivered: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()

    def __call__(self, events: Sequence[SealedEvent]) -> None:
        """Emit ``events`` to each sink."""
        for index, sink in enumerate(self.sinks):
            label = f"{sink.name}#{index}"
            try:
                sink.emit(events)
            except Exception as exc:
                self.failures[label] += len(events)
                log.warning(
                    "audit sink %s failed (%s); events kept in the database",
                    label,
                    type(exc).__name__,
                )
            else:
                self.delivered[label] += len(events)

    def close(self) -> None:
        """Close every sink."""
        for sink in self.sinks:
            sink.close()
