"""``privault cred``: add, list, get, totp, gen, health, import, export through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pyotp
import pytest
from typer.testing import CliRunner

from privault.interfaces.cli import main
from tests.unit.credentials.test_formats import BITWARDEN_JSON, KEEPASS_CSV

PASS = "a long enough passphrase"
SEED = "JBSWY3DPEHPK3PXPJBSWY3DP"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PRIVAULT_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("PRIVAULT_PASSPHRASE", PASS)
    monkeypatch.setenv("PRIVAULT_KDF_MEMORY_KIB", "8192")
    monkeypatch.setenv("PRIVAULT_KDF_ITERATIONS", "1")
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()

    def run(*args: str, code: int = 0, input: str | None = None) -> str:
        result = runner.invoke(main.app, list(args), input=input)
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    run("init")
    run("tenant", "create", "acme")
    return run


def test_cred_commands(cli, tmp_path: Path) -> None:
    out = cli(
        "cred",
        "add",
        "router",
        "-t",
        "acme",
        "--login",
        "admin",
        "--totp-stdin",
        input=f"iloveyou\n{SEED}\n",
    )
    item = out.split("added ")[1].split()[0]
    assert "router" in cli("cred", "list", "-t", "acme")
    assert cli("cred", "get", item, "-t", "acme", "--purpose", "ticket 5").strip() == "iloveyou"
    assert "purpose is required" in cli("cred", "get", item, "-t", "acme", "--purpose", "", code=2)
    code = cli("cred", "totp", item, "-t", "acme", "--purpose", "login").strip()
    assert len(code) == 6 and pyotp.TOTP(SEED).verify(code, valid_window=1)
    assert len(cli("cred", "gen", "--length", "32").splitlines()[0]) == 32
    assert len(cli("cred", "gen", "--words", "5").splitlines()[0].split("-")) == 5
    health = cli("cred", "health", "-t", "acme", code=1)
    assert "breached" in health and "iloveyou" not in health
    bw = tmp_path / "bw.json"
    bw.write_text(json.dumps(BITWARDEN_JSON))
    kp = tmp_path / "kp.csv"
    kp.write_text(KEEPASS_CSV)
    assert "imported 2 item(s), skipped 1" in cli(
        "cred", "import", str(bw), "-t", "acme", "--format", "bitwarden-json"
    )
    assert "imported 2" in cli("cred", "import", str(kp), "-t", "acme", "--format", "keepass-csv")
    sealed = tmp_path / "export.json"
    cli(
        "cred",
        "export",
        "-t",
        "acme",
        "--purpose",
        "backup",
        "-o",
        str(sealed),
        input="export passphrase 1\n",
    )
    assert b"iloveyou" not in sealed.read_bytes()
    plain = tmp_path / "plain.json"
    assert "PLAIN TEXT" in cli(
        "cred", "export", "-t", "acme", "--purpose", "move", "-o", str(plain), "--plain"
    )
    assert len(json.loads(plain.read_text())["items"]) == 5
