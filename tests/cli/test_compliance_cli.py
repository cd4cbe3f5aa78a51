"""``privault compliance check|report|transparency``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.support.cli import cli_runner, seeded_installation


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return seeded_installation(cli_runner(tmp_path, monkeypatch), tmp_path, 5, "Acme Ltd")


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
