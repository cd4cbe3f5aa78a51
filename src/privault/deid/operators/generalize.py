"""Generalisation and date shifting: keep what analytics need, lose precision.

* ``generalize`` — numbers to ranges (``30-39``), ages to bands (``90+`` at the
  top), dates to month or year (``1985-03``, ``1985``), postcodes to prefixes
  (``SW1****``). ``kind: auto`` picks by PII type (DATE_TIME: date) or, in
  tables, by column type (numbers, dates). Values that do not parse become
  null in tables and ``<TYPE>`` in text: never the original.
* ``date_shift`` — move a date by a number of days that is fixed per data
  subject (``HMAC(key, subject) mod window``, never zero), so intervals
  between one subject's dates survive while the dates do not.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Literal

import polars as pl
from pydantic import Field

from privault.deid.operators.base import Binding, Operator, OperatorParams

__all__ = ["DateShift", "DateShiftParams", "Generalize", "GeneralizeParams", "parse_date"]

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y")
_LEVEL_FORMAT = {"month": "%Y-%m", "year": "%Y"}


def parse_date(value: str) -> tuple[datetime, str] | None:
    """Parse a date (ISO first, then common formats); return it and its format."""
    text = value.strip()
    try:
        return datetime.fromisoformat(text), "iso"
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt), fmt
        except ValueError:
            continue
    return None


class GeneralizeParams(OperatorParams):
    """Parameters of :class:`Generalize`.

    Attributes:
        kind: ``number`` (ranges), ``age`` (bands, top band open), ``date``,
            ``postcode`` (prefix), or ``auto``.
        width: range width for numbers and ages (10 by default).
        level: date precision kept: ``month`` or ``year``.
        prefix: postcode characters kept (spaces ignored).
        top: ages at or above it become ``top+`` (90 by default).

    """

    kind: Literal["auto", "number", "age", "date", "postcode"] = "auto"
    width: float = Field(default=10, gt=0)
    level: Literal["month", "year"] = "month"
    prefix: int = Field(default=3, ge=0)
    top: int = Field(default=90, ge=1)


class Generalize(Operator[GeneralizeParams]):
    """Replace a value by a coarser one (range, band, month/year, prefix)."""

    name = "generalize"
    Params = GeneralizeParams

    def _kind(self, dtype: pl.DataType | None = None) -> str:
        if self.params.kind != "auto":
            return self.params.kind
        if self.entity == "DATE_TIME" or (dtype is not None and dtype.is_temporal()):
            return "date"
        return "number"

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return the generalised form of ``value`` (``<TYPE>`` if it does not parse)."""
        kind = self._kind()
        if kind == "postcode":
            return _postcode(value, self.params.prefix)
        if kind == "date":
            return self._date(value)
        try:
            number = float(value)
        except ValueError:
            return f"<{self.entity}>"
        if not math.isfinite(number):
            return f"<{self.entity}>"
        return self._range(number, open_top=kind == "age")

    def _date(self, value: str) -> str:
        parsed = parse_date(value)
        if parsed is not None:
            return parsed[0].strftime(_LEVEL_FORMAT[self.params.level])
        year = _YEAR.search(value)
        return year.group() if year else f"<{self.entity}>"

    def _range(self, number: float, *, open_top: bool) -> str:
        p = self.params
        if open_top and number >= p.top:
            return f"{p.top}+"
        low = math.floor(number / p.width) * p.width
        if float(p.width).is_integer():
            return f"{int(low)}-{int(low + p.width) - 1}"
        return f"{low:g}-{low + p.width:g}"

    def expr(self, column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        """Pure Polars expressions for every kind; unparsable values become null."""
        kind = self._kind(dtype)
        if kind == "postcode":
            text = column.cast(pl.String).str.replace_all(r"\s", "").str.to_uppercase()
            return text.str.slice(0, self.params.prefix).str.pad_end(text.str.len_chars(), "*")
        if kind == "date":
            return self._date_expr(column, dtype)
        return self._range_expr(column.cast(pl.Float64, strict=False), open_top=kind == "age")

    def _date_expr(self, column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        fmt = _LEVEL_FORMAT[self.params.level]
        if dtype.is_temporal():
            return column.dt.strftime(fmt)
        text = column.cast(pl.String)
        parsed = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).dt.strftime(fmt)
        return pl.coalesce(parsed, text.str.extract(_YEAR.pattern, 1))

    def _range_expr(self, number: pl.Expr, *, open_top: bool) -> pl.Expr:
        p = self.params
        low = (number / p.width).floor() * p.width
        if float(p.width).is_integer():
            lo, hi = low.cast(pl.Int64), (low + p.width - 1).cast(pl.Int64)
        else:
            lo, hi = low, low + p.width
        finite = number.is_finite()
        ranged = pl.when(finite).then(pl.concat_str([lo.cast(pl.String), pl.lit("-"), hi]))
        if not open_top:
            return ranged
        return pl.when(number >= p.top).then(pl.lit(f"{p.top}+")).otherwise(ranged)


def _postcode(value: str, prefix: int) -> str:
    compact = "".join(value.split()).upper()
    return compact[:prefix] + "*" * max(len(compact) - prefix, 0)


class DateShiftParams(OperatorParams):
    """Parameters of :class:`DateShift`.

    Attributes:
        max_days: shifts are 1 to ``max_days`` days, earlier or later.
        subject_column: in tables, the column naming the data subject (the
            shift is fixed per subject); without it the shift is fixed per
            project key.

    """

    max_days: int = Field(default=30, ge=1, le=3650)
    subject_column: str | None = None


class DateShift(Operator[DateShiftParams]):
    """Shift dates by a per-subject offset (``HMAC(key, subject) mod window``)."""

    name = "date_shift"
    Params = DateShiftParams
    needs_key = True
    uses_subject = True

    def __init__(self, params: DateShiftParams, binding: Binding) -> None:
        super().__init__(params, binding)
        self._mac = self.keys.hmac("date-shift")

    def shift_days(self, subject: str | None) -> int:
        """The signed shift, in days, of ``subject`` (never zero)."""
        d = self._mac.digest((subject or "").encode())
        days = 1 + int.from_bytes(d[:4], "big") % self.params.max_days
        return -days if d[4] & 1 else days

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return ``value`` shifted, in its own format (``<TYPE>`` if unparsable)."""
        parsed = parse_date(value)
        if parsed is None:
            return f"<{self.entity}>"
        moved = parsed[0] + timedelta(days=self.shift_days(subject))
        if parsed[1] != "iso":
            return moved.strftime(parsed[1])
        has_time = len(value.strip()) > 10
        return moved.isoformat(sep=" " if " " in value else "T") if has_time else str(moved.date())

    def shift_expr(self, column: pl.Expr, shifts: pl.Expr) -> pl.Expr:
        """Vectorised shift of a Date/Datetime column by per-row day counts."""
        return column + pl.duration(days=shifts)
