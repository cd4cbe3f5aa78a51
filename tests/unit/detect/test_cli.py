"""``privault detect`` through a small local Typer app that calls ``register``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from privault.interfaces.cli.detect import register

TEXT = "Call Jane Doe at +44 20 7946 0958 or jane@example.com"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    return app


def run(app: typer.Typer, *args: str, stdin: str | None = None):
    return CliRunner().invoke(app, ["detect", *args], input=stdin)


def rows(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_text_file_without_values(app, tmp_path: Path):
    path = tmp_path / "note.txt"
    path.write_text(TEXT)
    result = run(app, str(path), "--rules-only")
    assert result.exit_code == 0, result.output
    [row] = rows(result.stdout)
    assert row["id"] == str(path)
    types = {e["type"] for e in row["entities"]}
    assert {"PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS"} <= types
    assert "jane@example.com" not in result.stdout  # values only with --show-values
    assert all(set(e) == {"type", "start", "end", "score"} for e in row["entities"])


def test_jsonl_stdin_with_values_and_entities(app):
    lines = "\n".join(json.dumps({"id": f"d{i}", "text": TEXT}) for i in range(3))
    result = run(app, "--jsonl", "-", "--rules-only", "--show-values",
                 "--entities", "EMAIL_ADDRESS", stdin=lines)  # fmt: skip
    assert result.exit_code == 0, result.output
    out = rows(result.stdout)
    assert [r["id"] for r in out] == ["d0", "d1", "d2"]
    ent = out[0]["entities"]
    assert [e["value"] for e in ent] == ["jane@example.com"]
    assert TEXT[ent[0]["start"] : ent[0]["end"]] == "jane@example.com"


def test_binary_file_is_skipped_with_exit_1(app, tmp_path: Path):
    good, binary = tmp_path / "a.txt", tmp_path / "b.bin"
    good.write_text(TEXT)
    binary.write_bytes(b"\x7fELF\x00\x01\x02" + bytes(range(256)))
    result = run(app, str(good), str(binary), "--rules-only")
    assert result.exit_code == 1
    assert len(rows(result.stdout)) == 1
    assert "b.bin" in result.stderr and "1 input(s) skipped" in result.stderr


def test_undecodable_and_bad_jsonl_lines_are_reported(app, tmp_path: Path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\u00e9 \xff".encode("latin-1"))
    result = run(app, str(latin), "--rules-only")
    assert result.exit_code == 1 and "latin.txt" in result.stderr
    result = run(app, "--jsonl", "-", "--rules-only", stdin='{"id":"a","text":"x"}\nnot json\n')
    assert result.exit_code == 1 and len(rows(result.stdout)) == 1 and ":2:" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--threshold", "2"),  # out of range
        ("--entities", "NOT_A_TYPE"),  # unknown entity
        ("--bogus",),  # unknown option
    ],
)
def test_usage_errors_exit_2(app, args):
    result = run(app, "--rules-only", *args, "-", stdin="hello")
    assert result.exit_code == 2
