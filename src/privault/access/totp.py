"""TOTP (RFC 6238) second factor with replay protection, and recovery codes."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256

import pyotp

from privault.core.secret import Secret

STEP_SECONDS = 30
DRIFT_STEPS = 1  # accept the previous and the next 30-second window
ISSUER = "privault"


def new_secret() -> Secret[str]:
    """A fresh base32 TOTP secret (160 bits)."""
    return Secret(pyotp.random_base32(length=32))


def provisioning_uri(secret: Secret[str], account: str) -> str:
    """The ``otpauth://`` URI an authenticator app enrols from (show it once)."""
    return pyotp.TOTP(secret.reveal(), interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=ISSUER
    )


def current_code(secret: Secret[str], at: datetime) -> str:
    """The code for ``at`` (tests and the credential vault's TOTP generator use it)."""
    return pyotp.TOTP(secret.reveal(), interval=STEP_SECONDS).at(at)


def verify_code(secret: Secret[str], code: str, at: datetime, last_step: int | None) -> int | None:
    """Check ``code`` at time ``at``; return its time step, or None if refused.

    A code is accepted once: its step must be later than ``last_step`` (the
    step of the last accepted code), so a replayed code fails even inside the
    drift window.
    """
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret.reveal(), interval=STEP_SECONDS)
    now_step = int(at.timestamp()) // STEP_SECONDS
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        expected = totp.generate_otp(step)
        if hmac.compare_digest(expected, code) and (last_step is None or step > last_step):
            return step
    return None


@dataclass(frozen=True, slots=True)
class RecoveryCodes:
    """Codes to show the user once, and the hashes to store."""

    codes: tuple[Secret[str], ...]
    hashes: tuple[str, ...]


def new_recovery_codes(key: bytes, count: int = 10) -> RecoveryCodes:
    """Ten single-use codes like ``k7qm-2x9d-p4tz`` (60 bits), stored as keyed HMACs."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        codes.append(Secret(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"))
    return RecoveryCodes(tuple(codes), tuple(hash_recovery_code(key, c) for c in codes))


def hash_recovery_code(key: bytes, code: Secret[str]) -> str:
    """The stored form of a recovery code (keyed, so a stolen table is useless)."""
    normalized = code.reveal().strip().lower().replace(" ", "")
    return hmac.new(key, normalized.encode(), sha256).hexdigest()
