"""Periods like ``30d``, ``18m`` and ``7y``, added with calendar arithmetic.

Adding months keeps the day of the month when it exists and otherwise lands
on the month's last day (Jan 31 + 1 month = Feb 28, or Feb 29 in a leap
year), the rule the GDPR's "one month" follows (Regulation 1182/71, art. 3).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, TypeVar

from privault.core.errors import InvalidInput

Unit = Literal["d", "m", "y"]
_PERIOD = re.compile(r"^(\d{1,5})([dmy])$")
_REFERENCE = date(2000, 1, 1)
D = TypeVar("D", date, datetime)


def add_months(when: D, months: int) -> D:
    """``when`` plus ``months`` calendar months, clamped to the month's last day."""
    total = when.month - 1 + months
    year, month = when.year + total // 12, total % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A number of days, months or years."""

    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``30d``, ``18m`` or ``7y``.

        Raises:
            InvalidInput: anything else.

        """
        found = _PERIOD.match(text.strip()) if isinstance(text, str) else None
        if found is None:
            raise InvalidInput(f"a period looks like 30d, 18m or 7y, not {text!r}")
        unit: Unit = found.group(2)  # type: ignore[assignment]  # the regex allows d, m, y only
        return cls(int(found.group(1)), unit)

    def add(self, when: D) -> D:
        """``when`` plus this period."""
        if self.unit == "d":
            return when + timedelta(days=self.amount)
        return add_months(when, self.amount * (12 if self.unit == "y" else 1))

    def plus(self, other: Period) -> Period | None:
        """The sum when both count in the same calendar unit (years become months)."""
        if self.unit == "d" and other.unit == "d":
            return Period(self.amount + other.amount, "d")
        if "d" in (self.unit, other.unit):
            return None
        return Period(self._months() + other._months(), "m")

    def _months(self) -> int:
        return self.amount * (12 if self.unit == "y" else 1)

    def length(self) -> int:
        """Days this period spans from a fixed reference date (to compare periods)."""
        return (self.add(_REFERENCE) - _REFERENCE).days

    def __str__(self) -> str:
        """The period as written (``18m``)."""
        return f"{self.amount}{self.unit}"
