"""Value detectors: a vectorised regex prefilter, then a validator from privault.detect.

Each detector is a full-value pattern (Rust regex syntax, run by Polars over a
whole column batch with ``str.contains``) plus an optional validator that only
sees the values the pattern let through. Validators are privault.detect's own
(Luhn, mod-97, SSN rules, NHS mod-11, NINO, bitcoin/ethereum, the phone and
address recognizers), so a column and a sentence are judged by the same rules.

Implementer's checklist for a new detector (one entry in :data:`DETECTORS`):

* ``pattern`` matches a whole cleaned value (anchored ``^...$``), cheap to run;
* ``validator`` takes one value and returns a bool; mark it ``costly`` when it
  is slower than a few microseconds (it is then checked on a bounded random
  subset of candidates per batch in full mode, and the count extrapolated);
* ``strength`` is how telling a validated match is on its own (0-1);
* ``needs_hint`` when the shape is generic (plain digits, capitalised words):
  the detector then counts only when the column name hints at its type;
* ``digits`` (min, max) and ``not_dates`` narrow the candidates before any
  validator runs (dates and short amounts are not phone numbers);
* ``requires`` names a :data:`FEATURES` entry every match must have (an ``@``,
  a digit…): a batch column without it skips the detector's regex entirely.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

from privault.detect.recognizer import TextView
from privault.detect.recognizers._words import common_words
from privault.detect.recognizers.location import AddressRecognizer
from privault.detect.recognizers.phone import PhoneRecognizer
from privault.detect.validators import (
    bech32_valid,
    bitcoin_valid,
    digits_of,
    ethereum_valid,
    iban_valid,
    luhn_valid,
    nhs_valid,
    nino_valid,
    ssn_valid,
)

__all__ = ["DETECTORS", "PERSON_SHAPE", "ValueDetector", "card_valid", "detector"]

_CARD_PREFIXES = ("1", "2", "3", "4", "5", "6")
_COMPANY = (
    "gmbh",
    " ag",
    " kg",
    " ltd",
    " llc",
    " inc",
    " plc",
    " sa",
    " sarl",
    " sas",
    " s.a.",
    " s.l.",
    " spa",
    " s.p.a.",
    " bv",
    " nv",
    " & ",
    " and sons",
    " group",
    " corp",
)


@dataclass(frozen=True, slots=True)
class ValueDetector:
    """A pattern + validator detector for whole column values (see the module docstring)."""

    name: str
    entity: str
    pattern: str
    validator: Callable[[str], bool] | None = None
    strength: float = 1.0
    needs_hint: bool = False
    costly: bool = False
    digits: tuple[int, int] | None = None
    not_dates: bool = False
    requires: str | None = "digit"


def card_valid(value: str) -> bool:
    """Return whether ``value`` is a card number (13-19 digits, prefix, Luhn, one separator)."""
    digits = digits_of(value)
    if not 13 <= len(digits) <= 19 or not digits.startswith(_CARD_PREFIXES):
        return False
    return len({c for c in value if not c.isdigit()}) <= 1 and luhn_valid(digits)


@cache
def _phone() -> PhoneRecognizer:
    return PhoneRecognizer()


def phone_valid(value: str) -> bool:
    """Return whether privault.detect's phone recognizer accepts all of ``value``."""
    found = _phone().analyze(TextView.of(value))
    return any(f.end - f.start >= len(value) - 1 for f in found)


@cache
def _address() -> AddressRecognizer:
    return AddressRecognizer()


def address_valid(value: str) -> bool:
    """Return whether privault.detect's address rules find an address covering most of ``value``."""
    found = _address().analyze(TextView.of(value))
    return any(f.score >= 0.5 and (f.end - f.start) * 2 >= len(value) for f in found)


def ip_valid(value: str) -> bool:
    """Return whether ``value`` is an IPv4 or IPv6 address (optionally with a prefix)."""
    try:
        ipaddress.ip_interface(value)
    except ValueError:
        return False
    return True


def crypto_valid(value: str) -> bool:
    """Return whether ``value`` is a checksum-valid bitcoin address or an ethereum address."""
    if value.lower().startswith("0x"):
        return ethereum_valid(value)
    if value[:3].lower() in ("bc1", "tb1"):
        return bech32_valid(value)
    return bitcoin_valid(value)


def person_plausible(value: str) -> bool:
    """A capitalised value that is neither a company ("Martin GmbH") nor common words."""
    low = f" {value.lower()} "
    if any(s in low for s in _COMPANY):
        return False
    words = [w.strip(".,'-") for w in low.split()]
    common = common_words()
    return sum(w in common for w in words) * 2 < len(words)


def secret_like(value: str) -> bool:
    """Return whether ``value`` mixes character classes like a key, token or hash."""
    classes = sum(
        (any(c.islower() for c in value), any(c.isupper() for c in value)),
        start=any(c.isdigit() for c in value) + any(not c.isalnum() for c in value),
    )
    return classes >= 3 or (len(value) >= 32 and classes >= 2)


_SEP = r"[\s().\-/]"
_PARTICLES = r"(?:van|von|de|der|den|da|di|del|della|du|la|le|ter|ten|y|dos|das|zu|e)"
_CAP_WORD = r"\p{Lu}[\p{L}'\x{2019}.\-]*"
#: One to four capitalised words (particles allowed): names of people and places.
PERSON_SHAPE = rf"^{_CAP_WORD}(?:,?[ ]+(?:{_CAP_WORD}|{_PARTICLES})){{0,3}}$"
#: The word of a value most likely to be a given name (after titles; "Last, First" too).
FIRST_WORD = (
    r"^(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof|Herr|Frau|Mme|Mlle|M|Sr|Sra|Srta|Sig|Sig\.ra|Dhr|Mevr"
    r"|Dott|Ing)\.?[ ]+)*(?:\p{L}[\p{L}'\x{2019}\-]*,[ ]+)?(\p{L}[\p{L}'\x{2019}]*)"
)

_BASE: tuple[ValueDetector, ...] = (
    ValueDetector(
        "email",
        "EMAIL_ADDRESS",
        r"^[A-Za-z0-9][A-Za-z0-9._%+'\-]{0,63}@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}$",
    ),
    ValueDetector(
        "url", "URL", r"(?i)^(?:https?|ftps?)://[^\s]+$|^www\.[^\s/]+\.[a-z]{2,}", None, 0.9
    ),
    ValueDetector("ipv4", "IP_ADDRESS", r"^(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?$", ip_valid),
    ValueDetector("ipv6", "IP_ADDRESS", r"^[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$", ip_valid),
    ValueDetector(
        "mac", "MAC_ADDRESS", r"^[0-9A-Fa-f]{2}([:\-])[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){4}$"
    ),
    ValueDetector("card", "CREDIT_CARD", r"^\d[\d \-]{11,22}\d$", card_valid),
    ValueDetector(
        "iban", "IBAN_CODE", r"^[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){10,30}$", iban_valid
    ),
    ValueDetector("ssn", "US_SSN", r"^\d{3}-\d{2}-\d{4}$", ssn_valid, 0.9),
    ValueDetector("ssn_plain", "US_SSN", r"^\d{3} ?\d{2} ?\d{4}$", ssn_valid, 0.8, True),
    ValueDetector("nhs", "UK_NHS", r"^\d{3}([ \-]?)\d{3}[ \-]?\d{4}$", nhs_valid, 0.95),
    ValueDetector("nino", "UK_NINO", r"^[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]$", nino_valid),
    ValueDetector(
        "crypto",
        "CRYPTO",
        r"^(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?:bc1|BC1|tb1)[0-9A-Za-z]{11,71}|0x[0-9a-fA-F]{40})$",
        crypto_valid,
    ),
    ValueDetector(
        "phone_intl",
        "PHONE_NUMBER",
        rf"^(?:\+|00)(?:\d|{_SEP}){{6,22}}\d(?:[ ]?(?:x|ext\.?)[ ]?\d{{1,5}})?$",
        phone_valid,
        0.95,
        costly=True,
        digits=(7, 15),
    ),
    ValueDetector(
        "phone_formatted",
        "PHONE_NUMBER",
        rf"^(?:\(\d{{2,5}}\)[ ]?|0)?\d+(?:{_SEP}+\d+)+(?:[ ]?(?:x|ext\.?)[ ]?\d{{1,5}})?$"
        r"|^0\d{6,12}$",
        phone_valid,
        0.8,
        costly=True,
        digits=(7, 15),
        not_dates=True,
    ),
    ValueDetector("phone_plain", "PHONE_NUMBER", r"^\d{7,15}$", phone_valid, 0.6, True, True),
    ValueDetector(
        "address",
        "LOCATION",
        r"\d.*\p{L}{3}|\p{L}{3}.*\d",
        address_valid,
        0.85,
        costly=True,
    ),
    ValueDetector("place", "LOCATION", PERSON_SHAPE, None, 0.75, True),
    ValueDetector(
        "postcode",
        "LOCATION",
        r"^[A-Za-z]{0,2}[\d\-]{3,8}(?: ?[A-Za-z0-9]{2,3})?$",
        None,
        0.7,
        True,
    ),
    ValueDetector("surname", "PERSON", PERSON_SHAPE, person_plausible, 0.75, True, True),
    ValueDetector(
        "passport", "US_PASSPORT", r"^(?:[A-Za-z]\d{8}|\d{9}|[A-Za-z]{2}\d{7})$", None, 0.8, True
    ),
    ValueDetector(
        "driver_license", "US_DRIVER_LICENSE", r"^[A-Za-z0-9\-]{5,16}$", None, 0.75, True
    ),
    ValueDetector("bank_number", "US_BANK_NUMBER", r"^\d{6,17}$", None, 0.75, True),
    ValueDetector("secret", "SECRET", r"^\S{12,}$", secret_like, 0.8, True),
)

#: Date and date-time shapes (ISO, European, US, with month names); see classify for DOBs.
DATE_PATTERN = (
    r"(?i)^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}|\d{4}/\d{1,2}/\d{1,2}"
    r"|\d{1,2}\.? [a-zéû]{3,9}\.? \d{4}|[a-zéû]{3,9}\.? \d{1,2},? \d{4})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\-]\d{2}:?\d{2})?)?$"
)
TIME_PATTERN = r"\d{1,2}:\d{2}"
NUMBER_PATTERN = r"^[+\-]?(?:\d{1,3}(?:[,. ]\d{3})+|\d+)(?:[.,]\d+)?$"
DECIMAL_PATTERN = r"^[+\-]?\d+(?:[,.]\d{3})*[.,]\d{1,4}$"

_REQUIRES = {"email": "at", "url": "scheme", "ipv6": "colon", "place": "upper",
             "surname": "upper", "secret": None}  # fmt: skip
#: Every value detector, in evaluation order.
DETECTORS: tuple[ValueDetector, ...] = tuple(
    replace(d, requires=_REQUIRES[d.name]) if d.name in _REQUIRES else d for d in _BASE
)
#: Cheap column features that gate detectors (see ``ValueDetector.requires``).
FEATURES: dict[str, str] = {
    "at": "@",
    "digit": r"\d",
    "upper": r"^\p{Lu}",
    "colon": ":",
    "scheme": r"://|^www\.",
}
_BY_NAME = {d.name: d for d in DETECTORS}


def detector(name: str) -> ValueDetector:
    """Return the detector called ``name`` (KeyError when unknown)."""
    return _BY_NAME[name]
