"""Health: weak, reused, old, breached, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from privault.core.secret import Secret
from privault.credentials.health import HealthInput, assess, breached

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _item(i: str, password: str, fp: str | None, age: int, rotate: int = 90) -> HealthInput:
    return HealthInput(
        i, f"title {i}", "admin", Secret(password), fp, NOW - timedelta(days=age), rotate
    )


def test_issue_table() -> None:
    entries = [
        _item("strong", "vK9#mQ2$xL7!pR4@wZ", "f1", age=10),  # healthy
        _item("weak", "Summer2024", "f2", age=10),  # weak only (not on the list)
        _item("breached", "iloveyou", "f3", age=10),  # weak and on the breach list
        _item("reuse-a", "Tq8!vN3#rB6$kW1@", "same", age=10),  # reused
        _item("reuse-b", "Tq8!vN3#rB6$kW1@", "same", age=10),  # reused
        _item("old", "hP5^zD2&fJ9*mC4!", "f6", age=500),  # old and due for rotation
        _item("note", "", None, age=900),  # a secure note: no password, skipped
    ]
    report = assess(entries, NOW, max_age_days=365)
    issues = {i.item_id: i.issues for i in report.items}
    assert issues == {
        "strong": (),
        "weak": ("weak",),
        "breached": ("weak", "breached"),
        "reuse-a": ("reused",),
        "reuse-b": ("reused",),
        "old": ("old",),
    }
    assert report.counts == {"weak": 2, "reused": 2, "old": 1, "breached": 1}
    assert [r.item_id for r in report.reminders] == ["old"]
    assert report.reminders[0].overdue_days == 410
    assert not report.healthy
    assert "iloveyou" not in repr(report)


def test_breach_list_is_case_insensitive() -> None:
    assert breached(Secret("PASSWORD")) and breached(Secret("qwerty"))
    assert not breached(Secret("vK9#mQ2$xL7!pR4@wZ"))
