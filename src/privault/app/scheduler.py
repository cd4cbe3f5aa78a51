"""A scheduler for recurring lifecycle work inside ``privault serve``.

Every ``interval`` it runs retention for every tenant, as the service
principal ``system:lifecycle`` (owner role, second factor treated as proved:
it acts on configured policy, not on a person's request). Each run is the
same audited, resumable, certificate-issuing run as ``privault lifecycle run``;
a failure is logged by type only and retried at the next tick.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from privault.app.lifecycle import Lifecycle
from privault.app.tenants import TenantService
from privault.core.clock import Clock
from privault.core.context import Principal, RequestContext
from privault.core.errors import PrivaultError

log = logging.getLogger(__name__)
ACTOR = "system:lifecycle"


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one scheduler tick did."""

    tenants: int
    destroyed: int
    failed: tuple[str, ...] = field(default=())


class RetentionScheduler:
    """Runs retention for every tenant on a fixed interval, in a daemon thread."""

    def __init__(
        self, lifecycle: Lifecycle, tenants: TenantService, clock: Clock, interval: timedelta
    ) -> None:
        self._lifecycle = lifecycle
        self._tenants = tenants
        self._clock = clock
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _ctx(self) -> RequestContext:
        principal = Principal(ACTOR, frozenset({"owner"}), mfa_at=self._clock.now())
        return RequestContext(principal, source="scheduler")

    def tick(self) -> TickReport:
        """Run retention once for every tenant; one tenant's failure does not stop the rest."""
        ctx = self._ctx()
        destroyed, failed = 0, []
        tenants = self._tenants.visible(ctx)
        for tenant in tenants:
            try:
                destroyed += self._lifecycle.retention.run(ctx, tenant.slug).destroyed
            except PrivaultError as exc:
                log.warning("retention run for tenant %s failed: %s", tenant.id, type(exc).__name__)
                failed.append(tenant.slug)
        return TickReport(len(tenants), destroyed, tuple(failed))

    def start(self) -> None:
        """Tick now, then every ``interval``, until :meth:`stop`."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="privault-retention", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as exc:
                log.error("retention tick failed: %s", type(exc).__name__)
            self._stop.wait(self.interval.total_seconds())

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread (waits for a running tick up to ``timeout`` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
