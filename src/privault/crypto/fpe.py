"""Format-preserving token recipes over FF1: card numbers, US SSNs, phone numbers.

Each recipe keeps the shape of its input (separators stay where they were,
chosen digits stay in clear) and encrypts the remaining digits with a radix-10
:class:`~privault.crypto.ff1.FF1`. Detokenizing with the same key and tweak
gives the input back.

Invariants:

* **Cycle walking keeps a bijection on the valid set.** Some recipes need the
  output to satisfy a predicate ``valid`` (Luhn for cards, the SSA structure
  rules for SSNs). FF1 is a permutation ``E`` of the finite set ``D`` of
  ``m``-digit strings; the recipe encrypts ``x`` in the valid subset ``S`` to
  the first of ``E(x), E(E(x)), ...`` that lies in ``S``. ``x``'s cycle under
  ``E`` returns to ``x``, so the walk always ends; and walking back with
  ``E^-1`` from the output stops at ``x`` (no element of ``S`` lies between
  them). So the walk is a permutation of ``S``, inverted by walking with
  ``decrypt``. The input must be in ``S``, or the walk may never end: inputs
  that fail ``valid`` are refused. Expected walk lengths are ``|D| / |S|``:
  about 10 for Luhn, about 1.1 for SSNs.
* **Domain rule.** At least ``ff1.min_length`` (6 for radix 10) digits are
  encrypted, so ``10 ** m >= 1_000_000`` as SP 800-38G requires.
* **Kept digits and the recipe are bound into the tweak.** The FF1 tweak is
  ``len(name) || name || len(tweak) || tweak || kept digits``: two cards that
  share their first twelve digits but differ in the last four do not reveal
  it, and a card and a phone number never share a permutation.
* **No value in errors.** Messages name the broken rule, never the digits.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from privault.core.errors import InvalidInput
from privault.crypto.ff1 import FF1, MAX_LENGTH, MAX_TWEAK_BYTES

__all__ = [
    "SSN_RECIPE",
    "DigitsRecipe",
    "card_detoken",
    "card_token",
    "digits_detoken",
    "digits_token",
    "luhn_valid",
    "phone_detoken",
    "phone_digits",
    "phone_recipe",
    "phone_token",
    "reinsert",
    "ssn_detoken",
    "ssn_token",
    "ssn_valid",
    "ssn_valid_rows",
]

_DIGITS = frozenset("0123456789")
_DOUBLED = str.maketrans("0123456789", "0246813579")  # digit -> digit sum of 2 * digit
_CARD_SEPARATORS = str.maketrans("", "", " -")
_PHONE_SEPARATORS = str.maketrans("", "", " -().")
_SSN_SHAPE = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{4}|[0-9]{9}")


def luhn_valid(digits: str) -> bool:
    """Return whether ``digits`` passes the Luhn (mod 10) check.

    Args:
        digits: ASCII decimal digits only; anything else (or an empty string) is
            not valid.

    """
    if not digits or not _DIGITS.issuperset(digits):
        return False
    # sum() over ASCII bytes is the digit sum plus 48 per digit; the doubled
    # positions are mapped to the digit sum of their double first.
    plain = digits[-1::-2].encode()
    doubled = digits[-2::-2].translate(_DOUBLED).encode()
    return (sum(plain) + sum(doubled) - 48 * len(digits)) % 10 == 0


def ssn_valid(digits: str) -> bool:
    """Return whether nine digits form a structurally valid US SSN.

    The area (first three) is not 000, 666 or 900-999; the group (next two) is
    not 00; the serial (last four) is not 0000.
    """
    if len(digits) != 9 or not _DIGITS.issuperset(digits):
        return False
    area = digits[:3]
    return (
        area != "000"
        and area != "666"
        and area[0] != "9"
        and digits[3:5] != "00"
        and digits[5:] != "0000"
    )


def ssn_valid_rows(digits: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """:func:`ssn_valid` for each row of a matrix of nine digits (0-9 per cell)."""
    area = digits[:, 0].astype(np.int64) * 100 + digits[:, 1] * 10 + digits[:, 2]
    valid: npt.NDArray[np.bool_] = (
        (area != 0)
        & (area != 666)
        & (digits[:, 0] != 9)
        & digits[:, 3:5].any(axis=1)
        & digits[:, 5:9].any(axis=1)
    )
    return valid


@dataclass(frozen=True, slots=True)
class DigitsRecipe:
    """How :func:`digits_token` treats a string of decimal digits.

    Attributes:
        name: the recipe's name, bound into the FF1 tweak (domain separation)
            and used in error messages.
        keep_prefix: leading digits left in clear (and bound into the tweak).
        keep_suffix: trailing digits left in clear (and bound into the tweak).
        valid: a predicate the whole digit string must satisfy, on input and on
            output; the encrypted digits are cycle-walked until it holds.
        valid_rows: the same predicate over a matrix of digits, one row per
            value (what column-wise cycle-walking tests); must agree with ``valid``.

    """

    name: str = "digits"
    keep_prefix: int = 0
    keep_suffix: int = 0
    valid: Callable[[str], bool] | None = None
    valid_rows: Callable[[npt.NDArray[np.uint8]], npt.NDArray[np.bool_]] | None = None

    def __post_init__(self) -> None:
        for kept in (self.keep_prefix, self.keep_suffix):
            if isinstance(kept, bool) or not isinstance(kept, int) or kept < 0:
                raise InvalidInput("kept digit counts must be non-negative integers")
        if not 0 < len(self.name.encode()) < 256:
            raise InvalidInput("recipe name must be 1 to 255 bytes")


_PLAIN = DigitsRecipe()
SSN_RECIPE = DigitsRecipe(name="ssn", valid=ssn_valid, valid_rows=ssn_valid_rows)
"""The recipe of :func:`ssn_token`."""


def digits_token(ff1: FF1, digits: str, tweak: bytes, recipe: DigitsRecipe = _PLAIN) -> str:
    """Tokenize a string of decimal digits, keeping its length.

    Args:
        ff1: a radix-10 FF1 instance.
        digits: ASCII decimal digits only.
        tweak: public context (e.g. a column id); the same tweak detokenizes.
        recipe: which digits stay in clear and which predicate must hold.

    Returns:
        The token: same length, kept digits unchanged, ``recipe.valid`` holds.

    Raises:
        InvalidInput: for non-digits, too few digits to encrypt, input failing
            ``recipe.valid``, a non-decimal FF1 or a bad tweak.

    """
    return _transform(ff1, digits, tweak, recipe, decrypt=False)


def digits_detoken(ff1: FF1, digits: str, tweak: bytes, recipe: DigitsRecipe = _PLAIN) -> str:
    """Invert :func:`digits_token` under the same key, tweak and recipe.

    Raises:
        InvalidInput: on the same conditions as :func:`digits_token`.

    """
    return _transform(ff1, digits, tweak, recipe, decrypt=True)


def card_token(ff1: FF1, value: str, tweak: bytes, *, keep_last: int = 4) -> str:
    """Tokenize a payment card number into another Luhn-valid card number.

    Args:
        ff1: a radix-10 FF1 instance.
        value: 13 to 19 digits, Luhn-valid, optionally grouped by spaces or dashes.
        tweak: public context; the same tweak detokenizes.
        keep_last: trailing digits left in clear (at least 6 digits must remain).

    Returns:
        The token, separators in place, last ``keep_last`` digits unchanged,
        Luhn-valid as a whole.

    Raises:
        InvalidInput: for other characters, a wrong digit count, a Luhn failure
            or too large ``keep_last``.

    """
    return _card(ff1, value, tweak, keep_last, decrypt=False)


def card_detoken(ff1: FF1, value: str, tweak: bytes, *, keep_last: int = 4) -> str:
    """Invert :func:`card_token` under the same key, tweak and ``keep_last``.

    Raises:
        InvalidInput: on the same conditions as :func:`card_token`.

    """
    return _card(ff1, value, tweak, keep_last, decrypt=True)


def ssn_token(ff1: FF1, value: str, tweak: bytes) -> str:
    """Tokenize a US SSN (``123-45-6789`` or nine digits) into another valid SSN.

    Raises:
        InvalidInput: if the shape is wrong or the SSN is structurally invalid
            (area 000, 666 or 9xx, group 00, serial 0000).

    """
    return _ssn(ff1, value, tweak, decrypt=False)


def ssn_detoken(ff1: FF1, value: str, tweak: bytes) -> str:
    """Invert :func:`ssn_token` under the same key and tweak.

    Raises:
        InvalidInput: on the same conditions as :func:`ssn_token`.

    """
    return _ssn(ff1, value, tweak, decrypt=True)


def phone_token(ff1: FF1, value: str, tweak: bytes, *, keep_prefix: int = 3) -> str:
    """Tokenize a phone number, keeping its formatting and leading digits.

    Args:
        ff1: a radix-10 FF1 instance.
        value: 8 to 15 digits with optional spaces, dashes, parentheses, dots
            and one leading ``+``.
        tweak: public context; the same tweak detokenizes.
        keep_prefix: leading (country/area) digits left in clear; at least 6
            digits must remain to encrypt.

    Raises:
        InvalidInput: for other characters, a wrong digit count or too few
            digits left to encrypt.

    """
    return _phone(ff1, value, tweak, keep_prefix, decrypt=False)


def phone_detoken(ff1: FF1, value: str, tweak: bytes, *, keep_prefix: int = 3) -> str:
    """Invert :func:`phone_token` under the same key, tweak and ``keep_prefix``.

    Raises:
        InvalidInput: on the same conditions as :func:`phone_token`.

    """
    return _phone(ff1, value, tweak, keep_prefix, decrypt=True)


# -- helpers ---------------------------------------------------------------------------


def _transform(ff1: FF1, digits: str, tweak: bytes, recipe: DigitsRecipe, *, decrypt: bool) -> str:
    """Encrypt (or decrypt) the middle digits, cycle-walking until ``recipe.valid``."""
    _check_digits(ff1, digits, recipe)
    end = len(digits) - recipe.keep_suffix
    m = end - recipe.keep_prefix
    valid = recipe.valid
    head, tail = digits[: recipe.keep_prefix], digits[end:]
    bound = _bind_tweak(recipe.name, tweak, head + tail)
    step = ff1.decrypt_int if decrypt else ff1.encrypt_int
    value = int(digits[recipe.keep_prefix : end])
    while True:  # ends: the input lies on its own cycle and is valid (see module docstring)
        value = step(value, m, bound)
        out = f"{head}{value:0{m}d}{tail}"
        if valid is None or valid(out):
            return out


def _check_digits(ff1: FF1, digits: str, recipe: DigitsRecipe) -> None:
    """Refuse input :func:`digits_token` cannot encrypt (messages never quote it)."""
    if ff1.radix != 10:
        raise InvalidInput("digit tokens need a radix-10 FF1")
    if not isinstance(digits, str) or not digits or not _DIGITS.issuperset(digits):
        raise InvalidInput(f"{recipe.name} must be ASCII decimal digits")
    m = len(digits) - recipe.keep_suffix - recipe.keep_prefix
    if not ff1.min_length <= m <= MAX_LENGTH:
        raise InvalidInput(
            f"{recipe.name} needs {ff1.min_length} to {MAX_LENGTH} digits to encrypt "
            "besides the kept ones (FF1 minimum domain size)"
        )
    if recipe.valid is not None and not recipe.valid(digits):
        raise InvalidInput(f"{recipe.name} fails its validity check")


def _bind_tweak(name: str, tweak: bytes, kept: str) -> bytes:
    """Frame recipe name, caller tweak and kept digits into one unambiguous FF1 tweak."""
    if not isinstance(tweak, bytes):
        raise InvalidInput("tweak must be bytes")
    if len(tweak) > MAX_TWEAK_BYTES:
        raise InvalidInput(f"tweak is longer than {MAX_TWEAK_BYTES} bytes")
    label = name.encode()
    return b"".join(
        (bytes((len(label),)), label, len(tweak).to_bytes(2, "big"), tweak, kept.encode())
    )


_SHAPE = str.maketrans("123456789", "000000000")  # digits become 0, the rest stays


@functools.lru_cache(maxsize=256)
def _segments(shape: str) -> tuple[tuple[int, int, str], ...]:
    """For a value's shape (``"0000 0000…"``): (digit start, digit end, literal after) runs."""
    runs: list[tuple[int, int, str]] = []
    at = start = 0
    for ch in shape:
        if ch == "0":
            at += 1
        else:
            runs.append((start, at, ch))
            start = at
    runs.append((start, at, ""))
    return tuple(runs)


def reinsert(template: str, digits: str) -> str:
    """``digits`` put into the digit positions of ``template``, everything else kept."""
    if len(template) == len(digits):
        return digits
    return "".join(digits[a:b] + sep for a, b, sep in _segments(template.translate(_SHAPE)))


def _card(ff1: FF1, value: str, tweak: bytes, keep_last: int, *, decrypt: bool) -> str:
    if not isinstance(value, str):
        raise InvalidInput("card number must be a string")
    digits = value.translate(_CARD_SEPARATORS)
    if not _DIGITS.issuperset(digits):
        raise InvalidInput("card number may contain only digits, spaces and dashes")
    if not 13 <= len(digits) <= 19:
        raise InvalidInput("card number must have 13 to 19 digits")
    recipe = DigitsRecipe(name="card number", keep_suffix=keep_last, valid=luhn_valid)
    return reinsert(value, _transform(ff1, digits, tweak, recipe, decrypt=decrypt))


def _ssn(ff1: FF1, value: str, tweak: bytes, *, decrypt: bool) -> str:
    if not isinstance(value, str) or _SSN_SHAPE.fullmatch(value) is None:
        raise InvalidInput("SSN must look like 123-45-6789 or be nine digits")
    digits = value.replace("-", "")
    return reinsert(value, _transform(ff1, digits, tweak, SSN_RECIPE, decrypt=decrypt))


def _phone(ff1: FF1, value: str, tweak: bytes, keep_prefix: int, *, decrypt: bool) -> str:
    if not isinstance(value, str):
        raise InvalidInput("phone number must be a string")
    digits = phone_digits(value)
    if not _DIGITS.issuperset(digits):
        raise InvalidInput(
            "phone number may contain only digits, spaces, dashes, parentheses, dots "
            "and one leading +"
        )
    if not 8 <= len(digits) <= 15:
        raise InvalidInput("phone number must have 8 to 15 digits")
    recipe = phone_recipe(keep_prefix)
    return reinsert(value, _transform(ff1, digits, tweak, recipe, decrypt=decrypt))


def phone_digits(value: str) -> str:
    """The digits of a phone number: separators and one leading ``+`` removed (not checked)."""
    body = value[1:] if value.startswith("+") else value
    return body.translate(_PHONE_SEPARATORS)


@functools.lru_cache(maxsize=16)
def phone_recipe(keep_prefix: int) -> DigitsRecipe:
    """The recipe of :func:`phone_token`: the first ``keep_prefix`` digits kept."""
    return DigitsRecipe(name="phone number", keep_prefix=keep_prefix)
