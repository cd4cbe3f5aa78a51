"""The vectorised validators give privault.detect's answers, value for value."""

from __future__ import annotations

import random

import polars as pl
import pytest
from faker import Faker

from privault.detect.validators import iban_valid, ssn_valid
from privault.discovery.detectors import card_valid
from privault.discovery.vectorised import card_mask, iban_mask, ssn_mask

fake = Faker(["en_US", "de_DE", "fr_FR", "nl_NL"])
Faker.seed(3)
rnd = random.Random(3)
DIGITISH = [
    "".join(rnd.choice("0123456789 -") for _ in range(rnd.randint(8, 24))) for _ in range(3000)
]
CARDS = [fake.credit_card_number() for _ in range(300)]
IBANS = [fake.iban() for _ in range(300)]
BAD_IBANS = [i[:-1] + str((int(i[-1]) + 1) % 10) for i in IBANS]
SSNS = [fake["en_US"].ssn() for _ in range(300)] + ["000-12-3456", "666-12-3456", "123-45-6789"]


@pytest.mark.parametrize(
    ("vectorised", "scalar", "values"),
    [
        (card_mask, card_valid, CARDS + DIGITISH),  # real cards and random digit strings
        (iban_mask, iban_valid, IBANS + BAD_IBANS + ["GB82 WEST 1234 5698 7654 32", "x"]),
        (ssn_mask, ssn_valid, SSNS + DIGITISH),  # area/group/serial rules
    ],
)
def test_same_answers(vectorised, scalar, values: list[str]) -> None:
    got = vectorised(pl.Series(values, dtype=pl.String)).to_list()
    assert got == [scalar(v) for v in values]
    assert any(got) and not all(got)
