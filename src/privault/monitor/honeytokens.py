"""Honeytoken (canary) records: fake data subjects that nobody has a reason to read.

A honeytoken is planted through the normal vault write path, so it is
indistinguishable from real records in the vault; only the monitor table
knows its id. Values are invented (Faker and random digits) and never real.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from faker import Faker


@dataclass(frozen=True, slots=True)
class FieldShape:
    """What a fake value must look like: the field's name, type and PII type."""

    name: str
    type: str
    pii: str | None


def _luhn_card() -> str:
    digits = [4] + [secrets.randbelow(10) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        x = d * 2 if i % 2 == 0 else d
        total += x - 9 if x > 9 else x
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return " ".join(s[i : i + 4] for i in range(0, 16, 4))


def _ssn() -> str:
    area = 100 + secrets.randbelow(565)
    return f"{area:03d}-{10 + secrets.randbelow(89):02d}-{1000 + secrets.randbelow(8999):04d}"


def _birth() -> str:
    return (date(1950, 1, 1) + timedelta(days=secrets.randbelow(365 * 50))).isoformat()


def _by_pii(fake: Any) -> dict[str, Callable[[], Any]]:
    return {
        "PERSON": fake.name,
        "EMAIL_ADDRESS": lambda: (
            f"{fake.user_name()}{secrets.randbelow(1000)}@{fake.free_email_domain()}"
        ),
        "PHONE_NUMBER": lambda: f"+44 20 7946 {secrets.randbelow(10000):04d}",
        "CREDIT_CARD": _luhn_card,
        "US_SSN": _ssn,
        "DATE_TIME": _birth,
        "LOCATION": fake.city,
        "IP_ADDRESS": fake.ipv4_private,
        "URL": fake.url,
    }


_BY_TYPE: dict[str, Callable[[], Any]] = {
    "integer": lambda: secrets.randbelow(100),
    "number": lambda: round(secrets.randbelow(100000) / 100, 2),
    "boolean": lambda: bool(secrets.randbelow(2)),
    "date": _birth,
}


def fake_record(fields: Sequence[FieldShape], subject_field: str | None) -> dict[str, Any]:
    """A plausible record for a schema's fields (subject id: random digits)."""
    fake = Faker()
    fake.seed_instance(secrets.randbits(64))
    by_pii = _by_pii(fake)
    doc: dict[str, Any] = {}
    for f in fields:
        if f.name == subject_field:
            doc[f.name] = f"C{secrets.randbelow(10**8):08d}"
        elif f.type in _BY_TYPE:
            doc[f.name] = _BY_TYPE[f.type]()
        elif f.pii in by_pii:
            doc[f.name] = by_pii[f.pii]()
        else:
            doc[f.name] = fake.sentence(nb_words=6)
    return doc
