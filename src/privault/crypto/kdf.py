"""Passphrase key derivation (Argon2id) and password hashing."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import Type, hash_secret_raw

from privault.core.secret import Secret


@dataclass(frozen=True, slots=True)
class Argon2Params:
    """Argon2id cost parameters (RFC 9106 second recommended set by default)."""

    memory_kib: int = 65536
    iterations: int = 3
    parallelism: int = 4


def derive_key(passphrase: Secret[str], salt: bytes, params: Argon2Params) -> bytes:
    """Derive a 32-byte key from a passphrase with Argon2id."""
    return hash_secret_raw(
        passphrase.reveal().encode("utf-8"),
        salt,
        time_cost=params.iterations,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


_HASHER = PasswordHasher()


def hash_password(password: Secret[str]) -> str:
    """Return an Argon2id PHC string for ``password``."""
    return _HASHER.hash(password.reveal())


def verify_password(phc: str, password: Secret[str]) -> bool:
    """Check ``password`` against an Argon2id PHC string in constant time."""
    try:
        return _HASHER.verify(phc, password.reveal())
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
