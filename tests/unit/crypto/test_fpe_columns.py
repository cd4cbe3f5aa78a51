"""Column-wise FPE recipes equal the one-value recipes, row for row, both ways."""

from __future__ import annotations

import random

import numpy as np
import pytest

from privault.core.errors import InvalidInput
from privault.crypto import fpe, fpe_columns
from privault.crypto.ff1 import FF1

KEY = bytes(range(32))
TWEAK = b"customers.ssn"


@pytest.fixture(scope="module")
def ff1() -> FF1:
    return FF1(KEY)


def _ssns(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    out = []
    while len(out) < n:
        d = f"{rnd.randrange(10**9):09d}"
        if fpe.ssn_valid(d):
            out.append(f"{d[:3]}-{d[3:5]}-{d[5:]}" if rnd.random() < 0.5 else d)
    return out


def test_ssn_valid_rows_agrees_with_ssn_valid() -> None:
    edges = ["000123456", "666123456", "900123456", "999999999", "123006789", "123450000"]
    edges += ["001010001", "665999999", "667000001", "899990001", "123456789"]
    rnd = random.Random(1)
    values = edges + [f"{rnd.randrange(10**9):09d}" for _ in range(3000)]
    matrix = fpe_columns.digit_matrix(values, 9)
    assert fpe.ssn_valid_rows(matrix).tolist() == [fpe.ssn_valid(v) for v in values]


def test_ssn_column_equals_one_by_one_and_walks(ff1: FF1) -> None:
    values = _ssns(2000, 2)
    values += ["000-12-3456", "123-00-4567", "12-345-6789", "1234567890", "abc-de-fghi", ""]
    tokens = fpe_columns.ssn_many(ff1, values, TWEAK, decrypt=False)
    expected: list[str | None] = []
    for v in values:
        try:
            expected.append(fpe.ssn_token(ff1, v, TWEAK))
        except InvalidInput:
            expected.append(None)
    assert tokens == expected
    assert tokens[-6:] == [None] * 6  # invalid SSN or not an SSN shape
    assert all(fpe.ssn_valid(t.replace("-", "")) for t in tokens if t is not None)
    # The lockstep cycle-walk is exercised: some first FF1 passes land outside the valid set.
    bound = fpe._bind_tweak("ssn", TWEAK, "")
    first = [ff1.encrypt_int(int(v.replace("-", "")), 9, bound) for v in values[:2000]]
    assert sum(not fpe.ssn_valid(f"{x:09d}") for x in first) > 20
    back = fpe_columns.ssn_many(ff1, [t for t in tokens if t is not None], TWEAK, decrypt=True)
    assert back == values[:2000]
    assert back == [fpe.ssn_detoken(ff1, t, TWEAK) for t in tokens[:2000] if t is not None]


@pytest.mark.parametrize("keep_prefix", [0, 3, 5])
def test_phone_column_equals_one_by_one(ff1: FF1, keep_prefix: int) -> None:
    rnd = random.Random(keep_prefix)
    shapes = [
        "+1 (###) ###-####",
        "###.###.####",
        "+44 #### ######",
        "########",
        "+### ## ### ####",
    ]
    values = [
        "".join(str(rnd.randrange(10)) if ch == "#" else ch for ch in rnd.choice(shapes))
        for _ in range(1500)
    ]
    values += ["12345", "+1 555 0100 ext 7", "1234567890123456", "1+2345678901", "٠١٢٣٤٥٦٧٨٩"]
    tokens = fpe_columns.phone_many(ff1, values, TWEAK, keep_prefix, decrypt=False)
    expected: list[str | None] = []
    for v in values:
        try:
            expected.append(fpe.phone_token(ff1, v, TWEAK, keep_prefix=keep_prefix))
        except InvalidInput:
            expected.append(None)
    assert tokens == expected
    assert tokens[-5:] == [None] * 5
    assert sum(t is not None and t != v for t, v in zip(tokens, values, strict=True)) > 800
    present = [t for t in tokens if t is not None]
    back = fpe_columns.phone_many(ff1, present, TWEAK, keep_prefix, decrypt=True)
    assert back == [v for v, t in zip(values, tokens, strict=True) if t is not None]


def test_digits_array_refuses_invalid_rows_and_predicates_without_array_form(ff1: FF1) -> None:
    zeros = np.zeros((2, 9), dtype=np.uint8)
    with pytest.raises(InvalidInput, match="fails its validity check"):
        fpe_columns.digits_array(ff1, zeros, b"", fpe.SSN_RECIPE)  # a walk would never end
    scalar_only = fpe.DigitsRecipe(name="ssn", valid=fpe.ssn_valid)
    with pytest.raises(InvalidInput, match="value by value"):
        fpe_columns.digits_array(ff1, zeros, b"", scalar_only)


def test_reinsert_keeps_every_non_digit() -> None:
    assert fpe.reinsert("+1 (555) 010-0199", "19998887777") == "+1 (999) 888-7777"
    assert fpe.reinsert("123-45-6789", "987654321") == "987-65-4321"
    assert fpe.reinsert("123456789", "987654321") == "987654321"
