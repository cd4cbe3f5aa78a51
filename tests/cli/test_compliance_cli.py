"""``privault compliance check|report|transparency``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from privault.interfaces.cli import compliance_cmds
from privault.interfaces.cli.main import app
from tests.support.data import CUSTOMER_SCHEMA, customer

PASS = "a long enough passphrase"
compliance_cmds.register(app)  # idempotent: main.py registers it too once wired


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
    run("tenant", "create", "acme", "--name", "Acme Ltd")
    schema = tmp_path / "customer.yaml"
    schema.write_text(CUSTOMER_SCHEMA)
    run("schema", "apply", str(schema), "--tenant", "acme")
    data = tmp_path / "customers.jsonl"
    data.write_text("".join(json.dumps(customer(i)) + "\n" for i in range(5)))
    run("vault", "import", str(data), "-t", "acme", "--type", "customer")
    return run


def test_check_exits_1_on_failing_controls_and_reports(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "store" / "compliance.yaml").write_text("contact: dpo@acme.test\n")
    training = tmp_path / "training.csv"
    training.write_text("name,course,completed_on\nann,privacy,2025-12-01\n")
    out = cli(
        "compliance",
        "check",
        "--framework",
        "pci-dss",
        "-t",
        "acme",
        "--format",
        "json",
        "--training",
        str(training),
        "--tls",
        code=1,
    )
    doc = json.loads(out)
    status = {c["check"]: c["status"] for c in doc["controls"]}
    assert status["vault-fields-encrypted"] == "pass" and status["tls-in-transit"] == "pass"
    assert status["training-current"] == "pass"
    assert "PV-RET-01" in doc["failing"] and doc["framework"] == "pci-dss"
    table = cli("compliance", "check", "-f", "gdpr", code=1)
    assert "PV-RET-01" in table and "score" in table
    pdf = tmp_path / "r.pdf"
    cli("compliance", "report", "-f", "hipaa", "-t", "acme", "-o", str(pdf))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "HIPAA Security Rule" in text and "164.312(a)(2)(iv)" in text
    html = tmp_path / "r.html"
    cli("compliance", "report", "-f", "ccpa", "-o", str(html))
    assert "1798.150" in html.read_text()
    page = tmp_path / "t.html"
    cli("compliance", "transparency", "-t", "acme", "-o", str(page))
    text = page.read_text()
    assert "Acme Ltd" in text and "dpo@acme.test" in text and "Testname" not in text
    cli("compliance", "check", "-f", "sox", code=2)
    cli("compliance", "report", "-o", str(tmp_path / "x.txt"), code=2)
