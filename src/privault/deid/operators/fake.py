"""The ``fake`` operator: realistic, consistent stand-ins from Faker's locale data.

Consistency: the fake of a value is a function of ``HMAC(key, TYPE|value)``,
so the same input maps to the same fake under one project key in every file,
table and text (joins survive masking), and to an unrelated fake under
another key. Nothing maps back: the fake is not an encryption.

Speed: seeding Faker per value costs ~60 µs. Instead, per locale and key,
Faker (seeded from the key) draws pools of parts once (1024 first names,
last names, cities, e-mail domains, phone and card templates, ...); each value
then picks parts with bytes of its HMAC and fills every digit of the chosen
template with further HMAC bytes. Cards stay Luhn-valid, IBANs get correct
check digits, SSNs follow the SSA structure rules. The pools depend on the
Faker version: pin it where fakes must stay stable across upgrades.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date, timedelta

from pydantic import Field

from privault.crypto import fpe
from privault.crypto._primitives import HmacSha256
from privault.deid.operators.base import Binding, Operator, OperatorParams

__all__ = ["Fake", "FakeParams", "FakePools"]

POOL_SIZE = 1024
_DIGIT = re.compile(r"\d")
_NOT_LOCAL = re.compile(r"[^a-z0-9]")
#: PII type -> Faker method whose outputs form the template pool.
_TEMPLATES: dict[str, str] = {
    "PHONE_NUMBER": "phone_number",
    "LOCATION": "city",
    "ORGANIZATION": "company",
    "URL": "url",
    "US_PASSPORT": "passport_number",
    "US_BANK_NUMBER": "bban",
    "US_DRIVER_LICENSE": "license_plate",
    "IBAN_CODE": "iban",
    "CREDIT_CARD": "credit_card_number",
    "NRP": "country",
    "UK_NHS": "msisdn",
    "MEDICAL_LICENSE": "ean8",
    "VALUE": "ean13",
}


class FakeParams(OperatorParams):
    """Parameters of :class:`Fake`.

    Attributes:
        locale: Faker locale; defaults to the policy's locale.
        kind: fake this PII type instead of the bound one.

    """

    locale: str | None = Field(default=None, pattern=r"^[a-z]{2}(_[A-Z]{2})?$")
    kind: str | None = None


class FakePools:
    """Faker-drawn pools for one key and locale (built lazily, then read-only)."""

    def __init__(self, mac: HmacSha256, locale: str) -> None:
        from faker import Faker  # heavy import, only when faking

        self._faker = Faker(locale)
        self._mac = mac
        self._locale = locale
        self._pools: dict[str, tuple[str, ...]] = {}

    def pool(self, method: str) -> tuple[str, ...]:
        """The pool of ``method`` outputs (the same for the same key and locale)."""
        found = self._pools.get(method)
        if found is None:
            seed = self._mac.digest(f"pool|{self._locale}|{method}".encode())
            self._faker.seed_instance(int.from_bytes(seed[:8], "big"))
            make = getattr(self._faker, method)
            found = self._pools[method] = tuple(str(make()) for _ in range(POOL_SIZE))
        return found


def _pick(pool: tuple[str, ...], d: bytes, i: int) -> str:
    return pool[int.from_bytes(d[2 * i : 2 * i + 2], "big") % len(pool)]


def _fill_digits(template: str, d: bytes) -> str:
    stream = iter(d[8:] + hashlib.sha256(d).digest())
    return _DIGIT.sub(lambda _m: str(next(stream, 0) % 10), template)


def _luhn_fix(value: str) -> str:
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    digits = "".join(value[i] for i in positions)
    for c in "0123456789":
        if fpe.luhn_valid(digits[:-1] + c):
            last = positions[-1]
            return value[:last] + c + value[last + 1 :]
    return value  # pragma: no cover - one digit always completes a Luhn sum


def _iban_fix(value: str) -> str:
    compact = value.replace(" ", "")
    rearranged = compact[4:] + compact[:2] + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    check = f"{98 - int(numeric) % 97:02d}"
    return compact[:2] + check + compact[4:]


def _ssn(d: bytes) -> str:
    area = 1 + int.from_bytes(d[0:2], "big") % 899
    area = area + 1 if area == 666 else area
    group = 1 + d[2] % 99
    serial = 1 + int.from_bytes(d[3:5], "big") % 9999
    return f"{area:03d}-{group:02d}-{serial:04d}"


def _person(pools: FakePools, d: bytes) -> str:
    return f"{_pick(pools.pool('first_name'), d, 0)} {_pick(pools.pool('last_name'), d, 1)}"


def _email(pools: FakePools, d: bytes) -> str:
    first = _NOT_LOCAL.sub("", _pick(pools.pool("first_name"), d, 0).lower()) or "user"
    last = _NOT_LOCAL.sub("", _pick(pools.pool("last_name"), d, 1).lower()) or "mail"
    domain = _pick(pools.pool("free_email_domain"), d, 2)
    return f"{first}.{last}{d[6] % 100}@{domain}"


def _date(d: bytes) -> str:
    return (date(1940, 1, 1) + timedelta(days=int.from_bytes(d[:4], "big") % 29220)).isoformat()


_SPECIAL: dict[str, Callable[[FakePools, bytes], str]] = {
    "PERSON": _person,
    "EMAIL_ADDRESS": _email,
    "US_SSN": lambda _p, d: _ssn(d),
    "DATE_TIME": lambda _p, d: _date(d),
    "IP_ADDRESS": lambda _p, d: f"{11 + d[0] % 212}.{d[1]}.{d[2]}.{1 + d[3] % 254}",
    "MAC_ADDRESS": lambda _p, d: ":".join(f"{b:02x}" for b in (d[0] & 0xFE | 0x02, *d[1:6])),
    "SECRET": lambda _p, d: d[:20].hex(),
    "CREDIT_CARD": lambda p, d: _luhn_fix(
        _fill_digits(_pick(p.pool("credit_card_number"), d, 0), d)
    ),
    "IBAN_CODE": lambda p, d: _iban_fix(_fill_digits(_pick(p.pool("iban"), d, 0), d)),
}


class Fake(Operator[FakeParams]):
    """A realistic fake of the same PII type and locale, consistent under the key."""

    name = "fake"
    Params = FakeParams
    needs_key = True

    def __init__(self, params: FakeParams, binding: Binding) -> None:
        super().__init__(params, binding)
        locale = params.locale or binding.locale
        self._kind = params.kind or self.entity
        self._mac = self.keys.hmac("fake")
        self._pools = self.keys.memo(f"fake/{locale}", lambda: FakePools(self._mac, locale))
        self._make = _SPECIAL.get(self._kind) or self._templated(
            _TEMPLATES.get(self._kind, _TEMPLATES["VALUE"])
        )
        self._prefix = f"{self._kind}|".encode()

    @staticmethod
    def _templated(method: str) -> Callable[[FakePools, bytes], str]:
        return lambda p, d: _fill_digits(_pick(p.pool(method), d, 0), d)

    @property
    def kind(self) -> str:
        """The PII type faked (``kind`` if given, else the bound type)."""
        return self._kind

    def digest(self, value: str) -> bytes:
        """The keyed digest the fake of ``value`` is drawn from (``HMAC(key, TYPE|value)``)."""
        return self._mac.digest(self._prefix + value.encode())

    def render(self, digest: bytes) -> str:
        """The fake drawn from a 32-byte ``digest`` (see :meth:`digest`)."""
        return self._make(self._pools, digest)

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return the fake of ``value``."""
        return self.render(self.digest(value))
