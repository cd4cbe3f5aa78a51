"""Drive the real `privault` CLI in tests: a fresh installation in a tmp dir."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from privault.interfaces.cli.main import app
from tests.support.data import CUSTOMER_SCHEMA, customer

PASS = "a long enough passphrase"
Run = Callable[..., str]


def cli_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """A ``run(*args, code=0, input=None) -> output`` over a store in ``tmp_path``."""
    monkeypatch.setenv("PRIVAULT_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("PRIVAULT_PASSPHRASE", PASS)
    monkeypatch.setenv("PRIVAULT_KDF_MEMORY_KIB", "8192")
    monkeypatch.setenv("PRIVAULT_KDF_ITERATIONS", "1")
    runner = CliRunner()

    def run(*args: str, code: int = 0, input: str | None = None) -> str:
        result = runner.invoke(app, list(args), input=input)
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    return run


def seeded_installation(
    run: Run, tmp_path: Path, customers: int, tenant_name: str | None = None
) -> Run:
    """``init``, tenant ``acme`` with the customer schema, and N customers imported."""
    run("init")
    run("tenant", "create", "acme", *(("--name", tenant_name) if tenant_name else ()))
    schema = tmp_path / "customer.yaml"
    schema.write_text(CUSTOMER_SCHEMA)
    run("schema", "apply", str(schema), "--tenant", "acme")
    data = tmp_path / "customers.jsonl"
    data.write_text("".join(json.dumps(customer(i)) + "\n" for i in range(customers)))
    run("vault", "import", str(data), "-t", "acme", "--type", "customer")
    return run
