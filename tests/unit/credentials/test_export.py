"""Sealed exports: round trip, wrong passphrase, tampering."""

from __future__ import annotations

import json

import pytest

from privault.core.errors import InvalidCiphertext, InvalidInput
from privault.core.secret import Secret
from privault.credentials import export
from privault.credentials.items import ItemMeta, ItemSecrets
from privault.crypto.kdf import Argon2Params

FAST = Argon2Params(memory_kib=8192, iterations=1, parallelism=1)
PASS = Secret("export passphrase 42")


def test_round_trip_and_failures() -> None:
    doc = export.document([(ItemMeta("t", "u", "x"), ItemSecrets(Secret("pw-canary-77")))])
    blob = export.seal(doc, PASS, FAST)
    assert b"pw-canary-77" not in blob
    assert export.unseal(blob, PASS) == doc
    items = export.items_from(export.unseal(blob, PASS))
    assert items[0].secrets.password.reveal() == "pw-canary-77"
    with pytest.raises(InvalidCiphertext):
        export.unseal(blob, Secret("another passphrase"))
    env = json.loads(blob)
    env["data"] = env["data"][:-8] + "AAAAAAA="
    with pytest.raises(InvalidCiphertext):
        export.unseal(json.dumps(env).encode(), PASS)
    with pytest.raises(InvalidInput):
        export.unseal(b"{}", PASS)
    with pytest.raises(InvalidInput, match="at least 12"):
        export.seal(doc, Secret("short"), FAST)
