"""The tick's planning, sans I/O: levels, acknowledgement, thresholds, retries and backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from privault.incidents import clocks
from privault.incidents import escalation as esc
from privault.incidents.matrix import parse_matrix
from privault.incidents.model import Incident, TimelineEntry

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MATRIX = parse_matrix(
    "severities:\n"
    "  critical: [{notify: [role:lead], ack_within: 15m}, {notify: [role:dpo], ack_within: 1h},"
    " {notify: [role:legal]}]\n"
    "  high: []\n  medium: []\n  low: []\n"
    "reminders: [{at: 50%, notify: [role:lead]}, {before: 24h, notify: [role:lead]},"
    " {overdue: true, notify: [role:lead]}]\n"
)


def incident(state: str = "detected", severity: str = "critical") -> Incident:
    return Incident("inc_1", "t", severity, state, None, None, T0, T0, None, None, "u", T0)


def entry(seq: int, minutes: float, kind: str, **detail: Any) -> TimelineEntry:
    return TimelineEntry("inc_1", seq, T0 + timedelta(minutes=minutes), "system", kind, "", detail)


def plan(timeline: list[TimelineEntry], minutes: float, **kw: Any) -> list[tuple[str, bool]]:
    stages = esc.escalation_stages(
        incident(**kw), esc.Memory.of(timeline), MATRIX, T0 + timedelta(minutes=minutes)
    )
    return [(s.key, s.new) for s in stages]


def test_levels_follow_the_windows_from_when_each_level_began() -> None:
    assert plan([], 0) == [("esc:0", True)]
    started = [entry(1, 0, "escalation", stage="esc:0")]
    assert plan(started, 14.9) == [("esc:0", False)]
    assert plan(started, 15) == [("esc:0", False), ("esc:1", True)]
    # Level 2 began late (the tick was down): its hour counts from then.
    started.append(entry(2, 40, "escalation", stage="esc:1"))
    assert plan(started, 99) == [("esc:0", False), ("esc:1", False)]
    assert plan(started, 100)[-1] == ("esc:2", True)
    started.append(entry(3, 100, "escalation", stage="esc:2"))
    assert [n for _k, n in plan(started, 10_000)] == [False, False, False]  # the last level


def test_acknowledged_closed_or_unescalated_incidents_plan_nothing() -> None:
    started = [entry(1, 0, "escalation", stage="esc:0"), entry(2, 5, "ack")]
    assert plan(started, 60) == []
    assert plan([], 0, state="closed") == []
    assert plan([], 0, severity="low") == []  # low: [] in this matrix


def test_failed_deliveries_back_off_and_stop_once_sent() -> None:
    key = esc.delivery_key("esc:0", "user:dora")
    failing = [entry(i + 1, m, "notify", key=key, status="failed") for i, m in enumerate((0, 1, 3))]
    memory = esc.Memory.of(failing)
    assert memory.failed("esc:0") == ["user:dora"] and memory.failing == 1
    assert memory.failed("esc:0", T0 + timedelta(minutes=6, seconds=59)) == []  # 4 min after 3rd
    assert memory.failed("esc:0", T0 + timedelta(minutes=7)) == ["user:dora"]
    sent = esc.Memory.of([*failing, entry(4, 7, "notify", key=key, status="sent")])
    assert sent.failed("esc:0") == [] and sent.failing == 0
    assert [esc.backoff(n) for n in (1, 2, 3, 7, 50)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 60, 60)
    ]


def reminders(hours: float, timeline: list[TimelineEntry], days: int = 3) -> list[str]:
    rule = clocks.Rule("r", "X", "t", "b", "authority", {}, {"days": days})
    ob = clocks.Obligation(rule, True, "", T0 + timedelta(days=days), "", start=T0)
    now = T0 + timedelta(hours=hours)
    stages = esc.reminder_stages(incident(), [ob], esc.Memory.of(timeline), MATRIX, now)
    return [s.key for s in stages if s.new]


def test_reminder_thresholds_fire_once_and_a_late_tick_sends_only_the_latest() -> None:
    assert reminders(35.9, []) == []
    assert reminders(36, []) == ["clock:r:50%"]
    done = [entry(1, 36 * 60, "reminder", stage="clock:r:50%")]
    assert reminders(47, done) == []
    assert reminders(48, done) == ["clock:r:24h"]
    assert reminders(72, []) == ["clock:r:overdue"]  # nothing before: only the overdue alert
    # One day: "24 h before" falls on the start and is skipped; 50 % is at 12 h.
    assert reminders(11, [], days=1) == [] and reminders(12, [], days=1) == ["clock:r:50%"]
    assert reminders(23, [entry(1, 720, "reminder", stage="clock:r:50%")], days=1) == []


def test_remaining_wording() -> None:
    assert esc.remaining(T0 + timedelta(days=2, hours=3), T0) == "2 d 3 h"
    assert esc.remaining(T0 + timedelta(minutes=90), T0) == "1 h 30 min"
    assert esc.remaining(T0, T0 + timedelta(hours=2)) == "overdue by 2 h 0 min"
