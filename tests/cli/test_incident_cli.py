"""The incident CLI: open, advance, assess, clocks, contain, notice, register."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import cli_runner, seeded_installation
from tests.support.net import free_port
from tests.support.smtp import Inbox, start_smtp


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return seeded_installation(cli_runner(tmp_path, monkeypatch), tmp_path, 3)


def test_incident_commands(cli: Any, tmp_path: Path) -> None:
    inc = cli("incident", "open", "Laptop stolen", "-s", "high").strip()
    assert inc.startswith("inc_")
    cli("incident", "advance", inc, "contained", code=1)
    cli("incident", "advance", inc, "triaged")
    impact = json.loads(
        cli(
            "incident",
            "assess",
            inc,
            "--since",
            "2000-01-01T00:00Z",
            "--until",
            "2100-01-01T00:00Z",
            "--source",
            "nowhere",
        )
    )
    assert impact["subjects"] == 0 and impact["safe_harbour"]
    assert "gdpr-art33" in cli("incident", "clocks", inc, "--tz", "Europe/Berlin")
    assert "froze" in cli("incident", "contain", inc, "freeze-exports", "acme")
    assert "Measures taken" in cli("incident", "notice", inc)
    assert "Laptop stolen" in cli("incident", "list")
    assert json.loads(cli("incident", "show", inc))["timeline"][0]["kind"] == "open"
    csv_path = tmp_path / "register.csv"
    cli("incident", "register", "-f", "csv", "-o", str(csv_path))
    assert csv_path.read_text().startswith("incident,title")


def test_escalation_commands(cli: Any, tmp_path: Path) -> None:
    box, port = Inbox(), free_port()
    matrix = tmp_path / "escalation.yaml"
    matrix.write_text(
        f"mail: {{host: 127.0.0.1, port: {port}}}\n"
        "contacts: {user:dora: {email: dora@example.test}}\n"
        "severities:\n  critical: [{notify: [role:lead], ack_within: 15m}, {notify: [role:dpo]}]\n"
        "  high: []\n  medium: []\n  low: []\n"
    )
    checked = cli("incident", "matrix", "check", str(matrix))
    assert "is valid (levels low: 0, medium: 0, high: 0, critical: 2; 0 reminder(s))" in checked

    bad = tmp_path / "bad.yaml"
    bad.write_text("severities: {critical: [{notify: [role:boss]}]}\n")
    assert "unknown team role 'boss'" in cli("incident", "matrix", "apply", str(bad), code=2)
    assert cli("incident", "matrix", "show").startswith("# source: shipped")
    assert "installed" in cli("incident", "matrix", "apply", str(matrix))
    assert "contacts: {user:dora" in cli("incident", "matrix", "show")

    inc = cli("incident", "open", "Laptop stolen", "-s", "critical").strip()
    cli("incident", "team", inc, "user:dora", "lead")
    cli("incident", "team", inc, "user:dora", "boss", code=2)
    assert "0 sent, 1 failed" in cli("incident", "tick", code=1)  # nothing listens yet
    controller = start_smtp(box, port)
    try:
        assert "0 new notification(s), 0 sent, 0 failed" in cli("incident", "tick")  # backoff
        state = json.loads(cli("incident", "escalation", inc))
        assert state["level"] == 1 and state["failed_deliveries"] == 1
    finally:
        controller.stop()
    assert "acknowledged by cli:" in cli("incident", "ack", inc)
    assert "was acknowledged by cli:" in cli("incident", "ack", inc, code=1)
    assert json.loads(cli("incident", "escalation", inc))["acknowledged_by"].startswith("cli:")
    at = ("--at", "2026-01-02T10:00+01:00", "--reference", "DPA-1")
    assert "recorded as notified" in cli("incident", "notified", inc, "gdpr-art33", *at)
    cli("incident", "notified", inc, "no-such-rule", code=2)


def test_tick_mails_through_the_cli(cli: Any, tmp_path: Path) -> None:
    box, port = Inbox(), free_port()
    controller = start_smtp(box, port)
    try:
        matrix = tmp_path / "escalation.yaml"
        matrix.write_text(
            f"notifiers: {{soc: {{type: email, port: {port}, recipients: [soc@example.test]}}}}\n"
            "severities: {critical: [], high: [{notify: [notifier:soc]}], medium: [], low: []}\n"
        )
        cli("incident", "matrix", "apply", str(matrix))
        inc = cli("incident", "open", "Stolen backup", "-s", "high").strip()
        assert "1 sent, 0 failed" in cli("incident", "tick")
        assert "0 sent" in cli("incident", "tick")
    finally:
        controller.stop()
    (mail,) = box.to("soc@example.test")
    assert inc in str(mail["X-Privault-Alert"]) and "Stolen backup" not in box.raw()
