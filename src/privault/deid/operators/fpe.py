"""The ``fpe`` operator: FF1 format-preserving encryption, reversible under the key.

Recipes (``recipe: auto`` picks by PII type):

* ``card``  — keeps separators and the last ``keep_last`` digits; the result
  is Luhn-valid. Instead of cycle-walking (about ten FF1 calls per card, see
  :mod:`privault.crypto.fpe`), the digit just before the kept ones is the
  Luhn check position: the digits before it are encrypted with
  :func:`~privault.crypto.fpe.digits_token` (the kept digits bound into the
  tweak) and it is recomputed so the whole number is Luhn-valid. For a
  Luhn-valid input that digit is a function of the others, so this is a
  bijection on Luhn-valid numbers with one FF1 call, inverted the same way.
* ``ssn``   — :func:`~privault.crypto.fpe.ssn_token` (a valid SSN, same shape).
* ``phone`` — :func:`~privault.crypto.fpe.phone_token` (formatting and the
  first ``keep_prefix`` digits kept).

Columns (:meth:`Fpe.apply_many`) run the FF1 rounds of all values in lockstep
(:mod:`privault.crypto.fpe_columns`, and :mod:`~privault.deid.operators.fpe_cards`
for the Luhn digit), SSN cycle-walks included; the results are those of the
one-value recipes (``digits`` values with more than 18 digits or non-ASCII
text go value by value).
* ``digits`` — every other value with at least six digits: the digits are
  encrypted in place, everything else is kept.

A value that does not fit its recipe is redacted (``on_invalid: redact``,
the default: a masked copy never keeps a value it could not protect) or
refused (``on_invalid: error``; the message names the rule, never the value).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from privault.core.errors import InvalidInput
from privault.crypto import fpe, fpe_columns
from privault.crypto.ff1 import FF1
from privault.deid.operators.base import Binding, Operator, OperatorParams
from privault.deid.operators.fpe_cards import card_fpe_many, card_recipe

__all__ = ["Fpe", "FpeParams", "card_fpe"]

Recipe = Literal["auto", "card", "ssn", "phone", "digits"]
_AUTO: dict[str, Recipe] = {"CREDIT_CARD": "card", "US_SSN": "ssn", "PHONE_NUMBER": "phone"}
_DIGITS = frozenset("0123456789")
_NOT_FIT = {
    "digits": "fpe: a value has too few digits to encrypt",
    "card": "fpe: a value is not a Luhn-valid card number",
    "ssn": "fpe: a value is not a valid SSN (123-45-6789 or nine digits)",
    "phone": "fpe: a value is not a phone number with enough digits to encrypt",
}
_CARD_SEPARATORS = str.maketrans("", "", " -")


class FpeParams(OperatorParams):
    """Parameters of :class:`Fpe`.

    Attributes:
        recipe: which format to keep; ``auto`` picks by PII type.
        tweak: public context bound into FF1; reversal needs the same tweak.
        keep_last: card digits kept in clear (the last four by default).
        keep_prefix: phone digits kept in clear (country/area code).
        on_invalid: what to do with a value that does not fit the recipe.

    """

    recipe: Recipe = "auto"
    tweak: str = Field(default="", max_length=256)
    keep_last: int = Field(default=4, ge=0, le=6)
    keep_prefix: int = Field(default=3, ge=0, le=6)
    on_invalid: Literal["redact", "error"] = "redact"


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # digit -> digit sum of 2 * digit
_UNDOUBLE = tuple(_DOUBLED.index(r) for r in range(10))  # its inverse


def _luhn_digit(digits: str, position: int) -> str:
    """The digit at ``position`` that makes ``digits`` Luhn-valid (solved, not searched)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        total += _DOUBLED[d] if i % 2 else d
    from_right = len(digits) - 1 - position
    own = ord(digits[position]) - 48
    rest = total - (_DOUBLED[own] if from_right % 2 else own)
    need = -rest % 10
    return str(_UNDOUBLE[need] if from_right % 2 else need)


def card_fpe(ff1: FF1, value: str, tweak: bytes, keep_last: int, *, decrypt: bool) -> str:
    """Encrypt (or decrypt) a Luhn-valid card number with one FF1 call.

    Raises:
        InvalidInput: not 13-19 digits with spaces/dashes, or not Luhn-valid.

    """
    digits = value.translate(_CARD_SEPARATORS)
    if not (13 <= len(digits) <= 19 and _DIGITS.issuperset(digits)):
        raise InvalidInput("card number must have 13 to 19 digits")
    if not fpe.luhn_valid(digits):
        raise InvalidInput("card number fails its Luhn check")
    check = len(digits) - keep_last - 1  # the recomputed position
    body = digits[:check] + digits[check + 1 :]
    recipe = card_recipe(keep_last)
    step = fpe.digits_detoken if decrypt else fpe.digits_token
    return _card_finish(value, step(ff1, body, tweak, recipe), check)


def _card_finish(value: str, moved: str, check: int) -> str:
    """Re-insert the Luhn digit at ``check`` and the separators of ``value``."""
    out = moved[:check] + "0" + moved[check:]
    out = out[:check] + _luhn_digit(out, check) + out[check + 1 :]
    return out if len(out) == len(value) else fpe.reinsert(value, out)


class Fpe(Operator[FpeParams]):
    """FF1 format-preserving encryption (never FF3/FF3-1, which NIST withdrew)."""

    name = "fpe"
    Params = FpeParams
    needs_key = True
    reversible = True

    def __init__(self, params: FpeParams, binding: Binding) -> None:
        super().__init__(params, binding)
        self._ff1 = FF1(self.keys.subkey("fpe"), 10)
        self._tweak = params.tweak.encode()
        self._recipe: Recipe = (
            _AUTO.get(self.entity, "digits") if params.recipe == "auto" else params.recipe
        )

    def _run(self, value: str, *, decrypt: bool) -> str:
        ff1, tweak, p = self._ff1, self._tweak, self.params
        if self._recipe == "card":
            return card_fpe(ff1, value, tweak, p.keep_last, decrypt=decrypt)
        if self._recipe == "ssn":
            return (fpe.ssn_detoken if decrypt else fpe.ssn_token)(ff1, value, tweak)
        if self._recipe == "phone":
            step = fpe.phone_detoken if decrypt else fpe.phone_token
            return step(ff1, value, tweak, keep_prefix=p.keep_prefix)
        digits = "".join(ch for ch in value if ch in _DIGITS)
        step2 = fpe.digits_detoken if decrypt else fpe.digits_token
        return fpe.reinsert(value, step2(ff1, digits, tweak))

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return the format-preserving ciphertext of ``value``.

        Raises:
            InvalidInput: the value does not fit and ``on_invalid`` is ``error``.

        """
        try:
            return self._run(value, decrypt=False)
        except InvalidInput:
            if self.params.on_invalid == "error":
                raise
            return ""

    def _column(self, values: Sequence[str], *, decrypt: bool) -> list[str | None]:
        """A column at a time; None for a value that does not fit the recipe."""
        ff1, tweak, p = self._ff1, self._tweak, self.params
        if self._recipe == "card":
            return card_fpe_many(ff1, values, tweak, p.keep_last, decrypt=decrypt)
        if self._recipe == "ssn":
            return fpe_columns.ssn_many(ff1, values, tweak, decrypt=decrypt)
        if self._recipe == "phone":
            return fpe_columns.phone_many(ff1, values, tweak, p.keep_prefix, decrypt=decrypt)
        done = fpe_columns.digits_many(ff1, values, tweak, decrypt=decrypt)
        run = self.reverse if decrypt else self.apply  # the rest, value by value
        return [run(v) if d is None else d for v, d in zip(values, done, strict=True)]

    def apply_many(
        self, values: Sequence[str | None], subjects: Sequence[str | None] | None = None
    ) -> list[str | None]:
        """Apply to a column: the FF1 rounds of all values run in lockstep.

        The results are those of :meth:`apply` value by value.

        Raises:
            InvalidInput: a value does not fit its recipe and ``on_invalid`` is ``error``.

        """
        present = [v for v in values if v is not None]
        done = self._column(present, decrypt=False)
        if self.params.on_invalid == "error" and any(d is None for d in done):
            raise InvalidInput(_NOT_FIT[self._recipe], operator=self.name)
        it = iter(done)
        return [None if v is None else (next(it) or "") for v in values]

    def reverse_many(self, values: Sequence[str]) -> list[str]:
        """Invert :meth:`apply_many` for a column (the results of :meth:`reverse`).

        Raises:
            InvalidInput: a value does not fit the recipe.

        """
        done = self._column(values, decrypt=True)
        if any(d is None for d in done):
            raise InvalidInput(_NOT_FIT[self._recipe], operator=self.name)
        return [d for d in done if d is not None]

    def reverse(self, value: str) -> str:
        """Return the plaintext of a value made by :meth:`apply`.

        Raises:
            InvalidInput: the value does not fit the recipe.

        """
        return self._run(value, decrypt=True)
