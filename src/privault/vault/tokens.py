"""Token recipes (forward direction).

Reversal lives in :mod:`privault.vault.opening` (imported only by the gate).

* ``random``        — ``tok_`` + 128 random bits; the value is stored encrypted
  (under the subject's DEK) so only the vault can reverse it.
* ``deterministic`` — ``dtk_`` + HMAC-SHA256(tenant token key, scope, value),
  128 bits: the same value always gives the same token within a tenant and
  scope (joins and counts on tokens work); stored encrypted for reversal.
* ``fpe``           — FF1 (NIST SP 800-38G) under a tenant token key: cards
  stay Luhn-valid card numbers, SSNs and phones keep their shape; nothing is
  stored, the key reverses it.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Sequence
from hashlib import sha256

import numpy as np

from privault.core.errors import InvalidInput
from privault.crypto import fpe
from privault.crypto._primitives import HmacSha256
from privault.crypto.ff1 import FF1

RANDOM_PREFIX = "tok_"
DETERMINISTIC_PREFIX = "dtk_"
VIEW_PREFIX = "vtk_"  # display-only tokens of untokenized fields: not reversible


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=").lower()


_B32_ALPHABET = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


def _b32_many(blobs: Sequence[bytes]) -> list[str]:
    """:func:`_b32` of many 16-byte strings at once (numpy; same text, no Python loop).

    Each 16 bytes get four zero bytes (20 bytes = four 5-byte groups = 32
    characters), of which the first 26 are exactly the unpadded encoding.
    """
    n = len(blobs)
    if n == 0:
        return []
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(n, 16)
    buf = np.zeros((n, 20), dtype=np.uint64)
    buf[:, :16] = raw
    groups = buf.reshape(n, 4, 5)
    bits = (
        (groups[..., 0] << 32)
        | (groups[..., 1] << 24)
        | (groups[..., 2] << 16)
        | (groups[..., 3] << 8)
        | groups[..., 4]
    )
    shifts = np.arange(35, -1, -5, dtype=np.uint64)
    idx = ((bits[..., None] >> shifts) & np.uint64(31)).reshape(n, 32)[:, :26]
    text = _B32_ALPHABET[idx].tobytes().decode("ascii")
    return [text[i : i + 26] for i in range(0, 26 * n, 26)]


def random_token() -> str:
    """A fresh random token."""
    return RANDOM_PREFIX + _b32(secrets.token_bytes(16))


def deterministic_token(
    key: bytes, scope: str, normalized: str, prefix: str = DETERMINISTIC_PREFIX
) -> str:
    """The deterministic token of a (normalised) value within ``scope``."""
    mac = hmac.new(key, scope.encode() + b"\x00" + normalized.encode(), sha256).digest()
    return prefix + _b32(mac[:16])


def deterministic_tokens(
    key: bytes, scope: str, normalized: Sequence[str], prefix: str = DETERMINISTIC_PREFIX
) -> list[str]:
    """:func:`deterministic_token` of many values (same tokens, a fraction of the time)."""
    head = scope.encode() + b"\x00"
    macs = HmacSha256(key).digests((head + v.encode() for v in normalized), 16)
    return [prefix + t for t in _b32_many(macs)]


def fpe_token(key: bytes, scope: str, pii: str, value: str) -> str:
    """Format-preserving token of ``value`` (card, SSN or phone).

    Raises:
        InvalidInput: the type has no FPE recipe or the value does not fit it.

    """
    ff1, tweak = FF1(key, 10), scope.encode()
    if pii == "CREDIT_CARD":
        return fpe.card_token(ff1, value, tweak)
    if pii == "US_SSN":
        return fpe.ssn_token(ff1, value, tweak)
    if pii == "PHONE_NUMBER":
        return fpe.phone_token(ff1, value, tweak)
    raise InvalidInput(f"no format-preserving token recipe for {pii}")


def token_aad(tenant_id: str, token: str) -> bytes:
    """AAD binding a stored token value to its tenant and token."""
    return b"privault-token\x00" + tenant_id.encode() + b"\x00" + token.encode()
