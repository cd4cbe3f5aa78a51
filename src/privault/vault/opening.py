"""Read side of field encryption. Only :mod:`privault.app.gate` imports this.

An import-linter contract forbids every other module from importing it, so
the gate stays the one path from ciphertext to plaintext.
"""

from __future__ import annotations

from privault.core.errors import InvalidCiphertext, InvalidInput
from privault.crypto import fpe
from privault.crypto._primitives import Aead
from privault.crypto.ff1 import FF1
from privault.vault.sealing import ENVELOPE_HEADER


def open_field(aead: Aead, envelope: bytes, aad: bytes) -> str:
    """Decrypt one envelope made by :func:`privault.vault.sealing.seal_field`.

    Raises:
        InvalidCiphertext: unknown format, wrong key or AAD, or tampering.

    """
    if not envelope.startswith(ENVELOPE_HEADER):
        raise InvalidCiphertext("unknown envelope format")
    return aead.open(envelope[len(ENVELOPE_HEADER) :], aad).decode("utf-8")


def open_token_value(aead: Aead, ciphertext: bytes, aad: bytes) -> str:
    """Decrypt the stored value of a random or deterministic token."""
    return aead.open(ciphertext, aad).decode("utf-8")


def fpe_detoken(key: bytes, scope: str, pii: str, token: str) -> str:
    """Reverse :func:`privault.vault.tokens.fpe_token`.

    Raises:
        InvalidInput: the type has no FPE recipe or the token does not fit it.

    """
    ff1, tweak = FF1(key, 10), scope.encode()
    if pii == "CREDIT_CARD":
        return fpe.card_detoken(ff1, token, tweak)
    if pii == "US_SSN":
        return fpe.ssn_detoken(ff1, token, tweak)
    if pii == "PHONE_NUMBER":
        return fpe.phone_detoken(ff1, token, tweak)
    raise InvalidInput(f"no format-preserving token recipe for {pii}")
