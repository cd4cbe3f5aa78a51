"""``privault mask`` and ``privault anonymize`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from privault.interfaces.cli.main import app as main_app

PASS = "a long enough passphrase"
CANARY = "canary.91c2@leak-test.example"
POLICY = """
entities: {EMAIL_ADDRESS: hash, CREDIT_CARD: fpe}
columns: {notes: detect, age: {operator: generalize, kind: age}, zip: keep}
unlisted: keep
"""


def _app() -> typer.Typer:
    return main_app


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PRIVAULT_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("PRIVAULT_PASSPHRASE", PASS)
    monkeypatch.setenv("PRIVAULT_KDF_MEMORY_KIB", "8192")
    monkeypatch.setenv("PRIVAULT_KDF_ITERATIONS", "1")
    runner, app = CliRunner(), _app()

    def run(*args: str, code: int = 0, input: str | None = None) -> str:
        result = runner.invoke(app, list(args), input=input)
        assert result.exit_code == code, (args, result.output, result.exception)
        return result.output

    run("init")
    (tmp_path / "policy.yaml").write_text(POLICY)
    (tmp_path / "key").write_text("ab" * 32)
    return run


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "people.csv"
    pl.DataFrame(
        {
            "email": [CANARY, "b@corp.example"] * 5,
            "card": ["4111 1111 1111 1111", "5500 0000 0000 0004"] * 5,
            "age": ["34", "71"] * 5,
            "zip": ["12345", "12345"] * 5,
            "notes": [f"mail {CANARY} today", "nothing"] * 5,
        }
    ).write_csv(src)
    return src


def test_mask_file_reports_and_protects(cli, tmp_path: Path) -> None:
    src, dest, rep = _source(tmp_path), tmp_path / "masked.parquet", tmp_path / "r.json"
    out = cli(
        "mask",
        str(src),
        str(dest),
        "--policy",
        str(tmp_path / "policy.yaml"),
        "--key-file",
        str(tmp_path / "key"),
        "--quasi",
        "age,zip",
        "--k",
        "2",
        "--types",
        "email=EMAIL_ADDRESS,card=CREDIT_CARD",
        "--report",
        str(rep),
    )
    assert "rows: 10 in" in out and "risk: k=" in out and "hash" in out
    copy = pl.read_parquet(dest)
    assert CANARY not in str(copy.to_dicts()) and copy["age"].to_list()[0] == "30-39"
    report = json.loads(rep.read_text())
    assert report["risk"]["k"] >= 2 and CANARY not in rep.read_text()


def test_mask_errors_exit_2_without_values(cli, tmp_path: Path) -> None:
    src = _source(tmp_path)
    policy = tmp_path / "bad.yaml"
    policy.write_text("columns: {nope: keep}")
    out = cli("mask", str(src), str(tmp_path / "o.csv"), "--policy", str(policy), code=2)
    assert "nope" in out and CANARY not in out and not (tmp_path / "o.csv").exists()
    out = cli(
        "mask",
        str(src),
        str(tmp_path / "o.csv"),
        "--policy",
        str(tmp_path / "policy.yaml"),
        "--types",
        "email=EMAIL_ADDRESS",
        "--key-file",
        str(tmp_path / "missing-key"),
        code=2,
    )
    assert "missing-key" in out and CANARY not in out and not (tmp_path / "o.csv").exists()


def test_anonymize_jsonl(cli, tmp_path: Path) -> None:
    lines = json.dumps({"id": "1", "text": f"write to {CANARY} please"}) + "\n"
    out = cli(
        "anonymize",
        "--policy",
        str(tmp_path / "policy.yaml"),
        "--key-file",
        str(tmp_path / "key"),
        "--jsonl",
        input=lines,
    )
    row = json.loads(out.strip().splitlines()[-1])
    assert row["id"] == "1" and CANARY not in out and row["items"][0]["operator"] == "hash"


def test_managed_project_keys_give_consistent_pseudonyms(cli, tmp_path: Path) -> None:
    """Without --key-file, a project's managed key: same project, same output."""
    src = _source(tmp_path)
    outs = {}
    for name, project in (("a", "crm"), ("b", "crm"), ("c", "billing")):
        dest = tmp_path / f"{name}.csv"
        cli(
            "mask",
            str(src),
            str(dest),
            "--policy",
            str(tmp_path / "policy.yaml"),
            "--types",
            "email=EMAIL_ADDRESS",
            "--project",
            project,
        )
        outs[name] = pl.read_csv(dest, infer_schema=False)["email"].to_list()
    assert outs["a"] == outs["b"] and outs["a"] != outs["c"]
    assert CANARY not in outs["a"]
