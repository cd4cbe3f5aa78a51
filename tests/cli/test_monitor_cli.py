"""The monitoring CLI: audit export/checkpoint/verify, honeytokens, alerts, replay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from privault.interfaces.cli.main import app
from tests.support.cli import cli_runner, seeded_installation


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return seeded_installation(cli_runner(tmp_path, monkeypatch), tmp_path, 150)


def test_export_checkpoint_and_verify_catch_a_truncated_chain(cli: Any, tmp_path: Path) -> None:
    out = cli("audit", "export", "--action", "record.write", "-f", "json")
    events = [json.loads(line) for line in out.splitlines()]
    assert len(events) == 1 and events[0]["detail"]["count"] == 150
    cef = cli("audit", "export", "-t", "acme", "-f", "cef", "-o", str(tmp_path / "a.cef"))
    assert "exported 3 event(s)" in cef
    assert (tmp_path / "a.cef").read_text().startswith("CEF:0|privault|privault|")
    assert "signed" in cli("audit", "checkpoint")
    assert "audit trail intact" in cli("audit", "verify")
    # An admin with database access cuts the newest event and rolls the head back:
    # the HMAC chain alone cannot tell, the signed checkpoint can.
    engine = create_engine(f"sqlite:///{tmp_path / 'store' / 'privault.db'}")
    with engine.begin() as conn:
        chain, seq = conn.execute(
            text("SELECT chain, seq FROM audit_checkpoints ORDER BY seq DESC LIMIT 1")
        ).one()
        prev = conn.execute(
            text("SELECT hash FROM audit_events WHERE chain = :c AND seq = :s"),
            {"c": chain, "s": seq - 1},
        ).scalar_one()
        conn.execute(
            text("DELETE FROM audit_events WHERE chain = :c AND seq = :s"), {"c": chain, "s": seq}
        )
        conn.execute(
            text("UPDATE audit_heads SET seq = :s, hash = :h WHERE chain = :c"),
            {"c": chain, "s": seq - 1, "h": prev},
        )
    engine.dispose()
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"chain {chain}, seq {seq}" in result.output and "truncated" in result.output


def test_honeytoken_alert_ack_resolve_and_replay(cli: Any) -> None:
    assert "planted 1 honeytoken" in cli(
        "honeytoken", "plant", "--tenant", "acme", "--type", "customer"
    )
    cli("vault", "list", "-t", "acme", "--purpose", "support", "--limit", "200")
    # the rules ran live during that read; a replay over the same history adds nothing
    assert ": 0 new alert(s)" in cli("monitor", "replay", "--since", "2000-01-01")
    listed = cli("alert", "list", "-f", "json")
    alerts = {a["rule"]: a for a in map(json.loads, listed.splitlines())}
    honey = alerts["honeytoken"]["id"]
    assert "acknowledged" in cli("alert", "ack", honey, "--note", "on it")
    assert "resolved" in cli("alert", "resolve", honey)
    cli("alert", "resolve", honey, code=1)  # resolved is final
    cli("alert", "false-positive", alerts["bulk-read"]["id"])
    assert ": 0 new alert(s)" in cli("monitor", "replay", "--since", "2000-01-01")
    active = [json.loads(line)["rule"] for line in cli("alert", "list", "-f", "json").splitlines()]
    assert "honeytoken" not in active and "bulk-read" not in active
    cli("monitor", "replay", "--since", "yesterday", code=2)
