"""The CLI end to end: set-up, import, gated reads, keys, audit, and every error path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import PASS, cli_runner
from tests.support.data import CUSTOMER_SCHEMA, customer


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    return cli_runner(tmp_path, monkeypatch)


@pytest.fixture
def ready(cli, tmp_path: Path):
    cli("init")
    cli("tenant", "create", "acme", "--name", "Acme Ltd")
    schema = tmp_path / "customer.yaml"
    schema.write_text(CUSTOMER_SCHEMA)
    cli("schema", "apply", str(schema), "--tenant", "acme")
    data = tmp_path / "customers.jsonl"
    data.write_text("".join(json.dumps(customer(i)) + "\n" for i in range(12)))
    out = cli("vault", "import", str(data), "-t", "acme", "--type", "customer")
    assert "imported 12 record(s)" in out
    return cli


def _records(cli, *args: str) -> list[dict]:
    out = cli("vault", "list", "-t", "acme", "--purpose", "test", "-f", "json", *args)
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_full_flow(ready, tmp_path: Path) -> None:
    cli = ready
    masked = _records(cli, "--limit", "100")
    assert len(masked) == 12 and masked[0]["fields"]["card"] == "**** **** **** 1111"
    plain = _records(cli, "--view", "plain", "--fields", "email,name", "--limit", "1")
    assert set(plain[0]["fields"]) == {"email", "name"}
    rid = plain[0]["id"]
    got = cli("vault", "get", "-t", "acme", rid, "--purpose", "t", "--view", "plain", "-f", "json")
    assert plain[0]["fields"]["email"] in got
    found = cli(
        "vault",
        "find",
        "-t",
        "acme",
        "--type",
        "customer",
        "--field",
        "email",
        "--value",
        "PERSON5@example.test",
        "--purpose",
        "t",
        "-f",
        "json",
    )
    assert '"subject_id": "C00005"' in found
    cli(
        "vault",
        "find",
        "-t",
        "acme",
        "--type",
        "customer",
        "--field",
        "email",
        "--value",
        "none@x.test",
        "--purpose",
        "t",
        code=1,
    )
    rid2 = cli(
        "vault",
        "put",
        "-t",
        "acme",
        "--type",
        "customer",
        "--set",
        "customer_id=C77777",
        "--set",
        "name=Solo Person",
    ).strip()
    cli("vault", "update", "-t", "acme", rid2, "--set", "visits=4")
    export = tmp_path / "out.csv"
    cli("vault", "export", "-t", "acme", "--purpose", "backup", "-o", str(export))
    lines = export.read_text().splitlines()
    assert len(lines) == 14 and lines[0].startswith("id,record_type,customer_id")
    assert "shredded: key destroyed=True, 1 record(s)" in cli(
        "vault", "shred", "-t", "acme", "C00003", "--yes"
    )
    assert len(_records(cli, "--limit", "100")) == 12
    cli("keys", "rotate")
    cli("keys", "rotate", "--tenant", "acme")
    assert "subject keys" in cli("keys", "rewrap", "--batch-size", "5")
    status = cli("keys", "status")
    assert "root" in status and "kek" in status
    assert "audit trail intact" in cli("audit", "verify")
    events = cli("audit", "search", "--action", "record.read", "-f", "json").splitlines()
    assert events and all(json.loads(e)["action"] == "record.read" for e in events)
    tok = cli("vault", "tokenize", "-t", "acme", "--kind", "random", "x@y.test").strip()
    assert cli("vault", "detokenize", "-t", "acme", tok, "--purpose", "t").strip() == "x@y.test"


def test_tampered_trail_fails_verify(ready, tmp_path: Path) -> None:
    import sqlite3

    db = sqlite3.connect(tmp_path / "store" / "privault.db")
    db.execute("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 2")
    db.commit()
    db.close()
    out = ready("audit", "verify", code=1)
    assert "seq 2" in out and "FAILED" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"customer_id": "X1", "name": "A"}\n{"customer_id": "X2"\n', "line 2: not valid JSON"),
        (
            '{"customer_id": "X1", "name": "A"}\n{"customer_id": "X2", "age": 3}\n',
            "line 2: unknown field 'age'",
        ),
        ('{"customer_id": "X1", "name": "A"}\n[1, 2]\n', "line 2: expected a JSON object"),
    ],
)
def test_bad_import_reports_line_and_writes_nothing(
    ready, tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    out = ready("vault", "import", str(bad), "-t", "acme", "--type", "customer", code=2)
    assert message in out and "Traceback" not in out
    assert len(_records(ready, "--limit", "100")) == 12


def test_csv_import_and_bad_csv(ready, tmp_path: Path) -> None:
    good = tmp_path / "in.csv"
    good.write_text("customer_id,name,visits\nK1,Ann Example,3\nK2,Bo Example,\n")
    assert "imported 2" in ready("vault", "import", str(good), "-t", "acme", "--type", "customer")
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,name,visits\nK3,Cy Example,three\n")
    out = ready("vault", "import", str(bad), "-t", "acme", "--type", "customer", code=2)
    assert "line 2: field 'visits': expected integer" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("vault", "list", "-t", "ghost", "--purpose", "x"), "unknown tenant 'ghost'"),
        (
            ("vault", "put", "-t", "acme", "--type", "customer", "--set", "nope=1"),
            "unknown field 'nope'",
        ),
        (
            ("vault", "put", "-t", "acme", "--type", "order", "--set", "a=1"),
            "unknown record type 'order'",
        ),
        (("vault", "list", "-t", "acme", "--purpose", "x", "--view", "x-ray"), "unknown view mode"),
        (("tenant", "create", "Bad Name"), "invalid tenant name"),
        (
            ("vault", "import", "missing.jsonl", "-t", "acme", "--type", "customer"),
            "cannot read missing.jsonl",
        ),
    ],
)
def test_input_errors_get_one_clear_line(ready, args: tuple[str, ...], message: str) -> None:
    out = ready(*args, code=2)
    assert message in out and "Traceback" not in out


def test_wrong_passphrase_and_setup_errors(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "run 'privault db upgrade'" in cli("tenant", "list", code=2)
    cli("init")
    assert "already initialised" in cli("init", code=1)
    monkeypatch.setenv("PRIVAULT_PASSPHRASE", "not the right passphrase")
    out = cli("tenant", "list", code=2)
    assert "wrong passphrase" in out and PASS not in out
    schema = tmp_path / "bad.yaml"
    schema.write_text("record_type: x\ncategory: nonsense\nfields: {a: {}}\n")
    monkeypatch.setenv("PRIVAULT_PASSPHRASE", PASS)
    cli("tenant", "create", "acme")
    assert "category" in cli("schema", "apply", str(schema), "-t", "acme", code=2)
    schema.write_text("record_type: x\ncategory: master\nfields: {a: {pii: FOO}}\n")
    assert "unknown PII type 'FOO'" in cli("schema", "apply", str(schema), "-t", "acme", code=2)
    assert "up to date" in cli("db", "upgrade")
