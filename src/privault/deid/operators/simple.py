"""Unkeyed operators: redact, replace, mask, keep (Presidio's names and parameters)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
from pydantic import Field, model_validator

from privault.deid.operators.base import Operator, OperatorParams

if TYPE_CHECKING:
    from typing import Self

__all__ = ["Keep", "Mask", "MaskParams", "Redact", "Replace", "ReplaceParams"]


def _keep_nulls(column: pl.Expr, value: pl.Expr) -> pl.Expr:
    return pl.when(column.is_null()).then(pl.lit(None, pl.String)).otherwise(value)


class Redact(Operator[OperatorParams]):
    """Remove the value entirely (an empty string)."""

    name = "redact"

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return ``""``."""
        return ""

    def expr(self, column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        """Empty strings, nulls kept."""
        return _keep_nulls(column, pl.lit(""))


class ReplaceParams(OperatorParams):
    """Parameters of :class:`Replace`.

    Attributes:
        new_value: the replacement; None means ``<ENTITY_TYPE>``.

    """

    new_value: str | None = None


class Replace(Operator[ReplaceParams]):
    """Replace the value with a fixed string or ``<TYPE>``."""

    name = "replace"
    Params = ReplaceParams

    def _text(self) -> str:
        given = self.params.new_value
        return f"<{self.entity}>" if given is None else given

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return the replacement."""
        return self._text()

    def expr(self, column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        """The replacement, nulls kept."""
        return _keep_nulls(column, pl.lit(self._text()))


class MaskParams(OperatorParams):
    """Parameters of :class:`Mask`.

    Attributes:
        masking_char: the one character that replaces masked ones.
        chars_to_mask: how many characters to mask; None masks all.
        from_end: mask the last ``chars_to_mask`` characters instead of the first.
        keep_last: mask everything but the last N characters (overrides the
            two above); a value of N characters or fewer is masked whole.

    """

    masking_char: str = Field(default="*", min_length=1, max_length=1)
    chars_to_mask: int | None = Field(default=None, ge=0)
    from_end: bool = False
    keep_last: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_mode(self) -> Self:
        if self.keep_last is not None and (self.chars_to_mask is not None or self.from_end):
            raise ValueError("keep_last cannot be combined with chars_to_mask or from_end")
        return self


class Mask(Operator[MaskParams]):
    """Replace characters with a masking character, keeping the length."""

    name = "mask"
    Params = MaskParams

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return ``value`` with the chosen characters masked."""
        p, n = self.params, len(value)
        c = p.masking_char
        if p.keep_last is not None:
            return c * n if n <= p.keep_last else c * (n - p.keep_last) + value[-p.keep_last :]
        m = n if p.chars_to_mask is None else min(p.chars_to_mask, n)
        return value[: n - m] + c * m if p.from_end else c * m + value[m:]

    def expr(self, column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        """Pure Polars string expressions (slice + pad); nulls kept."""
        p, c = self.params, self.params.masking_char
        text = column if dtype == pl.String else column.cast(pl.String)
        n = text.str.len_chars()
        everything = pl.lit("").str.pad_start(n, c)
        if p.keep_last is not None:
            kept = text.str.tail(p.keep_last).str.pad_start(n, c)
            return pl.when(n > p.keep_last).then(kept).otherwise(everything)
        if p.chars_to_mask is None:
            return _keep_nulls(text, everything)
        m = pl.min_horizontal(n, pl.lit(p.chars_to_mask, pl.UInt32))
        if p.from_end:
            return text.str.slice(0, n - m).str.pad_end(n, c)
        return text.str.slice(m).str.pad_start(n, c)


class Keep(Operator[OperatorParams]):
    """Leave the value as it is (an explicit, reported decision)."""

    name = "keep"

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return ``value`` unchanged."""
        return value

    def expr(self, column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        """The column itself."""
        return column
