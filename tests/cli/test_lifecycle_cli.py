"""The lifecycle CLI: retention run and certificate, holds, consent, DSRs, minimization."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.support.cli import cli_runner, seeded_installation


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return seeded_installation(cli_runner(tmp_path, monkeypatch), tmp_path, 4)


def test_retention_run_hold_and_certificate(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "store" / "retention.yaml").write_text(
        "policies:\n  - {record_type: customer, keep: 0d}\n"
    )
    cli("lifecycle", "hold", "-t", "acme", "--reason", "case 1", "--subject", "C00001")
    dry = cli("lifecycle", "run", "-t", "acme", "--dry-run")
    assert "3 record(s) due (1 held)" in dry
    done = cli("lifecycle", "run", "-t", "acme", "--batch-size", "2")
    assert "3 destroyed" in done and "1 held" in done
    cert_id = done.rsplit("certificate ", 1)[1].strip()
    cert = json.loads(cli("lifecycle", "certificate", "-t", "acme", cert_id))
    assert cert["counts"]["destroyed"] == 3 and cert["signature"]["algorithm"] == "Ed25519"
    pdf = tmp_path / "cert.pdf"
    cli("lifecycle", "certificate", "-t", "acme", cert_id, "-f", "pdf", "-o", str(pdf))
    assert cert_id in "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "1 hold(s) released" in cli("lifecycle", "release", "-t", "acme", "--subject", "C00001")
    assert "error" in cli("lifecycle", "run", "-t", "acme", "--batch-size", "0", code=2)


def test_consent_dsr_and_minimization(cli: Any, tmp_path: Path) -> None:
    assert "recorded" in cli("consent", "set", "-t", "acme", "C00002", "marketing", "opt-out")
    assert "withdrawn" in cli("consent", "list", "-t", "acme")
    assert "cli" in cli("consent", "history", "-t", "acme", "--subject", "C00002")
    opened = cli("dsr", "open", "-t", "acme", "C00002", "access", "--received", "2024-01-31")
    dsr_id = opened.split()[0]
    assert "due 2024-02-29" in opened  # leap year: Jan 31 + 1 month
    assert "2024-04-30" in cli("dsr", "extend", "-t", "acme", dsr_id, "--reason", "complex")
    cli("dsr", "advance", "-t", "acme", dsr_id, code=1)  # identity not verified yet
    cli("dsr", "verify", "-t", "acme", dsr_id, "--method", "id-document")
    bundle_file = tmp_path / "bundle.json"
    assert "completed" in cli("dsr", "advance", "-t", "acme", dsr_id, "-o", str(bundle_file))
    bundle = json.loads(bundle_file.read_text())
    assert bundle["records"][0]["fields"]["name"] == "Testname Person2"
    again = json.loads(cli("dsr", "export", "-t", "acme", dsr_id))
    assert again["subject_id"] == "C00002"
    assert "id,tenant_id" in cli("dsr", "register", "-f", "csv")
    assert "2024-04-30" in cli("dsr", "list", "-t", "acme")
    report = json.loads(cli("minimize", "report", "-t", "acme", "--json"))
    kinds = {(f["kind"], f["target"]) for f in report["findings"]}
    assert ("no-purpose", "customer.email") in kinds
    assert ("unread", "customer.visits") not in kinds  # the access bundle read every field
    cli("dsr", "open", "-t", "acme", "C00002", "teleport", code=2)


def test_consent_import_and_lifting_a_restriction(cli: Any, tmp_path: Path) -> None:
    good = tmp_path / "consent.csv"
    good.write_text(
        "subject,purpose,decision,method\n"
        "C00001,marketing,granted,form\nC00002,analytics,opt-out,\nC00003,sale,withdrawn,import\n"
    )
    assert "3 consent choice(s) recorded" in cli("consent", "import", "-t", "acme", str(good))
    listed = cli("consent", "list", "-t", "acme", "--subject", "C00002")
    assert "analytics" in listed and "withdrawn" in listed
    bad = tmp_path / "bad.jsonl"
    canary = "canary-subject with spaces"
    bad.write_text(
        json.dumps({"subject": "C00004", "purpose": "marketing", "decision": "granted"})
        + "\n"
        + json.dumps({"subject": canary, "purpose": "marketing", "decision": "granted"})
        + "\n"
    )
    refused = cli("consent", "import", "-t", "acme", str(bad), code=2)
    assert "row 2" in refused and canary not in refused
    assert "C00004" not in cli("consent", "list", "-t", "acme")  # all or nothing
    headless = tmp_path / "headless.csv"
    headless.write_text("who,what\nC00001,marketing\n")
    assert "decision" in cli("consent", "import", "-t", "acme", str(headless), code=2)

    dsr_id = cli("dsr", "open", "-t", "acme", "C00001", "restriction").split()[0]
    cli("dsr", "verify", "-t", "acme", dsr_id, "--method", "id-document")
    cli("dsr", "advance", "-t", "acme", dsr_id)
    lift = ("dsr", "lift-restriction", "-t", "acme", dsr_id, "--reason", "dispute settled")
    assert "Art. 18(3)" in cli(*lift, code=2)
    assert "restriction lifted" in cli(*lift, "--subject-informed")
    cli(*lift, "--subject-informed", code=1)  # nothing left to lift
