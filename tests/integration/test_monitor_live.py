"""Live rule evaluation from the stored cursor: background feed, exactly once, nothing lost."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Connection, func, select

from privault.app.bootstrap import Platform
from privault.app.monitor_feed import RuleFeed
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from privault.monitor import repository as monitor_repo
from privault.monitor.tables import monitor_counters, monitor_cursors
from tests.support.data import customer
from tests.support.monitoring import monitor_service


def wait_for(check: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the background evaluator did not get there"
        time.sleep(0.05)


def records_counted(platform: Platform) -> int:
    with platform.data.read() as conn:
        return int(
            conn.execute(select(func.coalesce(func.sum(monitor_counters.c.amount), 0))).scalar_one()
        )


def test_background_feed_raises_alerts_off_the_request_path(
    platform: Platform, tenant: str, admin: RequestContext, clock: FixedClock
) -> None:
    clock.advance(timedelta(hours=14))  # Thursday 14:00
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(150)])
    platform.monitor.start_background(poll=0.2)
    assert platform.monitor.background
    try:
        platform.gate.read(admin, tenant, ids, purpose="support")
        wait_for(lambda: "bulk-read" in {a.rule for a in platform.monitor.alerts(admin)})
        wait_for(lambda: records_counted(platform) == 150)
    finally:
        platform.monitor.close()
    assert not platform.monitor.background
    assert records_counted(platform) == 150  # evaluated once, not once per evaluator


def test_honeytoken_alert_is_synchronous_in_background_mode_and_raised_once(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    (canary,) = platform.monitor.plant_honeytokens(admin, tenant, "customer")
    platform.monitor.start_background(poll=0.2)
    try:
        platform.gate.read(admin, tenant, [canary], purpose="support")
        # No waiting: the honeytoken rule ran before read() returned.
        (alert,) = platform.monitor.alerts(admin, rule="honeytoken")
        assert alert.count == 1
        platform.monitor.catch_up()  # the feed's pass over the same event
    finally:
        platform.monitor.close()
    (after,) = platform.monitor.alerts(admin, rule="honeytoken")
    assert after.id == alert.id and after.count == 1  # not counted twice


def test_events_committed_while_no_evaluator_ran_are_evaluated_at_the_next_start(
    platform: Platform, tenant: str, admin: RequestContext, clock: FixedClock
) -> None:
    clock.advance(timedelta(hours=14))
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(150)])
    platform.monitor.detach()  # as if the process died between commit and evaluation
    platform.gate.read(admin, tenant, ids, purpose="support")
    assert platform.monitor.alerts(admin) == []
    restarted = monitor_service(platform)
    restarted.attach()
    restarted.start_background(poll=0.2)  # catches up on the backlog first
    try:
        wait_for(lambda: "bulk-read" in {a.rule for a in restarted.alerts(admin)})
    finally:
        restarted.close()
    assert restarted.catch_up() == 0  # nothing left behind the cursor


def test_two_evaluators_share_the_cursor_so_each_event_counts_once(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(40)])
    other = monitor_service(platform)
    other.attach()  # both listen, as two workers behind one store would
    try:
        for i in range(0, 40, 4):
            platform.gate.read(admin, tenant, ids[i : i + 4], purpose="support")
            other.catch_up()
    finally:
        other.detach()
    assert records_counted(platform) == 40
    with platform.data.read() as conn:
        cursors = dict(conn.execute(select(monitor_cursors.c.chain, monitor_cursors.c.seq)).all())
    assert "*" in cursors and max(cursors.values()) > 0


def test_feed_survives_a_failing_step_and_backs_off() -> None:
    calls: list[int] = []

    def step() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("store unavailable")

    feed = RuleFeed(step, poll=0.05, linger=0)
    feed.start()
    try:
        feed.wake()
        wait_for(lambda: len(calls) >= 2, seconds=5)
        assert feed.running and feed.failures == 0  # recovered after the failure
    finally:
        feed.stop()
    assert not feed.running


def test_a_batch_another_evaluator_recorded_first_is_dropped_not_counted_twice(
    platform: Platform, tenant: str, admin: RequestContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rules run on a snapshot; the cursors are checked again before anything is written."""
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(8)])
    platform.monitor.detach()  # nobody evaluates while the reads are audited
    platform.gate.read(admin, tenant, ids, purpose="support")
    first, second = monitor_service(platform), monitor_service(platform)
    snapshot = monitor_repo.cursors
    raced: list[int] = []

    def cursors_then_race(conn: Connection) -> dict[str, int]:
        known = snapshot(conn)
        if not raced:  # the first evaluator has its snapshot: the second one overtakes it
            raced.append(-1)
            raced[0] = second.catch_up()
        return known

    monkeypatch.setattr(monitor_repo, "cursors", cursors_then_race)
    first.catch_up()  # its first batch is dropped: the second evaluator covered it
    assert raced[0] >= 1
    assert records_counted(platform) == 8


def test_a_worker_leaves_the_rules_to_the_evaluator_but_checks_honeytokens_itself(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    """serve --workers: the worker checks honeytokens; the supervisor's evaluator does the rest."""
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(6)])
    (canary,) = platform.monitor.plant_honeytokens(admin, tenant, "customer")
    platform.monitor.catch_up()
    counted = records_counted(platform)
    platform.monitor.evaluate_elsewhere()
    assert platform.monitor.background
    platform.gate.read(admin, tenant, ids, purpose="support")
    assert records_counted(platform) == counted  # not evaluated on the request path
    platform.gate.read(admin, tenant, [canary], purpose="support")
    (alert,) = platform.monitor.alerts(admin, rule="honeytoken")  # raised before read() returned
    evaluator = monitor_service(platform)  # the supervisor's, sharing the cursor
    assert evaluator.catch_up() >= 2
    assert records_counted(platform) == counted + 7
    (after,) = platform.monitor.alerts(admin, rule="honeytoken")
    assert after.id == alert.id and after.count == 1
