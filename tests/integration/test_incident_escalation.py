"""Escalation and clock reminders end to end: a real SMTP receiver, a fixed clock, both stores."""

from __future__ import annotations

import fcntl
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email.message import Message

import pytest

from privault.app.bootstrap import Platform
from privault.app.incident_base import EscalationSetup
from privault.app.incidents import IncidentService
from privault.app.scheduler import IncidentTicker, system_context
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from privault.core.errors import ConfigurationError, Conflict
from privault.incidents.matrix import MONITOR
from privault.monitor.notifiers import build_notifier
from tests.support.net import free_port
from tests.support.smtp import Inbox, start_smtp

CANARY = "Zebulon Quixotefield"
DORA = "dora@example.test"
CISO = "ciso@example.test"
SOC = "soc@example.test"


def matrix(port: int, *, include_title: bool = False) -> str:
    return f"""
include_title: {str(include_title).lower()}
mail: {{host: 127.0.0.1, port: {port}, sender: privault@example.test}}
notifiers:
  soc: {{type: email, host: 127.0.0.1, port: {port}, recipients: [{SOC}]}}
contacts:
  user:dora: {{email: {DORA}}}
  user:ciso: {{email: {CISO}}}
severities:
  critical:
    - {{notify: [role:lead], ack_within: 15m}}
    - {{notify: [user:ciso, notifier:soc], ack_within: 30m}}
    - {{notify: [notifier:soc]}}
  high: [{{notify: [role:lead]}}]
  medium: []
  low: []
reminders:
  - {{at: 50%, notify: [role:lead]}}
  - {{before: 24h, notify: [role:lead]}}
  - {{before: 6h, notify: [role:lead, notifier:soc]}}
  - {{overdue: true, notify: [role:lead, notifier:soc]}}
"""


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box, port = Inbox(), free_port()
    controller = start_smtp(box, port)
    try:
        yield box, port
    finally:
        controller.stop()


def subject(mail: Message) -> str:
    return " ".join(str(mail["Subject"]).split())  # unfolded


def fresh(admin: RequestContext, clock: FixedClock) -> RequestContext:
    return RequestContext(replace(admin.principal, mfa_at=clock.now()), source="test")


def kinds(platform: Platform, admin: RequestContext, inc: str) -> list[tuple[str, str]]:
    tl = platform.incidents.timeline(admin, inc)
    return [(t.kind, str(t.detail.get("stage", ""))) for t in tl if t.kind != "notify"]


def test_escalates_when_nobody_acknowledges_and_stops_after_ack(
    platform: Platform,
    admin: RequestContext,
    clock: FixedClock,
    inbox: tuple[Inbox, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="privault")
    box, port = inbox
    svc = platform.incidents
    svc.apply_matrix(admin, matrix(port))
    system = system_context("system:incidents", clock)
    inc = svc.open(admin, f"Mailbox of {CANARY} leaked", "critical").id
    svc.add_member(admin, inc, "user:dora", "lead")

    report = svc.tick(system)
    assert (report.stages, report.sent, report.failed) == (1, 1, 0)
    (mail,) = box.to(DORA)
    assert f"incident {inc} (critical, detected) opened: level 1 of 3" in subject(mail)
    assert f"privault incident ack {inc}" in mail.get_payload()
    assert svc.tick(system).sent == 0 and len(box.messages) == 1  # idempotent

    clock.advance(timedelta(minutes=14, seconds=59))
    assert svc.tick(system).sent == 0  # still inside the 15-minute window
    clock.advance(timedelta(seconds=1))
    assert svc.tick(system).sent == 2  # level 2: the CISO and the SOC mailbox
    assert "not acknowledged: level 2 of 3" in subject(box.to(CISO)[0])
    assert len(box.to(SOC)) == 1
    state = svc.escalation(admin, inc)
    assert (
        state["level"] == 2
        and state["next_level_at"] == (clock.now() + timedelta(minutes=30)).isoformat()
    )

    clock.advance(timedelta(minutes=10))
    ack = svc.ack(fresh(admin, clock), inc)
    assert (ack.by, ack.at, ack.level) == ("user:admin", clock.now(), 2)
    with pytest.raises(Conflict):
        svc.ack(admin, inc)
    clock.advance(timedelta(hours=5))
    assert svc.tick(system).sent == 0  # acknowledged: no level 3
    assert len(box.messages) == 3
    assert kinds(platform, admin, inc)[-3:] == [
        ("escalation", "esc:0"),
        ("escalation", "esc:1"),
        ("ack", ""),
    ]

    # Every notification is audited; neither the title's name nor contact addresses leak.
    audited = platform.audit.search(action="incident.notify")
    assert len(audited) == 3 and {e.detail["status"] for e in audited} == {"sent"}
    assert CANARY not in box.raw() and "Mailbox of" not in box.raw()
    for secret in (CANARY, DORA, CISO, SOC):
        assert secret not in caplog.text
        assert secret not in json.dumps([e.detail for e in platform.audit.search(limit=500)])


def test_title_only_where_the_matrix_allows_it(
    platform: Platform, admin: RequestContext, clock: FixedClock, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    platform.incidents.apply_matrix(admin, matrix(port, include_title=True))
    inc = platform.incidents.open(admin, "Laptop stolen", "high").id
    platform.incidents.add_member(admin, inc, "user:dora", "lead")
    platform.incidents.tick(system_context("system:incidents", clock))
    assert subject(box.to(DORA)[0]).endswith("Laptop stolen")


def test_failed_delivery_is_recorded_and_retried_until_sent(
    platform: Platform, admin: RequestContext, clock: FixedClock
) -> None:
    port = free_port()  # nothing listens yet
    svc = platform.incidents
    svc.apply_matrix(admin, matrix(port))
    system = system_context("system:incidents", clock)
    inc = svc.open(admin, "Ransomware", "high").id
    svc.add_member(admin, inc, "user:dora", "lead")
    svc.add_member(admin, inc, "user:nobody", "lead")  # no contact address
    report = svc.tick(system)
    assert (report.sent, report.failed) == (0, 2)
    notes = [t.text for t in svc.timeline(admin, inc) if t.kind == "notify"]
    assert "failed: esc:0 to user:dora (ConnectionRefusedError)" in notes
    assert "failed: esc:0 to user:nobody (no contact address)" in notes
    assert svc.tick(system).failed == 0  # backing off: one minute after the first failure
    box = Inbox()
    controller = start_smtp(box, port)
    try:
        clock.advance(timedelta(minutes=1))
        report = svc.tick(system)
        assert (report.sent, report.failed) == (1, 1)
        assert len(box.to(DORA)) == 1
        clock.advance(timedelta(minutes=1))
        assert svc.tick(system).failed == 0  # user:nobody waits 2 minutes now
        clock.advance(timedelta(minutes=1))
        assert svc.tick(system).failed == 1 and len(box.messages) == 1
    finally:
        controller.stop()
    assert svc.escalation(admin, inc)["failed_deliveries"] == 1


def nis2_case(platform: Platform, admin: RequestContext, port: int) -> str:
    """A low-severity NIS2 case led by dora: early warning 24 h, notification 72 h."""
    platform.incidents.apply_matrix(admin, matrix(port))
    inc = platform.incidents.open(admin, "DDoS", "low", flags=["nis2"]).id
    platform.incidents.add_member(admin, inc, "user:dora", "lead")
    return inc


def test_clock_reminders_at_each_threshold_exactly_once(
    platform: Platform, admin: RequestContext, clock: FixedClock, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    svc = platform.incidents
    ticker = IncidentTicker(svc, clock, timedelta(minutes=5))
    start = clock.now()
    inc = nis2_case(platform, admin, port)

    def at(hours: float) -> list[str]:
        clock.current = start + timedelta(hours=hours)
        before = len(box.messages)
        ticker.tick()
        ticker.tick()  # a second tick at the same moment sends nothing
        return [subject(m) for _r, m in box.messages[before:] if "duty" in subject(m)]

    assert at(11.9) == []
    (half,) = at(12)  # half of the early warning's 24 h
    assert "nis2-early-warning due 2026-01-02T00:00:00+00:00 (12 h 0 min)" in half
    assert len(at(18)) == 2  # 6 h before: lead and SOC (24 h before a 24 h clock is skipped)
    late = at(24)
    assert len(late) == 2 and all(s.startswith("privault alert: [CRITICAL]") for s in late)
    assert "OVERDUE: incident" in late[0]
    assert at(30) == []
    assert len(at(36)) == 1  # nis2-notification: 50 % of 72 h
    assert len(at(48)) == 1  # 24 h before
    svc.mark_notified(fresh(admin, clock), inc, "nis2-notification")
    assert at(66) == [] and at(72) == []  # notified: its reminders stop
    stages = [s for k, s in kinds(platform, admin, inc) if k == "reminder"]
    assert stages == [
        "clock:nis2-early-warning:50%",
        "clock:nis2-early-warning:6h",
        "clock:nis2-early-warning:overdue",
        "clock:nis2-notification:50%",
        "clock:nis2-notification:24h",
    ]


def test_a_late_tick_sends_only_the_latest_threshold(
    platform: Platform, admin: RequestContext, clock: FixedClock, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    svc = platform.incidents
    inc = nis2_case(platform, admin, port)
    clock.advance(timedelta(hours=67))  # the server was down for almost three days
    svc.tick(system_context("system:incidents", clock))
    stages = [s for k, s in kinds(platform, admin, inc) if k == "reminder"]
    assert stages == ["clock:nis2-early-warning:overdue", "clock:nis2-notification:6h"]
    assert len(box.messages) == 4  # two thresholds, each to the lead and the SOC


def test_matrix_rejects_unknown_names_and_keeps_the_installed_one(
    platform: Platform, admin: RequestContext, clock: FixedClock
) -> None:
    svc = platform.incidents
    for bad, word in (
        ("severities: {urgent: []}", "unknown severity 'urgent'"),
        ("severities: {critical: [{notify: [role:boss]}]}", "unknown team role 'boss'"),
        ("severities: {critical: [{notify: [notifier:pager]}]}", "unknown notifier 'pager'"),
    ):
        with pytest.raises(ConfigurationError, match=word):
            svc.apply_matrix(admin, bad)
    assert svc.matrix_text()[0] == "shipped"
    assert not (platform.settings.data_dir / "escalation.yaml").exists()
    assert platform.audit.search(action="incident.matrix.apply") == []


def test_monitor_notifiers_get_what_their_severity_wants(
    platform: Platform, admin: RequestContext, clock: FixedClock, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    p = platform
    mailer = {"type": "email", "port": port}
    setup = EscalationSetup(
        p.settings.data_dir / "escalation.yaml",
        (
            build_notifier({**mailer, "recipients": ["all@example.test"]}),
            build_notifier(
                {**mailer, "recipients": ["crit@example.test"], "min_severity": "critical"}
            ),
        ),
    )
    svc = IncidentService(
        p.data, p.audit, p.authz, p.tenants, p.gate, p.identity, p.key_admin, p.clock, setup
    )
    svc.apply_matrix(
        admin,
        "severities: {critical: [], high: [{notify: [notifier:monitor]}], medium: [], low: []}",
    )
    inc = svc.open(admin, "Suspicious export", "high").id
    report = svc.tick(system_context("system:incidents", clock))
    assert (report.sent, report.skipped) == (1, 1)
    assert len(box.to("all@example.test")) == 1 and box.to("crit@x.test") == []
    notes = [t.text for t in svc.timeline(admin, inc) if t.kind == "notify"]
    assert f"skipped: esc:0 to {MONITOR}#1 (below the notifier's minimum severity)" in notes


def test_one_tick_at_a_time(platform: Platform, admin: RequestContext, clock: FixedClock) -> None:
    platform.incidents.open(admin, "Phishing", "critical")
    system = system_context("system:incidents", clock)
    lock = platform.settings.data_dir / ".incident-tick.lock"
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a tick in another process would
        with pytest.raises(Conflict, match="another incident tick is running"):
            platform.incidents.tick(system)
    assert platform.incidents.tick(system).stages == 1  # released: runs
