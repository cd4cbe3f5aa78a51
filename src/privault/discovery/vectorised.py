"""Vectorised forms of privault.detect's cheap validators, over Polars Series.

In full mode a card or IBAN column sends every value through its validator;
calling the Python validators one value at a time would cost more than all
the regexes together. These functions compute the same answers column-wise
(tests/unit/discovery/test_vectorised.py checks them against
:mod:`privault.detect.validators` on random and real values). Each
normalisation is materialised once as a column: Polars does not share
repeated sub-expressions inside ``when`` chains.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from privault.detect.validators import IBAN_LENGTHS

__all__ = ["VECTORISED", "card_mask", "iban_mask", "luhn_expr", "ssn_mask"]

_MAX_CARD = 19
_DIGITS = 72  # an IBAN's 34 characters, letters as two digits, left-padded: 8 chunks of 9


def luhn_expr(digits: str, size: str) -> pl.Expr:
    """Luhn (mod 10) check of column ``digits`` (at most 19 digits) of length ``size``."""
    total: pl.Expr = pl.lit(0, pl.Int32)
    n = pl.col(size)
    for i in range(_MAX_CARD):
        d = pl.col(digits).str.slice(i, 1).cast(pl.Int32, strict=False).fill_null(0)
        doubled = (n - i) % 2 == 0  # position from the right (n - 1 - i) is odd
        total = total + pl.when(doubled & (d > 4)).then(d * 2 - 9).when(doubled).then(
            d * 2
        ).otherwise(d)
    return (total % 10 == 0) & (n >= 2)


def card_mask(values: pl.Series) -> pl.Series:
    """Same answer as ``detectors.card_valid``: 13-19 digits, prefix 1-6, one separator, Luhn."""
    frame = values.to_frame("v").with_columns(d=pl.col("v").str.replace_all(r"\D", ""))
    frame = frame.with_columns(n=pl.col("d").str.len_chars().cast(pl.Int32))
    v = pl.col("v")
    one_sep = ~(v.str.contains(" ", literal=True) & v.str.contains("-", literal=True))
    ok = (
        pl.col("n").is_between(13, _MAX_CARD)
        & pl.col("d").str.contains(r"^[1-6]")
        & one_sep
        & v.str.contains(r"^[\d \-]+$")
        & luhn_expr("d", "n")
    )
    return frame.select(ok.fill_null(False)).to_series()


def iban_mask(values: pl.Series) -> pl.Series:
    """Same answer as ``validators.iban_valid``: country length, then mod 97 == 1.

    Letters become their two-digit values, the number is left-padded with
    zeros (which do not change it) and reduced 9 digits at a time, so every
    intermediate fits in 64 bits.
    """
    norm = pl.col("v").str.replace_all(r"[\s\-]", "").str.to_uppercase()
    frame = values.to_frame("v").with_columns(i=norm)
    number = pl.concat_str([pl.col("i").str.slice(4), pl.col("i").str.slice(0, 4)])
    for k in range(26):
        number = number.str.replace_all(chr(ord("A") + k), str(10 + k), literal=True)
    expected = pl.col("i").str.slice(0, 2).replace_strict(IBAN_LENGTHS, default=None)
    frame = frame.with_columns(
        num=number.str.zfill(_DIGITS),
        shape=(pl.col("i").str.len_chars() == expected) & pl.col("i").str.contains(r"^[A-Z0-9]+$"),
    )
    acc: pl.Expr = pl.lit(0, pl.Int64)
    for start in range(0, _DIGITS, 9):
        acc = (
            acc * 1_000_000_000 + pl.col("num").str.slice(start, 9).cast(pl.Int64, strict=False)
        ) % 97
    ok = pl.col("shape") & (acc == 1) & (pl.col("num").str.len_chars() == _DIGITS)
    return frame.select(ok.fill_null(False)).to_series()


_SAME = "|".join(str(d) * 9 for d in range(10))


def ssn_mask(values: pl.Series) -> pl.Series:
    """Same answer as ``validators.ssn_valid``: area, group and serial rules."""
    frame = values.to_frame("v").with_columns(d=pl.col("v").str.replace_all(r"\D", ""))
    d = pl.col("d")
    ok = (
        (d.str.len_chars() == 9)
        & ~d.str.contains(rf"^(?:{_SAME})$")
        & ~d.str.contains(r"^(?:000|666|9)")
        & (d.str.slice(3, 2) != "00")
        & (d.str.slice(5, 4) != "0000")
        & (d != "123456789")
    )
    return frame.select(ok.fill_null(False)).to_series()


#: detector name -> column-wise validator (a boolean Series per candidate Series).
VECTORISED: dict[str, Callable[[pl.Series], pl.Series]] = {
    "card": card_mask,
    "iban": iban_mask,
    "ssn": ssn_mask,
    "ssn_plain": ssn_mask,
}
