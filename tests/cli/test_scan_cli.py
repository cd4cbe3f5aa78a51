"""``privault scan``: table, JSON and SARIF output, --fail-on, and input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from privault.interfaces.cli.main import app as main_app

PASS = "a long enough passphrase"


def _app() -> typer.Typer:
    """The real CLI (main.py registers ``scan``)."""
    return main_app


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PRIVAULT_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("PRIVAULT_PASSPHRASE", PASS)
    monkeypatch.setenv("PRIVAULT_KDF_MEMORY_KIB", "8192")
    monkeypatch.setenv("PRIVAULT_KDF_ITERATIONS", "1")
    runner = CliRunner()
    app = _app()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    run("init")
    return run


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "crm").mkdir(parents=True)
    rows = ["id,email,card,notes"] + [
        f"{i},user{i}@example.org,4111 1111 1111 1111,called back" for i in range(40)
    ]
    (root / "crm" / "customers.csv").write_text("\n".join(rows) + "\n")
    (root / "crm" / "broken.xlsx").write_bytes(b"PK\x03\x04 nope")
    return root


def test_json_output(cli, data: Path) -> None:
    doc = json.loads(cli("scan", str(data), "--format", "json", "--sample", "100"))
    [table] = doc["tables"]
    assert table["table"] == "crm/customers.csv" and table["category"] in {"master", "reference"}
    assert [(c["name"], c["type"]) for c in table["columns"]] == [
        ("id", None),
        ("email", "EMAIL_ADDRESS"),
        ("card", "CREDIT_CARD"),
        ("notes", None),
    ]
    assert set(table["columns"][0]) >= {"name", "type", "confidence", "freeform_pii"}
    assert doc["issues"] == [{"input": "crm/broken.xlsx", "reason": doc["issues"][0]["reason"]}]


def test_sarif_output(cli, data: Path) -> None:
    doc = json.loads(cli("scan", str(data), "-f", "sarif", "--full"))
    assert doc["version"] == "2.1.0"
    rules = {r["ruleId"] for r in doc["runs"][0]["results"]}
    assert rules == {"pii/EMAIL_ADDRESS", "pii/CREDIT_CARD"}
    loc = doc["runs"][0]["results"][0]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "crm/customers.csv"


def test_table_output_and_tenant_map(cli, data: Path) -> None:
    cli("tenant", "create", "acme")
    out = cli("scan", str(data), "--tenant", "acme")
    assert "crm/customers.csv" in out and "CREDIT_CARD" in out and "unreadable" in out
    assert "new dataset" in out
    assert "new dataset" not in cli("scan", str(data), "--tenant", "acme")


def test_fail_on(cli, data: Path) -> None:
    cli("scan", str(data), "-f", "json", "--fail-on", "CREDIT_CARD", code=1)
    cli("scan", str(data), "-f", "json", "--fail-on", "US_SSN")
    cli("scan", str(data), "-f", "json", "--fail-on", "any", code=1)
    cli("scan", str(data), "--fail-on", "NOT_A_TYPE", code=2)


def test_bad_url_exits_2_without_the_password(cli) -> None:
    out = cli("scan", "postgresql://admin:Sup3rS3cret-canary@127.0.0.1:9/crm", code=2)
    assert "cannot connect" in out and "Sup3rS3cret-canary" not in out
    assert "Sup3rS3cret" not in cli("scan", "bogus://admin:Sup3rS3cret@h/db", code=2)


def test_missing_path_exits_2(cli, tmp_path: Path) -> None:
    assert "no such file" in cli("scan", str(tmp_path / "missing"), code=2)
