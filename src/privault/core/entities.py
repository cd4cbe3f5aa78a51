"""Entity (PII) types: Presidio's names where one exists, plus SECRET."""

from __future__ import annotations

from typing import Literal

from privault.core.errors import InvalidInput

#: The types the built-in recognizers of :mod:`privault.detect` emit, in a stable order.
DETECTABLE: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "IP_ADDRESS",
    "LOCATION",
    "DATE_TIME",
    "URL",
    "US_DRIVER_LICENSE",
    "US_PASSPORT",
    "US_BANK_NUMBER",
    "CRYPTO",
    "MAC_ADDRESS",
    "UK_NHS",
    "UK_NINO",
    "SECRET",
)

#: Every type a schema, a policy or a custom recognizer may name.
ENTITY_TYPES: frozenset[str] = frozenset(DETECTABLE) | {"NRP", "MEDICAL_LICENSE", "ORGANIZATION"}

Category = Literal["master", "transactional", "reference", "freeform"]
CATEGORIES: tuple[str, ...] = ("master", "transactional", "reference", "freeform")


def check_entity_type(name: str) -> str:
    """Return ``name`` if it is a known entity type.

    Raises:
        InvalidInput: naming the valid types.

    """
    if name not in ENTITY_TYPES:
        raise InvalidInput(
            f"unknown PII type {name!r}; valid: {', '.join(sorted(ENTITY_TYPES))}", type=name
        )
    return name
