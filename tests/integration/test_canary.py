"""Seeded canary PII never reaches the database files, the logs or error messages."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from privault.app.bootstrap import Platform
from privault.core.context import Principal, RequestContext
from privault.core.errors import PrivaultError
from tests.support.data import customer

CANARIES = {
    "name": "Zorblatt Quixotic-Canary",
    "email": "zorblatt.canary@example.test",
    "phone": "+44 20 7946 0958",
    "ssn": "219-09-9999",
    "notes": "canary-note-q7x9 with a secret story",
}


def _exercise(platform: Platform, admin: RequestContext) -> list[str]:
    """Every path a value travels: write, read, search, tokens, errors, shred."""
    messages: list[str] = []
    platform.tenants.create(admin, "acme")
    from tests.support.data import CUSTOMER_SCHEMA

    platform.tenants.apply_schema(admin, "acme", CUSTOMER_SCHEMA)
    rid = platform.vault.put(admin, "acme", "customer", customer(1, **CANARIES))
    platform.vault.put(admin, "acme", "customer", customer(2))
    for view in ("plain", "masked", "token", "redacted"):
        platform.gate.read(admin, "acme", [rid], purpose="support", view=view)
    platform.gate.find(admin, "acme", "customer", "email", CANARIES["email"], purpose="x")
    platform.vault.tokenize(admin, "acme", [CANARIES["email"]], kind="random", scope="s")
    bad_calls = [
        lambda: platform.vault.put(admin, "acme", "customer", customer(3, visits=CANARIES["name"])),
        lambda: platform.vault.put(
            admin, "acme", "customer", customer(4, birth_date=CANARIES["ssn"])
        ),
        lambda: platform.vault.put(admin, "acme", "customer", {CANARIES["email"]: "x"}),
        lambda: platform.vault.tokenize(
            admin, "acme", [CANARIES["name"]], kind="fpe", scope="s", pii="CREDIT_CARD"
        ),
        lambda: platform.gate.read(
            RequestContext(Principal("user:eve")), "acme", [rid], purpose="x"
        ),
        lambda: platform.vault.put(admin, "acme", "customer", customer(1, **CANARIES)),
    ]
    platform.vault.shred(admin, "acme", "C00001")  # the last call then hits a shredded subject
    for call in bad_calls:
        with pytest.raises(PrivaultError) as info:
            call()
        messages.append(str(info.value) + repr(info.value.fields))
    return messages


def test_canaries_stay_out_of_files_logs_and_errors(
    sqlite_platform: Platform,
    admin: RequestContext,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    messages = _exercise(sqlite_platform, admin)
    audit = sqlite_platform.audit.search(limit=1000)
    sqlite_platform.close()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "privault.db" for p in files) and any(p.name == "keys.db" for p in files)
    blobs = {p.name: p.read_bytes() for p in files}
    for field, value in CANARIES.items():
        for needle in {value, value.lower(), value.replace(" ", "")}:
            for name, blob in blobs.items():
                assert needle.encode() not in blob, f"{field} canary in {name}"
                assert needle.encode("utf-16-le") not in blob
            assert needle not in caplog.text, f"{field} canary in logs"
            for message in messages:
                assert needle not in message, f"{field} canary in error {message!r}"
            for event in audit:
                assert needle not in repr(event), f"{field} canary in audit event"
