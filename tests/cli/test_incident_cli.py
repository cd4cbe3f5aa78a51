"""The incident CLI: open, advance, assess, clocks, contain, notice, register."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from privault.interfaces.cli import incident_cmds
from privault.interfaces.cli.main import app
from tests.support.data import CUSTOMER_SCHEMA, customer

PASS = "a long enough passphrase"
incident_cmds.register(app)  # idempotent: main.py registers it too once wired


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PRIVAULT_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("PRIVAULT_PASSPHRASE", PASS)
    monkeypatch.setenv("PRIVAULT_KDF_MEMORY_KIB", "8192")
    monkeypatch.setenv("PRIVAULT_KDF_ITERATIONS", "1")
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    run("init")
    run("tenant", "create", "acme")
    schema = tmp_path / "customer.yaml"
    schema.write_text(CUSTOMER_SCHEMA)
    run("schema", "apply", str(schema), "--tenant", "acme")
    data = tmp_path / "customers.jsonl"
    data.write_text("".join(json.dumps(customer(i)) + "\n" for i in range(3)))
    run("vault", "import", str(data), "-t", "acme", "--type", "customer")
    return run


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
