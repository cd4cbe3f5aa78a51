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


def test_digit_tokens_in_bulk_equal_one_by_one() -> None:
    from privault.crypto import fpe

    ff1 = FF1(KEY, 10)
    rnd = random.Random(7)
    ssns = []
    while len(ssns) < 200:
        s = f"{rnd.randrange(10**9):09d}"
        if fpe.ssn_valid(s):
            ssns.append(s)
    recipe = fpe.DigitsRecipe(name="ssn", valid=fpe.ssn_valid)  # cycle-walks now and then
    one = [fpe.digits_token(ff1, s, b"col", recipe) for s in ssns]
    assert fpe.digits_tokens(ff1, ssns, b"col", recipe) == one
    assert fpe.digits_tokens(ff1, one, b"col", recipe, decrypt=True) == ssns
    kept = fpe.DigitsRecipe(name="kept", keep_prefix=2, keep_suffix=4)
    mixed = [f"{rnd.randrange(10**n):0{n}d}" for n in (12, 13, 16, 19) for _ in range(20)]
    assert fpe.digits_tokens(ff1, mixed, b"", kept) == [
        fpe.digits_token(ff1, m, b"", kept) for m in mixed
    ]
    with pytest.raises(InvalidInput):
        fpe.digits_tokens(ff1, ["12a456789"], b"")
