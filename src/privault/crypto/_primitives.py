"""The one module that imports ``cryptography.hazmat``.

Everything above it uses the recipes in :mod:`privault.crypto`. Failures of
authenticated decryption become one opaque :class:`InvalidCiphertext`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from privault.core.errors import InvalidCiphertext, InvalidInput

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_SHA256_BLOCK = 64


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


class Siv:
    """AES-256-SIV (RFC 5297): deterministic authenticated encryption.

    Equal plaintexts under the same key and AAD give equal ciphertexts (so
    joins and counts survive), and nothing else leaks; use it only where that
    equality is wanted, :class:`Aead` everywhere else.

    Args:
        key: 64 bytes (two AES-256 keys: S2V and CTR).

    """

    __slots__ = ("_siv",)

    def __init__(self, key: bytes) -> None:
        if len(key) != 2 * KEY_BYTES:
            raise InvalidInput("AES-256-SIV needs a 64-byte key")
        self._siv = AESSIV(key)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt deterministically; return ``synthetic IV || ciphertext``."""
        return self._siv.encrypt(plaintext, [aad])

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        """Decrypt ``synthetic IV || ciphertext`` bound to ``aad``.

        Raises:
            InvalidCiphertext: on any failure (wrong key, AAD, or tampering).

        """
        if len(sealed) < TAG_BYTES:
            raise InvalidCiphertext()
        try:
            return self._siv.decrypt(sealed, [aad])
        except InvalidTag:
            raise InvalidCiphertext() from None


class HmacSha256:
    """HMAC-SHA256 (RFC 2104) under one key, fast over many short messages.

    The inner and outer hash states after the padded key are computed once and
    copied per message: about twice the throughput of ``hmac.digest`` per call,
    which matters when a column of a million values is hashed.

    Args:
        key: at least 16 bytes; keys longer than the SHA-256 block are hashed
            first, as RFC 2104 says.

    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:  # a 128-bit minimum
            raise InvalidInput("HMAC-SHA256 needs a key of at least 16 bytes")
        if len(key) > _SHA256_BLOCK:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(_SHA256_BLOCK, b"\x00")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def digest(self, message: bytes) -> bytes:
        """Return the 32-byte tag of ``message``."""
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def digests(self, messages: Iterable[bytes], nbytes: int = 32) -> list[bytes]:
        """Return the tags of ``messages``, each cut to ``nbytes`` bytes."""
        new_inner, new_outer = self._inner.copy, self._outer.copy
        out: list[bytes] = []
        append = out.append
        for message in messages:
            inner = new_inner()
            inner.update(message)
            outer = new_outer()
            outer.update(inner.digest())
            append(outer.digest()[:nbytes])
        return out

    def hexdigests(self, messages: Iterable[bytes], hex_chars: int = 64) -> list[str]:
        """Return the hex tags of ``messages``, each cut to ``hex_chars`` characters."""
        new_inner, new_outer = self._inner.copy, self._outer.copy
        out: list[str] = []
        append = out.append
        for message in messages:
            inner = new_inner()
            inner.update(message)
            outer = new_outer()
            outer.update(inner.digest())
            append(outer.hexdigest()[:hex_chars])
        return out


# -- Ed25519 signatures (signed audit checkpoints) ---------------------------------
def ed25519_public_key(seed: bytes) -> bytes:
    """The raw 32-byte Ed25519 public key of a 32-byte private seed.

    Raises:
        InvalidInput: the seed is not 32 bytes.

    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if len(seed) != KEY_BYTES:
        raise InvalidInput("an Ed25519 seed is 32 bytes")
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def ed25519_sign(seed: bytes, message: bytes) -> bytes:
    """Sign ``message`` with the Ed25519 key of a 32-byte seed (64-byte signature).

    Raises:
        InvalidInput: the seed is not 32 bytes.

    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if len(seed) != KEY_BYTES:
        raise InvalidInput("an Ed25519 seed is 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(seed).sign(message)


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True if ``signature`` is a valid Ed25519 signature of ``message``; never raises."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# -- X.509: a self-signed certificate for a first HTTPS start ----------------------
def self_signed_certificate(hostname: str, days: int = 365) -> tuple[bytes, bytes]:
    """A self-signed ECDSA P-256 certificate for ``hostname`` (and loopback).

    Returns:
        (certificate PEM, unencrypted PKCS#8 private key PEM). Write the key
        with mode 0600; browsers will warn until a real certificate replaces it.
    """
    import datetime as _dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname[:64] or "localhost")])
    now = _dt.datetime.now(_dt.UTC)
    alt: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    try:
        extra: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(hostname))
    except ValueError:
        extra = x509.DNSName(hostname or "localhost")
    if extra not in alt:
        alt.append(extra)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem
