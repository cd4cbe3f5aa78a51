"""Masked and redacted views, one row per PII shape."""

from __future__ import annotations

import pytest

from privault.vault.views import mask_value, redact_value


@pytest.mark.parametrize(
    ("value", "pii", "category", "masked"),
    [
        ("jane.doe@example.com", "EMAIL_ADDRESS", None, "j***@example.com"),  # keep domain
        ("not-an-email", "EMAIL_ADDRESS", None, "********mail"),  # falls back to generic
        ("4111 1111 1111 1111", "CREDIT_CARD", None, "**** **** **** 1111"),  # last four
        ("078-05-1120", "US_SSN", None, "***-**-1120"),
        ("+44 20 7946 0958", "PHONE_NUMBER", None, "+** ** **** 0958"),
        ("DE89370400440532013000", "IBAN_CODE", None, "DE****************3000"),  # country
        ("Jane Q Doe", "PERSON", None, "J*** Q** D**"),  # initials only
        ("1 High St, Leeds LS1 4AP", "LOCATION", None, "* **** **, Leeds LS1 4AP"),
        ("1974-07-15", "DATE_TIME", None, "1974-**-**"),  # year kept for age checks
        ("hunter2", "SECRET", None, "********"),  # nothing of a secret, not even length
        ("C100042", None, None, "C100042"),  # no PII type: shown as is
        ("called Jane about it", None, "freeform", "****************t it"),  # freeform
        ("", "PERSON", None, ""),
    ],
)
def test_mask(value: str, pii: str | None, category: str | None, masked: str) -> None:
    assert mask_value(value, pii, category) == masked


def test_redact() -> None:
    assert redact_value("EMAIL_ADDRESS") == "[EMAIL_ADDRESS]"
    assert redact_value(None) == "[REDACTED]"
