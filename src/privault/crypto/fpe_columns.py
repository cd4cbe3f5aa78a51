"""The FF1 digit recipes of :mod:`privault.crypto.fpe` over whole columns at once.

Each function here gives, row for row, exactly what its one-value recipe
gives (tests compare whole columns both ways): the digits of all values of one
length form a matrix, and the FF1 rounds of all rows run in lockstep, one AES
call per round (:func:`~privault.crypto.ff1_batch.feistel_array`).

Cycle-walking (SSNs) runs in lockstep too: after each FF1 pass only the rows
whose result still fails the recipe's predicate are encrypted again, with
their own tweaks, so every row takes the walk its one-value recipe takes (the
bijection argument of :mod:`privault.crypto.fpe` holds row by row).

A value that does not fit a recipe comes back as None (the one-value recipe
would raise); no value is ever quoted in an error.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from privault.core.errors import InvalidInput
from privault.crypto import fpe
from privault.crypto.ff1 import FF1
from privault.crypto.ff1_batch import feistel_array

__all__ = ["digit_matrix", "digits_array", "digits_many", "lay_out", "phone_many", "ssn_many"]

_SHAPE = str.maketrans("123456789", "000000000")  # digits become 0, the rest stays
_PLAIN = fpe.DigitsRecipe()
_ONLY_DIGITS = {c: None for c in range(128) if not 48 <= c <= 57}  # for ASCII text
_LOCKSTEP_MAX = 18  # digits: NUM(B) and y fit in 64 bits (ff1_batch)


def digits_array(
    ff1: FF1,
    digits: npt.NDArray[np.uint8],
    tweak: bytes,
    recipe: fpe.DigitsRecipe = _PLAIN,
    *,
    decrypt: bool = False,
) -> npt.NDArray[np.uint8]:
    """:func:`~privault.crypto.fpe.digits_token` (or ``digits_detoken``) for many values at once.

    ``digits`` holds one row per value, all of one length, a digit 0-9 per
    cell (not checked). Each row's result is exactly the one-value recipe's,
    cycle-walk included when the recipe has ``valid_rows``.

    Raises:
        InvalidInput: a recipe with ``valid`` but no ``valid_rows``, a row
            failing ``valid_rows``, more than 18 or too few digits to encrypt,
            a non-decimal FF1 or a bad tweak.

    """
    rows, n = digits.shape
    lo, hi = recipe.keep_prefix, n - recipe.keep_suffix
    m = hi - lo
    valid = recipe.valid_rows
    if (recipe.valid is not None and valid is None) or m > _LOCKSTEP_MAX or ff1.radix != 10:
        raise InvalidInput(
            f"{recipe.name}: column-wise FPE needs radix 10, at most 18 digits to encrypt "
            "and an array form of any validity rule; use digits_token value by value"
        )
    if m < ff1.min_length:
        raise InvalidInput(
            f"{recipe.name} needs at least {ff1.min_length} digits to encrypt "
            "besides the kept ones (FF1 minimum domain size)"
        )
    if valid is not None and rows and not bool(valid(digits).all()):
        raise InvalidInput(f"{recipe.name} fails its validity check")  # a walk would not end
    tweaks = _row_tweaks(digits, lo, hi, recipe.name, tweak)
    powers = np.uint64(10) ** np.arange(m - 1, -1, -1, dtype=np.uint64)
    nums = digits[:, lo:hi].astype(np.uint64) @ powers
    out = digits.copy()
    todo = np.arange(rows)
    while todo.size:  # ends: each row walks its own cycle back to a valid value
        moved = feistel_array(
            ff1, nums[todo], m, [tweaks[i] for i in todo.tolist()], decrypt=decrypt
        )
        if moved is None:  # cannot happen for radix 10 and m <= 18 (b <= 4): kept as a guard
            raise InvalidInput(f"{recipe.name}: this length has no column-wise FF1 path")
        nums[todo] = moved
        for col in range(hi - 1, lo - 1, -1):
            out[todo, col] = (moved % np.uint64(10)).astype(np.uint8)
            moved = moved // np.uint64(10)
        if valid is None:
            break
        todo = todo[~valid(out[todo])]
    return out


def _row_tweaks(
    digits: npt.NDArray[np.uint8], lo: int, hi: int, name: str, tweak: bytes
) -> list[bytes]:
    """Each row's FF1 tweak: the recipe name, the caller's tweak and its kept digits."""
    rows, n = digits.shape
    width = n - (hi - lo)
    if not width:
        return [fpe._bind_tweak(name, tweak, "")] * rows  # same package: one framing
    kept = np.concatenate((digits[:, :lo], digits[:, hi:]), axis=1) + 48
    text = kept.astype(np.uint8).tobytes().decode("ascii")
    bound: dict[str, bytes] = {}
    tweaks = []
    for k in range(rows):
        key = text[k * width : (k + 1) * width]
        t = bound.get(key)
        if t is None:
            t = bound[key] = fpe._bind_tweak(name, tweak, key)
        tweaks.append(t)
    return tweaks


def digit_matrix(digits: Sequence[str], width: int) -> npt.NDArray[np.uint8]:
    """ASCII digit strings, each ``width`` long, as a matrix of 0-9 (one row each)."""
    raw = "".join(digits).encode("ascii")
    return (np.frombuffer(raw, dtype=np.uint8) - 48).reshape(len(digits), width)


def lay_out(
    values: Sequence[str],
    members: Sequence[int],
    chars: npt.NDArray[np.uint8],
    out: list[str | None],
) -> None:
    """Write row ``j`` of ``chars`` (ASCII digit codes) into ``out[members[j]]``.

    Each row's digits go into the digit positions of ``values[members[j]]``
    (an ASCII value), whose other characters are kept.
    """
    by_shape: dict[str, list[int]] = {}
    for j, k in enumerate(members):
        by_shape.setdefault(values[k].translate(_SHAPE), []).append(j)
    for shape, rows in by_shape.items():
        width = len(shape)
        grid = np.tile(np.frombuffer(shape.encode("ascii"), dtype=np.uint8), (len(rows), 1))
        grid[:, _digit_columns(shape)] = chars[rows]
        text = grid.tobytes().decode("ascii")
        for i, j in enumerate(rows):
            out[members[j]] = text[i * width : (i + 1) * width]


@functools.lru_cache(maxsize=256)
def _digit_columns(shape: str) -> npt.NDArray[np.intp]:
    return np.array([i for i, ch in enumerate(shape) if ch == "0"], dtype=np.intp)


def ssn_many(ff1: FF1, values: Sequence[str], tweak: bytes, *, decrypt: bool) -> list[str | None]:
    """:func:`~privault.crypto.fpe.ssn_token` (or ``ssn_detoken``) over a column.

    Returns:
        Each value's result, or None where it is not an SSN (``123-45-6789``
        or nine digits) or fails the SSN structure rules.

    """
    members: list[int] = []
    digits: list[str] = []
    for k, v in enumerate(values):
        d = v.replace("-", "")
        dashed = len(v) == 11 and v[3] == "-" and v[6] == "-"
        if len(d) == 9 and (len(v) == 9 or dashed) and d.isascii() and d.isdigit():
            members.append(k)
            digits.append(d)
    out: list[str | None] = [None] * len(values)
    if not members:
        return out
    matrix = digit_matrix(digits, 9)
    ok = fpe.ssn_valid_rows(matrix)
    rows = np.flatnonzero(ok)
    moved = digits_array(ff1, matrix[rows], tweak, fpe.SSN_RECIPE, decrypt=decrypt)
    lay_out(values, [members[j] for j in rows.tolist()], moved + 48, out)
    return out


def phone_many(
    ff1: FF1, values: Sequence[str], tweak: bytes, keep_prefix: int, *, decrypt: bool
) -> list[str | None]:
    """:func:`~privault.crypto.fpe.phone_token` (or ``phone_detoken``) over a column.

    Returns:
        Each value's result, or None where it is not a phone number (8 to 15
        digits, separators and one leading ``+``) or leaves fewer than
        ``ff1.min_length`` digits to encrypt.

    """
    by_length: dict[int, list[int]] = {}
    digits: list[str] = []
    for k, v in enumerate(values):
        d = fpe.phone_digits(v)
        digits.append(d)
        fits = 8 <= len(d) <= 15 and len(d) - keep_prefix >= ff1.min_length
        if fits and d.isascii() and d.isdigit():
            by_length.setdefault(len(d), []).append(k)
    out: list[str | None] = [None] * len(values)
    recipe = fpe.phone_recipe(keep_prefix)
    for length, members in by_length.items():
        matrix = digit_matrix([digits[k] for k in members], length)
        moved = digits_array(ff1, matrix, tweak, recipe, decrypt=decrypt)
        lay_out(values, members, moved + 48, out)
    return out


def digits_many(
    ff1: FF1, values: Sequence[str], tweak: bytes, *, decrypt: bool
) -> list[str | None]:
    """The digits of each value through :func:`~privault.crypto.fpe.digits_token`, the rest kept.

    Returns:
        Each value's result, or None where the lockstep path does not apply
        (non-ASCII text, fewer than ``ff1.min_length`` or more than 18
        digits): the caller takes those value by value.

    """
    by_length: dict[int, list[int]] = {}
    digits: list[str] = []
    for k, v in enumerate(values):
        d = v.translate(_ONLY_DIGITS) if v.isascii() else ""
        digits.append(d)
        if ff1.min_length <= len(d) <= _LOCKSTEP_MAX:
            by_length.setdefault(len(d), []).append(k)
    out: list[str | None] = [None] * len(values)
    for length, members in by_length.items():
        matrix = digit_matrix([digits[k] for k in members], length)
        moved = digits_array(ff1, matrix, tweak, decrypt=decrypt)
        lay_out(values, members, moved + 48, out)
    return out
