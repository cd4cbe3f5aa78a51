"""The one module that imports ``cryptography.hazmat``.

Everything above it uses the recipes in :mod:`privault.crypto`. Failures of
authenticated decryption become one opaque :class:`InvalidCiphertext`.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from privault.core.errors import InvalidCiphertext, InvalidInput

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16


def random_bytes(n: int) -> bytes:
    """Return ``n`` bytes from the OS CSPRNG."""
    return secrets.token_bytes(n)


class Aead:
    """AES-256-GCM under one key. Reuse an instance for many messages.

    Args:
        key: 32 bytes.

    """

    __slots__ = ("_gcm",)

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise InvalidInput("AES-256-GCM needs a 32-byte key")
        self._gcm = AESGCM(key)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt with a fresh random nonce; return ``nonce || ciphertext || tag``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._gcm.encrypt(nonce, plaintext, aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        """Decrypt ``nonce || ciphertext || tag`` bound to ``aad``.

        Raises:
            InvalidCiphertext: on any failure (wrong key, AAD, or tampering).

        """
        if len(sealed) < NONCE_BYTES + TAG_BYTES:
            raise InvalidCiphertext()
        try:
            return self._gcm.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
        except InvalidTag:
            raise InvalidCiphertext() from None


def hkdf_sha256(key: bytes, *, info: bytes, length: int = KEY_BYTES, salt: bytes = b"") -> bytes:
    """Derive a subkey with HKDF-SHA256 (RFC 5869), domain-separated by ``info``."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt or None, info=info).derive(key)


class AesBlock:
    """Raw AES block encryption (ECB over whole blocks) for FF1's round function.

    Not an encryption mode for data: FF1 builds its PRF (CBC-MAC with a zero
    IV over fixed-shape input) from it.
    """

    __slots__ = ("_enc",)

    def __init__(self, key: bytes) -> None:
        if len(key) not in (16, 24, 32):
            raise InvalidInput("AES needs a 16, 24 or 32-byte key")
        self._enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305

    def encrypt_block(self, block: bytes) -> bytes:
        """Encrypt exactly one 16-byte block."""
        return self._enc.update(block)

    def cbc_mac(self, data: bytes) -> bytes:
        """CBC-MAC with a zero IV over ``data`` (a multiple of 16 bytes)."""
        y = bytes(16)
        enc = self._enc.update
        for i in range(0, len(data), 16):
            block = data[i : i + 16]
            y = enc((int.from_bytes(y, "big") ^ int.from_bytes(block, "big")).to_bytes(16, "big"))
        return y
