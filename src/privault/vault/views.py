"""View modes: what a reader sees of a decrypted value.

* ``plain``    — the value itself.
* ``masked``   — a shape that lets a person recognise it without reading it
  (``j***@example.com``, ``**** **** **** 4242``, ``***-**-6789``).
* ``token``    — the field's token (stored, or a display-only deterministic token).
* ``redacted`` — ``[TYPE]``; nothing of the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

ViewMode = Literal["plain", "masked", "token", "redacted"]
VIEW_MODES: tuple[str, ...] = ("plain", "masked", "token", "redacted")

_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"(?<!\d)(1[89]|20)\d\d(?!\d)")


def mask_value(value: str, pii: str | None, category: str | None = None) -> str:
    """Return the masked form of ``value`` for its PII type.

    A field without a PII type is shown as is, unless it is freeform text
    (notes, emails), which may embed PII and is masked whole.
    """
    if not value or (pii is None and category != "freeform"):
        return value
    masker = _MASKERS.get(pii or "", _mask_generic)
    return masker(value)


def _keep_last_digits(value: str, keep: int) -> str:
    total = sum(ch.isdigit() for ch in value)
    seen = 0
    out = []
    for ch in value:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def _mask_email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at:
        return _mask_generic(value)
    return local[:1] + "***@" + domain


def _mask_person(value: str) -> str:
    return " ".join(part[:1] + "*" * max(len(part) - 1, 2) for part in value.split())


def _mask_generic(value: str) -> str:
    if len(value) <= 4:
        return "*" * len(value)
    keep = 2 if len(value) < 12 else 4
    return "*" * (len(value) - keep) + value[-keep:]


def _mask_location(value: str) -> str:
    # Keep the last comma-separated part (region/postcode), hide the rest.
    head, sep, tail = value.rpartition(",")
    if not sep:
        return _mask_generic(value)
    return re.sub(r"\S", "*", head) + sep + tail


def _mask_date(value: str) -> str:
    # Keep the year (age checks need it); hide day and month.
    match = _YEAR.search(value)
    masked = _DIGIT.sub("*", value)
    if match is None:
        return masked
    return masked[: match.start()] + match.group() + masked[match.end() :]


_MASKERS: dict[str, Callable[[str], str]] = {
    "EMAIL_ADDRESS": _mask_email,
    "CREDIT_CARD": lambda v: _keep_last_digits(v, 4),
    "US_SSN": lambda v: _keep_last_digits(v, 4),
    "PHONE_NUMBER": lambda v: _keep_last_digits(v, 4),
    "IBAN_CODE": lambda v: v[:2] + _keep_last_digits(v[2:], 4),
    "US_BANK_NUMBER": lambda v: _keep_last_digits(v, 4),
    "PERSON": _mask_person,
    "LOCATION": _mask_location,
    "DATE_TIME": _mask_date,
    "SECRET": lambda v: "********",
}


def redact_value(pii: str | None) -> str:
    """The redacted placeholder for a field of type ``pii``."""
    return f"[{pii or 'REDACTED'}]"
