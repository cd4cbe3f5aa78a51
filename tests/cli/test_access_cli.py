"""The access commands: users, roles, API keys, MFA enrolment, explained checks."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest

from tests.support.cli import cli_runner

USER_PW = "tangerine-orbit-walrus-42\n"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    run = cli_runner(tmp_path, monkeypatch)
    run("init")
    run("tenant", "create", "acme")
    run("tenant", "create", "globex")
    return run


def test_users_roles_and_explained_checks(cli, tmp_path: Path) -> None:
    out = cli(
        "user",
        "add",
        "alice",
        "--role",
        "technician",
        "--tenant",
        "acme",
        "--password-stdin",
        input=USER_PW,
    )
    assert "added user alice" in out
    assert "alice" in cli("user", "list")
    assert "at least 12" in cli("user", "add", "bob", "--password-stdin", input="short\n", code=2)
    allowed = cli(
        "access",
        "check",
        "alice",
        "record.read",
        "acme",
        "--field",
        "customer.ssn",
        "--pii",
        "US_SSN",
    )
    assert "ALLOWED" in allowed and "role:technician" in allowed and "shown as none" in allowed
    denied = cli("access", "check", "alice", "record.read", "globex", code=1)
    assert "DENIED" in denied and "tenant-scope" in denied
    policy = tmp_path / "roles.yaml"
    policy.write_text(
        "roles:\n  - name: billing\n    allow: [record.read]\n"
        "    views: {'*': masked, CREDIT_CARD: plain}\n"
    )
    assert "billing" in cli("role", "apply", str(policy))
    cli("role", "grant", "alice", "billing", "--tenant", "globex")
    assert "role:billing" in cli("access", "check", "alice", "record.read", "globex")
    cli("role", "revoke", "alice", "billing", "--tenant", "globex")
    assert "billing" in cli("role", "list")
    assert "unknown role 'root'" in cli("role", "grant", "alice", "root", code=2)
    report = cli("access", "report", code=1)
    assert "no-mfa" in report and "alice" in report
    cli("user", "disable", "alice")
    assert "disabled" in cli("user", "list")


def test_api_keys_and_mfa_enrolment(cli) -> None:
    cli("user", "add", "svc-etl", "--service")
    out = cli("apikey", "create", "svc-etl", "etl", "--scope", "record.read", "--expires", "30d")
    token = next(line for line in out.splitlines() if line.startswith("pvk_"))
    listing = cli("apikey", "list")
    assert "etl" in listing and token not in listing
    key_id = token.removeprefix("pvk_").split("_")[0]
    cli("apikey", "revoke", key_id)
    assert "revoked" in cli("apikey", "list")
    assert "expiry looks like" in cli(
        "apikey", "create", "svc-etl", "x", "--scope", "a", "--expires", "soon", code=2
    )
    cli("user", "add", "carol", "--password-stdin", input=USER_PW)
    enrol = cli("mfa", "enroll", "carol")
    uri = next(line for line in enrol.splitlines() if line.startswith("otpauth://"))
    code = pyotp.parse_uri(uri).now()
    codes = cli("mfa", "verify", "carol", code)
    assert len([c for c in codes.splitlines() if c.count("-") == 2]) == 10
    assert "already enrolled" in cli("mfa", "enroll", "carol", code=1)
    cli("mfa", "reset", "carol")
    assert "carol" in cli("user", "list")
