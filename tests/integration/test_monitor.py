"""Monitoring end to end: honeytoken alert by SMTP in the same request, webhooks,
auto-response, alert states, de-duplication, replay."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from privault.app.bootstrap import Platform
from privault.app.monitoring import MonitorService
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied, Conflict
from privault.core.secret import Secret
from tests.support.data import customer
from tests.support.monitoring import monitor_service


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[list[dict[str, Any]], int]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, server.server_address[1]
    finally:
        server.shutdown()


def fresh(admin: RequestContext, clock: FixedClock) -> RequestContext:
    """The admin with a second factor proved now (after the clock moved)."""
    return RequestContext(replace(admin.principal, mfa_at=clock.now()), source="test")


def monitor(platform: Platform, yaml_text: str = "") -> MonitorService:
    """A monitor with this test's configuration, in place of the platform's default one."""
    platform.monitor.detach()
    service = monitor_service(platform, yaml_text)
    service.attach()
    return service


def test_honeytoken_read_is_mailed_before_the_read_returns(
    platform: Platform,
    tenant: str,
    admin: RequestContext,
    smtp: tuple[Inbox, int],
    clock: FixedClock,
) -> None:
    clock.advance(timedelta(hours=10))  # Thursday 10:00: business hours
    inbox, port = smtp
    service = monitor(
        platform,
        f"notifiers: [{{type: email, port: {port}, recipients: [soc@example.test]}}]",
    )
    real = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(3)])
    (canary,) = service.plant_honeytokens(admin, tenant, "customer")
    platform.gate.read(admin, tenant, real, purpose="support")
    assert inbox.messages == []  # ordinary reads alert nobody
    platform.gate.read(admin, tenant, [real[0], canary], purpose="support")
    # No waiting: the mail was accepted by the SMTP server before read() returned.
    assert len(inbox.messages) == 1
    mail = inbox.messages[0].decode()
    assert "[CRITICAL] honeytoken" in mail and canary in mail and "user:admin" in mail
    alerts = service.alerts(admin)
    assert [(a.rule, a.severity, a.state) for a in alerts] == [("honeytoken", "critical", "open")]
    # The plant event does not say which records are canaries.
    plant = platform.audit.search(action="honeytoken.plant")[0]
    assert canary not in json.dumps(plant.detail) and plant.detail["count"] == 1


def test_webhook_gets_slack_and_teams_shapes(
    platform: Platform,
    tenant: str,
    admin: RequestContext,
    webhook: tuple[list[Any], int],
    clock: FixedClock,
) -> None:
    clock.advance(timedelta(hours=10))
    admin = fresh(admin, clock)
    received, port = webhook
    url = f"http://127.0.0.1:{port}/hook"
    service = monitor(
        platform,
        f"notifiers: [{{type: webhook, url: '{url}', style: slack}},"
        f" {{type: webhook, url: '{url}', style: teams, min_severity: critical}}]",
    )
    (canary,) = service.plant_honeytokens(admin, tenant, "customer")
    platform.gate.read(admin, tenant, [canary], purpose="support")
    slack, teams = received
    assert slack["text"].startswith("privault alert: [CRITICAL] honeytoken")
    assert slack["attachments"][0]["fields"][1]["value"] == "user:admin"
    assert teams["@type"] == "MessageCard" and teams["sections"][0]["facts"][0]["name"] == "alert"
    platform.identity.add_user(admin, "eve")
    platform.access.grant(admin, "eve", "admin")
    assert len(received) == 3  # the escalation (high) reached slack only
    assert received[2]["text"].startswith("privault alert: [HIGH] privilege-escalation")


def test_auto_response_locks_the_user_and_ends_sessions(
    platform: Platform, tenant: str, admin: RequestContext, clock: FixedClock
) -> None:
    service = monitor(platform, "rules: {honeytoken: {response: [lock_user]}}")
    (canary,) = service.plant_honeytokens(admin, tenant, "customer")
    platform.identity.add_user(admin, "mallory", password=Secret("a long unusual passphrase 42"))
    platform.access.grant(admin, "mallory", "admin")
    login = platform.signin.login(
        RequestContext(admin.principal, source="10.0.0.5"),
        "mallory",
        Secret("a long unusual passphrase 42"),
    )
    mallory = RequestContext(login.principal, source="10.0.0.5")
    platform.gate.read(mallory, tenant, [canary], purpose="support")
    assert platform.identity.user("mallory").status == "disabled"
    with pytest.raises(AccessDenied):
        platform.signin.session(login.token)
    disable = platform.audit.search(action="user.disable")[0]
    assert disable.actor == "system:monitor" and disable.resource == "users/mallory"
    assert service.stats["responses"] == 1


def test_alert_states_dedup_and_grouping(
    platform: Platform, tenant: str, admin: RequestContext, clock: FixedClock
) -> None:
    service = monitor(platform)
    (canary,) = service.plant_honeytokens(admin, tenant, "customer")
    for _ in range(3):
        platform.gate.read(admin, tenant, [canary], purpose="support")
        clock.advance(timedelta(minutes=5))
    (alert,) = service.alerts(admin, rule="honeytoken")
    assert alert.count == 3 and len(alert.event_ids) == 3 and alert.group_key.endswith("user:admin")
    acked = service.transition(admin, alert.id, "acknowledged", note="looking")
    assert acked.state == "acknowledged" and acked.updated_by == "user:admin"
    resolved = service.transition(admin, alert.id, "resolved")
    assert resolved.state == "resolved"
    with pytest.raises(Conflict):
        service.transition(admin, alert.id, "open")
    platform.gate.read(admin, tenant, [canary], purpose="support")  # recurs: a new alert
    fresh = service.alerts(admin, rule="honeytoken")
    assert len(fresh) == 1 and fresh[0].id != alert.id and fresh[0].count == 1
    changes = [
        e.action for e in platform.audit.search(actor="user:admin") if e.action.startswith("alert.")
    ]
    assert changes == ["alert.resolved", "alert.acknowledged"]


def test_replay_rebuilds_alerts_from_history(
    platform: Platform, tenant: str, admin: RequestContext, clock: FixedClock
) -> None:
    platform.monitor.detach()
    start = clock.now()
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(150)])
    clock.advance(timedelta(hours=14))  # Thursday 14:00
    platform.gate.read(admin, tenant, ids, purpose="support")  # not monitored yet
    service = monitor_service(platform)
    count, new = service.replay(admin, start)
    assert count >= 3 and "bulk-read" in {a.rule for a in new}
    again_count, again = service.replay(admin, start)
    assert again_count >= count and again == []  # idempotent


def test_canaries_stay_out_of_alerts_sinks_mail_and_logs(
    sqlite_platform: Platform,
    admin: RequestContext,
    smtp: tuple[Inbox, int],
    tmp_path: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from tests.support.data import CUSTOMER_SCHEMA

    caplog.set_level(logging.DEBUG)
    inbox, port = smtp
    canaries = {"name": "Quorvex Canarybird", "email": "quorvex.canary@example.test"}
    sink = tmp_path / "sink" / "audit.jsonl"
    platform = sqlite_platform
    platform.audit.attach_sinks(
        [
            {"type": "jsonl", "path": str(sink)},
            {"type": "jsonl", "path": str(tmp_path / "sink" / "audit.cef"), "format": "cef"},
        ]
    )
    service = monitor(platform, f"notifiers: [{{type: email, port: {port}, recipients: [a@b.c]}}]")
    platform.tenants.create(admin, "acme")
    platform.tenants.apply_schema(admin, "acme", CUSTOMER_SCHEMA)
    rid = platform.vault.put(admin, "acme", "customer", customer(1, **canaries))
    (canary,) = service.plant_honeytokens(admin, "acme", "customer")
    platform.gate.read(admin, "acme", [rid, canary], purpose="marketing", view="plain")
    platform.gate.find(admin, "acme", "customer", "email", canaries["email"], purpose="x")
    assert inbox.messages and service.alerts(admin)
    platform.close()
    blobs = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    blobs += inbox.messages
    for value in canaries.values():
        assert value not in caplog.text
        for blob in blobs:
            assert value.encode() not in blob
