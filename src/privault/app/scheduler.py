"""Schedulers for recurring work inside ``privault serve``: retention and the incident tick.

Every ``interval`` the retention scheduler runs retention for every tenant, as
the service principal ``system:lifecycle`` (owner role, second factor treated
as proved: it acts on configured policy, not on a person's request). Each run
is the same audited, resumable, certificate-issuing run as
``privault lifecycle run``; a failure is logged by type only and retried at the
next tick.

The incident ticker runs :meth:`IncidentService.tick` (escalation levels and
regulation-clock reminders) as ``system:incidents`` in the same way; the tick
is idempotent, so a short interval only makes notifications more punctual.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from privault.app.incident_escalation import SYSTEM_ACTOR as INCIDENT_ACTOR
from privault.app.incident_escalation import TickReport as IncidentTickReport
from privault.app.incidents import IncidentService
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


def system_context(actor: str, clock: Clock) -> RequestContext:
    """A service principal acting on configured policy (owner role, second factor as proved)."""
    principal = Principal(actor, frozenset({"owner"}), mfa_at=clock.now())
    return RequestContext(principal, source="scheduler")


class _Periodic(ABC):
    """Runs :meth:`run_once` when due by the clock (now, then every ``interval``).

    The thread only polls :meth:`step` (at most every minute); whether work is
    due is decided by the injected clock, so the schedule is tested with a
    fixed clock instead of sleeps.
    """

    thread_name = "privault-periodic"

    def __init__(self, clock: Clock, interval: timedelta) -> None:
        if interval <= timedelta(0):
            raise ValueError("interval must be positive")
        self._clock = clock
        self.interval = interval
        self.next_at: datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @abstractmethod
    def run_once(self) -> object:
        """One round of work (subclasses)."""

    def step(self) -> bool:
        """Run once if due at the clock's now; True if it ran (a failure is logged by type)."""
        now = self._clock.now()
        if self.next_at is not None and now < self.next_at:
            return False
        self.next_at = now + self.interval
        try:
            self.run_once()
        except Exception as exc:
            log.error("%s tick failed: %s", self.thread_name, type(exc).__name__)
        return True

    def start(self) -> None:
        """Tick now, then every ``interval``, until :meth:`stop`."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        poll = min(self.interval, timedelta(minutes=1)).total_seconds()
        while not self._stop.is_set():
            self.step()
            self._stop.wait(poll)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread (waits for a running tick up to ``timeout`` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


class RetentionScheduler(_Periodic):
    """Runs retention for every tenant on a fixed interval, in a daemon thread."""

    thread_name = "privault-retention"

    def __init__(
        self, lifecycle: Lifecycle, tenants: TenantService, clock: Clock, interval: timedelta
    ) -> None:
        super().__init__(clock, interval)
        self._lifecycle = lifecycle
        self._tenants = tenants

    def run_once(self) -> TickReport:
        """One tick (see :meth:`tick`)."""
        return self.tick()

    def tick(self) -> TickReport:
        """Run retention once for every tenant; one tenant's failure does not stop the rest."""
        ctx = system_context(ACTOR, self._clock)
        destroyed, failed = 0, []
        tenants = self._tenants.visible(ctx)
        for tenant in tenants:
            try:
                destroyed += self._lifecycle.retention.run(ctx, tenant.slug).destroyed
            except PrivaultError as exc:
                log.warning("retention run for tenant %s failed: %s", tenant.id, type(exc).__name__)
                failed.append(tenant.slug)
        return TickReport(len(tenants), destroyed, tuple(failed))


class IncidentTicker(_Periodic):
    """Runs the incident tick (escalation and clock reminders) on a fixed interval."""

    thread_name = "privault-incidents"

    def __init__(self, incidents: IncidentService, clock: Clock, interval: timedelta) -> None:
        super().__init__(clock, interval)
        self._incidents = incidents

    def run_once(self) -> IncidentTickReport:
        """One tick (see :meth:`tick`)."""
        return self.tick()

    def tick(self) -> IncidentTickReport:
        """Send the escalations and reminders due now, as ``system:incidents``."""
        return self._incidents.tick(system_context(INCIDENT_ACTOR, self._clock))
