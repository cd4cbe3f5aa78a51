"""Card numbers through FF1 a column at a time: digits as a matrix, Luhn as array arithmetic.

The result of :func:`card_fpe_many` is exactly that of
:func:`~privault.deid.operators.fpe.card_fpe` value by value (a test compares
both): for each Luhn-valid card, the digits before the check position and
after it (the kept last digits bound into the tweak) are encrypted with FF1
and the check digit is recomputed. Here the FF1 rounds of all cards of one
length run in lockstep (:func:`privault.crypto.fpe_columns.digits_array`) and the
Luhn sums are computed on the whole matrix.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from privault.crypto import fpe, fpe_columns
from privault.crypto.ff1 import FF1

__all__ = ["card_fpe_many", "card_recipe"]

_SEPARATORS = str.maketrans("", "", " -")
_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.int64)
_UNDOUBLE = np.array([int(np.flatnonzero(r == _DOUBLED)[0]) for r in range(10)], dtype=np.uint8)


def card_fpe_many(
    ff1: FF1,
    values: Sequence[str],
    tweak: bytes,
    keep_last: int,
    *,
    decrypt: bool,
) -> list[str | None]:
    """Encrypt (or decrypt) a column of card numbers; None where a value is not a card.

    Args:
        ff1: the radix-10 FF1 of the operator.
        values: card numbers with optional spaces or dashes.
        tweak: the operator's tweak.
        keep_last: digits kept in clear (bound into each tweak).
        decrypt: reverse instead.

    """
    out: list[str | None] = [None] * len(values)
    digits = [v.translate(_SEPARATORS) for v in values]
    by_length: dict[int, list[int]] = {}
    for k, d in enumerate(digits):
        if 13 <= len(d) <= 19 and d.isascii() and d.isdigit():
            by_length.setdefault(len(d), []).append(k)
    recipe = card_recipe(keep_last)
    for length, members in by_length.items():
        matrix = fpe_columns.digit_matrix([digits[k] for k in members], length)
        valid = _luhn_total(matrix) % 10 == 0
        rows = matrix[valid]
        kept = [members[j] for j in np.flatnonzero(valid).tolist()]
        if not kept:
            continue
        check = length - keep_last - 1
        moved = fpe_columns.digits_array(
            ff1, np.delete(rows, check, axis=1), tweak, recipe, decrypt=decrypt
        )
        full = np.insert(moved, check, 0, axis=1)
        full[:, check] = _check_digit(full, check)
        fpe_columns.lay_out(values, kept, full + 48, out)
    return out


@functools.cache
def card_recipe(keep_last: int) -> fpe.DigitsRecipe:
    """The digits recipe of a card body: the kept last digits bound into the tweak."""
    return fpe.DigitsRecipe(name="deid-card", keep_suffix=keep_last)


def _luhn_total(matrix: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """The Luhn sum of each row (every second digit from the right doubled)."""
    length = matrix.shape[1]
    doubled = (length - 1 - np.arange(length)) % 2 == 1
    plain = matrix[:, ~doubled].sum(axis=1, dtype=np.int64)
    total: npt.NDArray[np.int64] = plain + _DOUBLED[matrix[:, doubled]].sum(axis=1)
    return total


def _check_digit(matrix: npt.NDArray[np.uint8], position: int) -> npt.NDArray[np.uint8]:
    """The digit at ``position`` of each row that makes the row Luhn-valid (holds 0 there)."""
    need = (-_luhn_total(matrix)) % 10
    if (matrix.shape[1] - 1 - position) % 2 == 1:
        return _UNDOUBLE[need]
    return need.astype(np.uint8)
