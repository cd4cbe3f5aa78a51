"""``privault mask --fingerprint`` and ``privault trace`` end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from tests.support.cli import Run, cli_runner, seeded_installation

POLICY = "entities: {PERSON: fake, EMAIL_ADDRESS: fake}\ncolumns: {id: keep}\nunlisted: drop\n"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    run = cli_runner(tmp_path, monkeypatch)
    run("init")
    (tmp_path / "policy.yaml").write_text(POLICY)
    pl.DataFrame(
        {
            "id": [str(i) for i in range(200)],
            "name": [f"Grace{i % 9} Hopper{i}" for i in range(200)],
            "email": [f"grace{i}@navy.example" for i in range(200)],
        }
    ).write_csv(tmp_path / "people.csv")
    return run


def _mask(run: Run, tmp_path: Path, dest: str) -> str:
    out = run(
        "mask",
        str(tmp_path / "people.csv"),
        str(tmp_path / dest),
        "--policy",
        str(tmp_path / "policy.yaml"),
        "--types",
        "name=PERSON,email=EMAIL_ADDRESS",
        "--fingerprint",
    )
    line = next(x for x in out.splitlines() if x.startswith("export exp_"))
    assert "marked columns: name, email" in line
    return line.split()[1]


def test_trace_names_the_export_a_leak_came_from(run: Run, tmp_path: Path) -> None:
    first = _mask(run, tmp_path, "a.csv")
    second = _mask(run, tmp_path, "b.jsonl")
    leak = pl.read_ndjson(tmp_path / "b.jsonl").sample(n=40, seed=9, shuffle=True)
    leak.select("email", "id").write_parquet(tmp_path / "leak.parquet")
    out = run("trace", str(tmp_path / "leak.parquet"), "--sample", "40")
    assert f"attributed to export {second}" in out
    assert re.search(r"(39|40) of 40 distinct values carry its mark", out)
    assert "b.jsonl" in out and first in out  # the other export is scored, not named
    doc = json.loads(run("trace", str(tmp_path / "leak.parquet"), "--json"))
    assert doc["export"] == second and doc["confidence"] >= 1 - 1e-6
    assert doc["record"]["columns"] == ["name", "email"] and doc["exports_tested"] == 2
    for cell in leak["email"].to_list()[:5]:  # evidence names rows and counts, not values
        assert cell not in out
    listed = run("exports")
    assert first in listed and second in listed and "a.csv" in listed and "b.jsonl" in listed


def test_trace_exits_1_without_a_match_and_2_on_bad_input(run: Run, tmp_path: Path) -> None:
    _mask(run, tmp_path, "a.csv")
    out = run("trace", str(tmp_path / "people.csv"), code=1)
    assert "no recorded export matches" in out
    run("trace", str(tmp_path / "missing.csv"), code=2)
    run("trace", str(tmp_path / "people.csv"), "--sample", "0", code=2)
    assert "1 when no recorded export matches" in run("trace", "--help")


def test_mask_with_vault_tokens_for_a_tenant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = seeded_installation(cli_runner(tmp_path, monkeypatch), tmp_path, 0)
    policy = tmp_path / "tok.yaml"
    policy.write_text("columns: {email: {operator: tokenize, kind: vault}}\nunlisted: keep\n")
    src = tmp_path / "mails.csv"
    pl.DataFrame({"email": ["x1@corp.example", "x2@corp.example", "x1@corp.example"]}).write_csv(
        src
    )
    dest = tmp_path / "tok.csv"
    err = run("mask", str(src), str(dest), "--policy", str(policy), code=2)
    assert "vault token store" in err and not dest.exists()
    run("mask", str(src), str(dest), "--policy", str(policy), "--tenant", "acme")
    tokens = pl.read_csv(dest)["email"].to_list()
    assert tokens[0] == tokens[2] != tokens[1] and tokens[0].startswith("tok_")
    out = run("vault", "detokenize", "-t", "acme", "--purpose", "support", *tokens[:2])
    assert "x1@corp.example" in out and "x2@corp.example" in out
    run("mask", str(src), str(dest), "--policy", str(policy), "--tenant", "nope", code=2)
