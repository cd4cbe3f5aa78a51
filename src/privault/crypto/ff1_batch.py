"""FF1 over many values at once: the ten rounds run in lockstep, one AES call per round.

:class:`~privault.crypto.ff1.FF1` encrypts one value with ten AES calls and
Python integer arithmetic per round. For a column of values this module runs
round ``i`` of *every* value together: the round's MAC blocks of all values
are assembled as one array, encrypted with a single ECB call over all blocks
(AES in ECB mode is the block cipher applied block by block, so this is the
same ``CIPH`` FF1 specifies), and the modular additions are array operations.
The result is bit-for-bit the one-value algorithm (tests compare both on
random inputs, and the one-value path is checked against NIST's samples).

It applies to the common shapes: ``b <= 4`` (at most 9 numerals in the right
half for radix 10, so ``NUM(B)`` and ``y`` fit in 64 bits) and a single-block
round. Other shapes fall back to the one-value path, value by value.
Each value may have its own tweak (kept digits are bound into the tweak);
the per-tweak precomputation is done once per distinct tweak.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from privault.core.errors import InvalidInput

if TYPE_CHECKING:
    from privault.crypto.ff1 import FF1, _Plan

__all__ = ["feistel_array", "feistel_many"]

_U64 = np.dtype(">u8")
_LO64 = (1 << 64) - 1


def _fits(plan: _Plan) -> bool:
    """Whether the lockstep path computes this shape exactly."""
    shape = plan.shape
    return bool(plan.schedule) and shape.b <= 4 and shape.drop_bits == 64


def feistel_many(
    ff1: FF1,
    values: Sequence[int],
    length: int,
    tweaks: Sequence[bytes],
    *,
    decrypt: bool,
) -> list[int]:
    """Encrypt (or decrypt) ``NUM_radix`` values of ``length`` numerals, one tweak each.

    Raises:
        InvalidInput: a bad length, tweak or value (as the one-value methods).

    """
    if len(values) != len(tweaks):
        raise InvalidInput("FF1 batch needs one tweak per value")
    if not values:
        return []
    shape = ff1._plan(length, tweaks[0]).shape  # same package: validates the length
    domain = shape.mod_u * shape.mod_v
    if any(not 0 <= v < domain for v in values):
        raise InvalidInput("FF1 value is outside the domain radix**length")
    if domain <= 1 << 64:
        nums = np.fromiter(values, dtype=np.uint64, count=len(values))
        done = feistel_array(ff1, nums, length, tweaks, decrypt=decrypt)
        if done is not None:
            return [int(x) for x in done.tolist()]
    op = ff1.decrypt_int if decrypt else ff1.encrypt_int
    return [op(v, length, t) for v, t in zip(values, tweaks, strict=True)]


def feistel_array(
    ff1: FF1,
    nums: npt.NDArray[np.uint64],
    length: int,
    tweaks: Sequence[bytes],
    *,
    decrypt: bool,
) -> npt.NDArray[np.uint64] | None:
    """:func:`feistel_many` on an array of values below ``radix ** length``.

    Returns None when the shape is not one the lockstep path computes (the
    caller then goes value by value). Values are not range-checked here.

    Raises:
        InvalidInput: a bad length or tweak.

    """
    plans: dict[bytes, int] = {}
    plan_list: list[_Plan] = []
    index = np.empty(len(tweaks), dtype=np.intp)
    for k, tweak in enumerate(tweaks):
        slot = plans.get(tweak)
        if slot is None:
            slot = plans[tweak] = len(plan_list)
            plan_list.append(ff1._plan(length, tweak))  # same package: the cached plan
        index[k] = slot
    if not plan_list or not _fits(plan_list[0]):
        return None
    mod_v = np.uint64(plan_list[0].shape.mod_v)
    a, b = nums // mod_v, nums % mod_v
    # Per round: the 128-bit block base (state ^ head ^ [i]) of each value's plan, split
    # into its high and low 64 bits; NUM(B) < 2**32 only ever changes the low half.
    rounds = range(9, -1, -1) if decrypt else range(10)
    hi = [np.array([p.schedule[i][0] >> 64 for p in plan_list], dtype=np.uint64) for i in rounds]
    lo = [np.array([p.schedule[i][0] & _LO64 for p in plan_list], dtype=np.uint64) for i in rounds]
    mods = [np.uint64(plan_list[0].schedule[i][1]) for i in rounds]
    blocks = np.empty((len(nums), 2), dtype=_U64)
    enc = ff1._aes.encrypt_block  # ECB over many blocks in one call
    for r in range(10):
        blocks[:, 0] = hi[r][index]
        blocks[:, 1] = lo[r][index] ^ (a if decrypt else b)
        y = _first_word(enc(blocks.tobytes())) % mods[r]
        if decrypt:
            a, b = (b + mods[r] - y) % mods[r], a
        else:
            a, b = b, (a + y) % mods[r]
    out: npt.NDArray[np.uint64] = a * mod_v + b
    return out


def _first_word(data: bytes) -> npt.NDArray[np.uint64]:
    """The high 64 bits of each 16-byte block (``y = NUM(R) >> 64`` when ``d = 8``)."""
    return np.frombuffer(data, dtype=_U64).reshape(-1, 2)[:, 0].astype(np.uint64)
