"""The incident CLI: open, advance, assess, clocks, contain, notice, register."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import cli_runner, seeded_installation


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
