"""DeidKeys and the two recipes it added to crypto/_primitives (HmacSha256, Siv)."""

from __future__ import annotations

import hmac
import secrets

import pytest

from privault.core.errors import InvalidCiphertext, InvalidInput
from privault.core.secret import Secret
from privault.crypto._primitives import HmacSha256, Siv
from privault.deid import DeidKeys


@pytest.mark.parametrize("size", [16, 32, 64, 65, 200])  # short, usual, block, over a block
def test_hmac_matches_stdlib(size: int) -> None:
    key = secrets.token_bytes(size)
    mac = HmacSha256(key)
    for msg in (b"", b"a", b"x" * 1000):
        want = hmac.new(key, msg, "sha256")
        assert mac.digest(msg) == want.digest()
        assert mac.hexdigests([msg], 20) == [want.hexdigest()[:20]]


def test_hmac_refuses_short_keys() -> None:
    with pytest.raises(InvalidInput):
        HmacSha256(b"short")


def test_siv_is_deterministic_and_authenticated() -> None:
    siv = Siv(secrets.token_bytes(64))
    assert siv.seal(b"v", b"a") == siv.seal(b"v", b"a")
    assert siv.open(siv.seal(b"v", b"a"), b"a") == b"v"
    for bad in (siv.seal(b"v", b"a")[:-1] + b"\x00", b"short"):
        with pytest.raises(InvalidCiphertext):
            siv.open(bad, b"a")
    with pytest.raises(InvalidCiphertext):
        siv.open(siv.seal(b"v", b"a"), b"b")
    with pytest.raises(InvalidInput):
        Siv(secrets.token_bytes(32))


def test_subkeys_are_per_purpose_and_cached() -> None:
    keys = DeidKeys(Secret(b"p" * 32))
    assert keys.subkey("a") != keys.subkey("b") and keys.subkey("a") is keys.subkey("a")
    assert keys.memo("x", list) is keys.memo("x", list)
    assert repr(keys) == "DeidKeys(***)"
