"""Answer deadlines of data-subject requests per law, with their extensions.

=====  ==========  ==================  ===========================
law    answer in   extendable by       source
=====  ==========  ==================  ===========================
gdpr   one month   two further months  GDPR art. 12(3)
ccpa   45 days     45 further days     Cal. Civ. Code 1798.130(a)(2)
=====  ==========  ==================  ===========================

Deadlines count from the day the request was received. An extended deadline
is computed from that day too (one month + two months = three months), so
Jan 31 + 3 months is Apr 30, not Feb 28 + 2 months = Apr 28.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from privault.core.errors import InvalidInput
from privault.lifecycle.periods import Period


@dataclass(frozen=True, slots=True)
class Law:
    """The answer period of one law and how far it may be extended."""

    name: str
    answer: Period
    extension: Period


LAWS: dict[str, Law] = {
    "gdpr": Law("gdpr", Period(1, "m"), Period(2, "m")),
    "ccpa": Law("ccpa", Period(45, "d"), Period(45, "d")),
}


def law(name: str) -> Law:
    """The law called ``name``.

    Raises:
        InvalidInput: an unknown law (the message lists the known ones).

    """
    try:
        return LAWS[name.lower()]
    except KeyError:
        raise InvalidInput(f"unknown law {name!r}; valid: {', '.join(LAWS)}") from None


def due_date(rule: Law, received: date, *, extended: bool = False) -> date:
    """The last day to answer a request received on ``received``."""
    if not extended:
        return rule.answer.add(received)
    total = rule.answer.plus(rule.extension)
    if total is not None:
        return total.add(received)
    return rule.extension.add(rule.answer.add(received))


def days_left(due: date, today: date) -> int:
    """Days until ``due`` (0 on the day, negative when overdue)."""
    return (due - today).days
