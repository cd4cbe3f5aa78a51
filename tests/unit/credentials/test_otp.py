"""TOTP seeds of client credentials: base32 and otpauth URIs, 80-bit seeds."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pyotp
import pytest

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.credentials.otp import code, parse_seed

AT = datetime(2026, 1, 1, tzinfo=UTC)
S80, S120 = "JBSWY3DPEHPK3PXP", "JBSWY3DPEHPK3PXPJBSWY3DP"


class _Ref(pyotp.TOTP):
    min_secret_length_bits = 80


@pytest.mark.parametrize(
    ("stored", "reference", "standard"),
    [
        (S120, _Ref(S120), True),  # privault's own path (access.totp)
        ("jbsw y3dp ehpk 3pxp", _Ref(S80), False),  # an 80-bit seed, spaced, lower case
        (
            _Ref(S120, digits=8, interval=60, digest=hashlib.sha256).provisioning_uri(name="a"),
            _Ref(S120, digits=8, interval=60, digest=hashlib.sha256),
            False,
        ),  # a URI with its own parameters
    ],
)
def test_codes_match_the_reference(stored: str, reference: pyotp.TOTP, standard: bool) -> None:
    seed = parse_seed(Secret(stored))
    assert seed.standard is standard
    assert code(seed, AT).reveal() == reference.at(AT)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not base32 !",
        "JBSWY3DP",
        "otpauth://totp/x?digits=6",
        "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=99",
    ],
)
def test_bad_seeds(stored: str) -> None:
    with pytest.raises(InvalidInput):
        parse_seed(Secret(stored))
