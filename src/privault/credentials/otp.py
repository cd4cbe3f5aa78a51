"""TOTP seeds as third-party services hand them out. Pure.

Stored seeds are base32 strings or ``otpauth://totp/…`` URIs (Bitwarden and
KeePassXC export both). Many services still issue 80-bit seeds, which
privault's own second factor (:mod:`privault.access.totp`, 112-bit minimum)
rightly refuses for its users; for client credentials the service chose the
seed, so 80 bits is accepted here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pyotp

from privault.core.errors import InvalidInput
from privault.core.secret import Secret

MIN_BITS = 80
_DIGESTS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


@dataclass(frozen=True, slots=True)
class Seed:
    """A parsed seed: the base32 secret and its parameters."""

    secret: Secret[str]
    digits: int = 6
    period: int = 30
    algorithm: str = "SHA1"
    bits: int = 0

    @property
    def standard(self) -> bool:
        """6 digits every 30 s with SHA-1 and >= 112 bits (what access.totp handles)."""
        return (self.digits, self.period, self.algorithm) == (6, 30, "SHA1") and self.bits >= 112


class _Totp(pyotp.TOTP):
    min_secret_length_bits: ClassVar[int] = MIN_BITS


def parse_seed(stored: Secret[str]) -> Seed:
    """Parse a stored seed.

    Raises:
        InvalidInput: empty, not base32, shorter than 80 bits, or a bad URI.
    """
    value = stored.reveal().strip()
    digits, period, algorithm = 6, 30, "SHA1"
    if value.lower().startswith("otpauth://"):
        query = parse_qs(urlsplit(value).query)
        try:
            value = query["secret"][0]
            digits = int(query.get("digits", ["6"])[0])
            period = int(query.get("period", ["30"])[0])
        except (KeyError, ValueError):
            raise InvalidInput("the TOTP URI is malformed") from None
        algorithm = query.get("algorithm", ["SHA1"])[0].upper()
        if not (6 <= digits <= 10 and 1 <= period <= 3600):
            raise InvalidInput("the TOTP URI has unusual digits or period")
    value = value.replace(" ", "").replace("-", "").upper()
    if not value:
        raise InvalidInput("the item has no TOTP seed")
    try:
        raw = base64.b32decode(value + "=" * (-len(value) % 8))
    except (binascii.Error, ValueError):
        raise InvalidInput("the TOTP seed is not valid base32") from None
    if len(raw) * 8 < MIN_BITS:
        raise InvalidInput(f"the TOTP seed is shorter than {MIN_BITS} bits")
    return Seed(Secret(value), digits, period, algorithm.replace("-", ""), len(raw) * 8)


def code(seed: Seed, at: datetime) -> Secret[str]:
    """The code of any parsed seed at ``at``."""
    digest = _DIGESTS.get(seed.algorithm)
    if digest is None:
        raise InvalidInput(f"unsupported TOTP algorithm {seed.algorithm}")
    totp = _Totp(seed.secret.reveal(), digits=seed.digits, interval=seed.period, digest=digest)
    return Secret(str(totp.at(at)))
