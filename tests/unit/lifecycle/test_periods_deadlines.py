"""Calendar arithmetic: periods, legal deadlines across month ends, leap years, extensions."""

from __future__ import annotations

from datetime import date

import pytest

from privault.core.errors import Conflict, InvalidInput
from privault.lifecycle import deadlines
from privault.lifecycle import dsr as machine
from privault.lifecycle.periods import Period, add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # month end, common year
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),  # 31 → 30-day month
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # year boundary
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day + 1 year
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("30d", date(2026, 1, 1), date(2026, 1, 31)),
        ("18m", date(2026, 8, 31), date(2028, 2, 29)),  # lands on a leap day
        ("7y", date(2024, 2, 29), date(2031, 2, 28)),
    ],
)
def test_period_add(text: str, start: date, expected: date) -> None:
    assert Period.parse(text).add(start) == expected


@pytest.mark.parametrize("bad", ["", "30", "1w", "-1d", "3.5m", "d30"])
def test_period_rejects(bad: str) -> None:
    with pytest.raises(InvalidInput):
        Period.parse(bad)


@pytest.mark.parametrize(
    ("law", "received", "extended", "due"),
    [
        ("gdpr", date(2026, 1, 31), False, date(2026, 2, 28)),  # Jan 31 + 1 month
        ("gdpr", date(2024, 1, 31), False, date(2024, 2, 29)),  # leap year
        ("gdpr", date(2026, 1, 31), True, date(2026, 4, 30)),  # + 3 months from receipt
        ("gdpr", date(2026, 11, 30), True, date(2027, 2, 28)),  # across the year end
        ("ccpa", date(2026, 1, 31), False, date(2026, 3, 17)),  # 45 days
        ("ccpa", date(2024, 1, 31), False, date(2024, 3, 16)),  # 45 days in a leap year
        ("ccpa", date(2026, 1, 31), True, date(2026, 5, 1)),  # 90 days
        ("CCPA", date(2026, 12, 1), True, date(2027, 3, 1)),
    ],
)
def test_due_dates(law: str, received: date, extended: bool, due: date) -> None:
    assert deadlines.due_date(deadlines.law(law), received, extended=extended) == due


def test_days_left_and_unknown_law() -> None:
    assert deadlines.days_left(date(2026, 3, 1), date(2026, 2, 27)) == 2
    with pytest.raises(InvalidInput, match="gdpr, ccpa"):
        deadlines.law("lgpd")


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        ("verifying", "verify", "verified"),
        ("verified", "start", "in_progress"),
        ("in_progress", "start", "in_progress"),  # a retried erasure
        ("in_progress", "complete", "completed"),
        ("verifying", "reject", "rejected"),
    ],
)
def test_transitions(state: str, action: str, after: str) -> None:
    assert machine.transition(state, action) == after


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("verifying", "start"),
        ("completed", "reject"),
        ("rejected", "verify"),
        ("verified", "verify"),
    ],
)
def test_refused_transitions(state: str, action: str) -> None:
    with pytest.raises(Conflict):
        machine.transition(state, action)


def test_kinds_and_methods() -> None:
    assert machine.check_kind("opt-out-sale") == "opt_out_sale"
    with pytest.raises(InvalidInput):
        machine.check_kind("teleport")
    with pytest.raises(InvalidInput):
        machine.check_method("vibes")
