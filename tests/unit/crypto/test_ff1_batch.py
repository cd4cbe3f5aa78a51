"""FF1 in lockstep over many values equals FF1 one value at a time."""

from __future__ import annotations

import random

import pytest

from privault.core.errors import InvalidInput
from privault.crypto.ff1 import FF1

KEY = bytes(range(32))


@pytest.mark.parametrize("length", [6, 7, 11, 12, 15, 18, 19, 24])
def test_batch_equals_one_by_one(length: int) -> None:
    ff1 = FF1(KEY, 10)
    rnd = random.Random(length)
    values = [rnd.randrange(10**length) for _ in range(300)]
    # A few distinct tweaks, repeated (kept digits bound into tweaks look like this).
    tweaks = [b"t" + str(rnd.randrange(7)).encode() for _ in values]
    one = [ff1.encrypt_int(v, length, t) for v, t in zip(values, tweaks, strict=True)]
    assert ff1.encrypt_ints(values, length, tweaks) == one
    assert ff1.decrypt_ints(one, length, tweaks) == values


def test_batch_other_radix_and_empty() -> None:
    ff1 = FF1(KEY, 36)
    values = [random.Random(1).randrange(36**8) for _ in range(50)]
    tweaks = [b""] * len(values)
    one = [ff1.encrypt_int(v, 8, b"") for v in values]
    assert ff1.encrypt_ints(values, 8, tweaks) == one
    assert ff1.encrypt_ints([], 8, []) == []


def test_batch_rejects_what_one_by_one_rejects() -> None:
    ff1 = FF1(KEY, 10)
    with pytest.raises(InvalidInput):
        ff1.encrypt_ints([10**6], 6, [b""])  # outside the domain
    with pytest.raises(InvalidInput):
        ff1.encrypt_ints([1, 2], 6, [b""])  # one tweak per value
    with pytest.raises(InvalidInput):
        ff1.encrypt_ints([1], 5, [b""])  # below the minimum domain


def test_digit_columns_equal_one_by_one() -> None:
    import numpy as np

    from privault.crypto import fpe, fpe_columns

    ff1 = FF1(KEY, 10)
    rnd = random.Random(7)
    kept = fpe.DigitsRecipe(name="kept", keep_prefix=2, keep_suffix=4)
    for n in (12, 13, 16, 24):
        values = [f"{rnd.randrange(10**n):0{n}d}" for _ in range(40)]
        matrix = (np.frombuffer("".join(values).encode(), dtype=np.uint8) - 48).reshape(40, n)
        moved = fpe_columns.digits_array(ff1, matrix, b"col", kept)
        got = ["".join(map(str, row)) for row in moved.tolist()]
        assert got == [fpe.digits_token(ff1, v, b"col", kept) for v in values]
        back = fpe_columns.digits_array(ff1, moved, b"col", kept, decrypt=True)
        assert ["".join(map(str, row)) for row in back.tolist()] == values
