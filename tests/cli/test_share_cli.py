"""``privault share``: put, list, get, revoke, purge through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from privault.interfaces.cli import main

PASS = "a long enough passphrase"


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


def test_put_list_get_revoke(cli, tmp_path: Path) -> None:
    src = tmp_path / "notes.txt"
    src.write_text("call jane.doe@example.org about invoice 7\n")
    out = cli(
        "share",
        "put",
        str(src),
        "-t",
        "acme",
        "--expires",
        "2h",
        "--passphrase-stdin",
        input="open sesame\n",
    )
    assert "EMAIL_ADDRESS: 1" in out
    token = out.split("token (shown once): ")[1].split()[0]
    file_id = out.split("shared ")[1].split()[0]
    listed = cli("share", "list", "-t", "acme")
    assert "notes.txt" in listed and "EMAIL_ADDRESS: 1" in listed
    dest = tmp_path / "got.txt"
    assert "wrong passphrase" in cli("share", "get", token, "-o", str(dest), code=1)
    cli("share", "get", token, "-o", str(dest), "--passphrase-stdin", input="open sesame\n")
    assert dest.read_text() == src.read_text()
    cli("share", "revoke", file_id, "-t", "acme")
    assert "revoked" in cli(
        "share", "get", token, "-o", str(dest), "--passphrase-stdin", input="open sesame\n", code=1
    )
    assert "destroyed 1" in cli("share", "purge")
    assert "durations look like" in cli(
        "share", "put", str(src), "-t", "acme", "--expires", "soon", code=2
    )
