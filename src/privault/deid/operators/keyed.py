"""Keyed operators: hash (HMAC-SHA256), encrypt/decrypt (AES-SIV or AES-GCM).

All of them refuse to run without the project key: there are no unkeyed or
unsalted hashes here (a plain SHA-256 of an e-mail address is reversed by
hashing a list of addresses), and no encryption under a key from a policy file.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from privault.core.errors import InvalidCiphertext
from privault.crypto._primitives import Aead, HmacSha256, Siv
from privault.deid.operators.base import Binding, Operator, OperatorParams

__all__ = ["Decrypt", "Encrypt", "EncryptParams", "Hash", "HashParams"]


class HashParams(OperatorParams):
    """Parameters of :class:`Hash`.

    Attributes:
        length: hex characters kept of the 64 (at least 16, i.e. 64 bits).
        scope: domain separation: equal values hash equally only within a scope.

    """

    length: int = Field(default=64, ge=16, le=64)
    scope: str = ""


class Hash(Operator[HashParams]):
    """HMAC-SHA256 of the value under the project's hash subkey, in hex.

    The same value gives the same hash in every file, table and text masked
    under the same project key and scope, so joins and counts still work.
    """

    name = "hash"
    Params = HashParams
    needs_key = True

    def __init__(self, params: HashParams, binding: Binding) -> None:
        super().__init__(params, binding)
        self._mac: HmacSha256 = self.keys.hmac(f"hash/{params.scope}")

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return the hex HMAC of ``value``."""
        return self._mac.digest(value.encode()).hex()[: self.params.length]

    def apply_many(
        self, values: Sequence[str | None], subjects: Sequence[str | None] | None = None
    ) -> list[str | None]:
        """Hash a batch in one tight loop over precomputed HMAC states."""
        present = [v for v in values if v is not None]
        digests = iter(self._mac.hexdigests((v.encode() for v in present), self.params.length))
        if len(present) == len(values):
            return list(digests)
        return [None if v is None else next(digests) for v in values]


class EncryptParams(OperatorParams):
    """Parameters of :class:`Encrypt` and :class:`Decrypt`.

    Attributes:
        mode: ``deterministic`` (AES-256-SIV: equal values, equal ciphertexts)
            or ``random`` (AES-256-GCM with a fresh nonce per value).
        context: bound into the ciphertext as associated data; decryption
            needs the same context.

    """

    mode: Literal["deterministic", "random"] = "deterministic"
    context: str = ""


class _Cipher(Operator[EncryptParams]):
    Params = EncryptParams
    needs_key = True

    def __init__(self, params: EncryptParams, binding: Binding) -> None:
        super().__init__(params, binding)
        self._aad = b"privault/deid/encrypt\x00" + params.context.encode()
        if params.mode == "deterministic":
            self._cipher: Siv | Aead = Siv(self.keys.subkey("encrypt/siv", 64))
        else:
            self._cipher = Aead(self.keys.subkey("encrypt/gcm"))

    def _seal(self, value: str) -> str:
        sealed = self._cipher.seal(value.encode(), self._aad)
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def _open(self, value: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            return self._cipher.open(raw, self._aad).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise InvalidCiphertext() from None


class Encrypt(_Cipher):
    """Encrypt the value (base64url text out); :class:`Decrypt` reverses it."""

    name = "encrypt"
    reversible = True

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return the base64url ciphertext of ``value``."""
        return self._seal(value)

    def apply_many(
        self, values: Sequence[str | None], subjects: Sequence[str | None] | None = None
    ) -> list[str | None]:
        """Encrypt a batch (random mode gives every cell its own nonce)."""
        if self.params.mode == "random":
            return [None if v is None else self._seal(v) for v in values]
        return super().apply_many(values, subjects)

    def reverse(self, value: str) -> str:
        """Decrypt a ciphertext made by :meth:`apply`.

        Raises:
            InvalidCiphertext: wrong key, context, or a tampered value.

        """
        return self._open(value)


class Decrypt(_Cipher):
    """Decrypt values made by ``encrypt`` with the same mode, context and key."""

    name = "decrypt"

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return the plaintext of ``value``.

        Raises:
            InvalidCiphertext: wrong key, context, or a tampered value.

        """
        return self._open(value)

    def reverse(self, value: str) -> str:
        """Encrypt again (the inverse of decryption)."""
        return self._seal(value)
