"""Checksum and shape validators, registered by name for YAML recognizers.

A validator takes the matched text and answers ``True`` (the value is
well-formed, raise confidence) or ``False`` (drop the candidate).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from privault.core.registry import Registry

__all__ = [
    "VALIDATORS",
    "Validator",
    "bech32_valid",
    "bitcoin_valid",
    "digits_of",
    "ethereum_valid",
    "iban_valid",
    "luhn_valid",
    "nhs_valid",
    "nino_valid",
    "ssn_valid",
]

Validator = Callable[[str], bool]

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32)}

#: IBAN length per country (ISO 13616 registry, common SEPA and neighbours).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def digits_of(value: str) -> str:
    """Return only the ASCII digits of ``value``."""
    return "".join(c for c in value if "0" <= c <= "9")


def luhn_valid(value: str) -> bool:
    """Return whether the digits of ``value`` pass the Luhn (mod 10) check."""
    digits = digits_of(value)
    if len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_valid(value: str) -> bool:
    """Return whether ``value`` is an IBAN with the right length and mod-97 check."""
    iban = "".join(value.split()).replace("-", "").upper()
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is None or len(iban) != expected or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def ssn_valid(value: str) -> bool:
    """Return whether ``value`` has a valid US SSN area, group and serial."""
    digits = digits_of(value)
    if len(digits) != 9 or len(set(digits)) == 1:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9":
        return False
    return group != "00" and serial != "0000" and digits != "123456789"


def nhs_valid(value: str) -> bool:
    """Return whether ``value`` is a 10-digit NHS number with a valid mod-11 check digit."""
    digits = digits_of(value)
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


_NINO_BAD_PREFIX = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def nino_valid(value: str) -> bool:
    """Return whether ``value`` is shaped like a UK National Insurance number."""
    v = "".join(value.split()).upper()
    if len(v) != 9 or not v[2:8].isdigit() or v[8] not in "ABCD":
        return False
    first, second = v[0], v[1]
    if first in "DFIQUV" or second in "DFIOQUV":
        return False
    return v[:2] not in _NINO_BAD_PREFIX


def _b58decode(value: str) -> bytes | None:
    num = 0
    for ch in value:
        idx = _B58_INDEX.get(ch)
        if idx is None:
            return None
        num = num * 58 + idx
    raw = num.to_bytes((num.bit_length() + 7) // 8, "big") if num else b""
    pad = len(value) - len(value.lstrip("1"))
    return b"\x00" * pad + raw


def bitcoin_valid(value: str) -> bool:
    """Return whether ``value`` is a Base58Check (P2PKH/P2SH) or Bech32 bitcoin address."""
    if value[:3].lower() in ("bc1", "tb1"):
        return bech32_valid(value)
    raw = _b58decode(value)
    if raw is None or len(raw) != 25:
        return False
    check = hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4]
    return check == raw[-4:] and raw[0] in (0x00, 0x05, 0x6F, 0xC4)


def _bech32_polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def bech32_valid(value: str) -> bool:
    """Return whether ``value`` is a Bech32 or Bech32m string (BIP-173/350)."""
    if value.lower() != value and value.upper() != value:
        return False
    v = value.lower()
    pos = v.rfind("1")
    if pos < 1 or pos + 7 > len(v) or len(v) > 90:
        return False
    data = [_BECH32_INDEX.get(c, -1) for c in v[pos + 1 :]]
    if min(data) < 0:
        return False
    hrp = v[:pos]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _bech32_polymod(expanded + data) in (1, 0x2BC830A3)


def ethereum_valid(value: str) -> bool:
    """Return whether ``value`` is shaped like an Ethereum address (0x + 40 hex)."""
    body = value[2:]
    if not value.lower().startswith("0x") or len(body) != 40:
        return False
    try:
        int(body, 16)
    except ValueError:
        return False
    return len(set(body.lower())) > 4


VALIDATORS: Registry[Validator] = Registry("validator")
for _name, _fn in (
    ("luhn", luhn_valid),
    ("iban", iban_valid),
    ("us_ssn", ssn_valid),
    ("uk_nhs", nhs_valid),
    ("uk_nino", nino_valid),
    ("bitcoin", bitcoin_valid),
    ("bech32", bech32_valid),
    ("ethereum", ethereum_valid),
):
    VALIDATORS.register(_name, _fn)
