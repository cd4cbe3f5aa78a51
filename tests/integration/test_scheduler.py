"""The retention scheduler inside `privault serve`."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from privault.app.bootstrap import Platform
from privault.app.lifecycle import lifecycle_for
from privault.app.scheduler import ACTOR, INCIDENT_ACTOR, IncidentTicker, RetentionScheduler
from privault.core.clock import FixedClock
from privault.core.context import Principal, RequestContext
from privault.lifecycle.retention import parse_policies
from tests.support.data import customer

SHORT = parse_policies("policies:\n  - {record_type: customer, keep: 30d}\n")


def test_tick_destroys_due_records_in_every_tenant(
    platform: Platform, tenant: str, admin: RequestContext, clock: FixedClock
) -> None:
    old = platform.vault.put(admin, tenant, "customer", customer(1))
    clock.advance(timedelta(days=20))
    young = platform.vault.put(admin, tenant, "customer", customer(2))
    platform.tenants.create(admin, "empty")
    scheduler = RetentionScheduler(
        lifecycle_for(platform, SHORT), platform.tenants, clock, timedelta(hours=24)
    )
    clock.advance(timedelta(days=11))  # the first record is due, the second is not
    report = scheduler.tick()
    assert (report.tenants, report.destroyed, report.failed) == (2, 1, ())
    fresh = RequestContext(Principal("user:admin", frozenset({"owner"}), mfa_at=clock.now()))
    left = [r.id for r in platform.gate.page(fresh, tenant, purpose="check")]
    assert left == [young] and old not in left
    runs = platform.audit.search(actor=ACTOR)
    assert runs and all(e.actor == ACTOR for e in runs)
    assert scheduler.tick().destroyed == 0  # idempotent


def test_thread_ticks_and_stops(platform: Platform, tenant: str, clock: FixedClock) -> None:
    scheduler = RetentionScheduler(
        lifecycle_for(platform, SHORT), platform.tenants, clock, timedelta(hours=1)
    )
    scheduler.start()
    deadline = time.monotonic() + 10
    while not platform.audit.search(actor=ACTOR) and time.monotonic() < deadline:
        time.sleep(0.05)
    scheduler.stop()
    assert platform.audit.search(actor=ACTOR), "the scheduler never ran"


def test_incident_ticker_runs_when_due_by_the_clock(
    platform: Platform, admin: RequestContext, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    ticker = IncidentTicker(platform.incidents, clock, timedelta(minutes=5))
    inc = platform.incidents.open(admin, "Phishing", "critical").id

    def stages() -> list[str]:
        tl = platform.incidents.timeline(admin, inc)
        return [str(t.detail["stage"]) for t in tl if t.kind == "escalation"]

    assert ticker.step() and stages() == ["esc:0"]  # at once on start
    assert platform.audit.search(actor=INCIDENT_ACTOR, action="incident.escalation")
    clock.advance(timedelta(minutes=4, seconds=59))
    assert not ticker.step()  # not due yet
    clock.advance(timedelta(seconds=1))
    assert ticker.step() and stages() == ["esc:0"]  # due; the shipped matrix waits 15 min
    clock.advance(timedelta(minutes=10))
    assert ticker.step() and stages() == ["esc:0", "esc:1"]
    # A broken matrix file: the tick fails, is logged by type, and the schedule goes on.
    (platform.settings.data_dir / "escalation.yaml").write_text("severities: {urgent: []}")
    clock.advance(timedelta(minutes=5))
    assert ticker.step() and "privault-incidents tick failed: ConfigurationError" in caplog.text
    assert not ticker.step() and ticker.next_at == clock.now() + timedelta(minutes=5)
