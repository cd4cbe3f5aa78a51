"""Password health per client: weak, reused, old, breached; rotation reminders. Pure.

* weak: zxcvbn score below ``min_score`` (0-4), with the item's title and
  login as user inputs, so "acme-admin-acme" is weak for Acme's admin;
* reused: the same password (by keyed fingerprint) on more than one item;
* old: not changed in ``max_age_days``;
* breached: on zxcvbn's shipped list of the 30,000 most common passwords
  from public breach corpora (``FREQUENCY_LISTS["passwords"]``), compared
  case-insensitively; no network lookup, ever.

Reports carry ids, titles and issue names, never a password.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from privault.core.secret import Secret

ISSUES = ("weak", "reused", "old", "breached")
_ZXCVBN_MAX = 100  # zxcvbn's cost grows with length; longer passwords are not weak anyway


@dataclass(frozen=True, slots=True)
class HealthInput:
    """One item as the health check sees it."""

    item_id: str
    title: str
    login: str
    password: Secret[str]
    fingerprint: str | None
    changed_at: datetime
    rotate_days: int


@dataclass(frozen=True, slots=True)
class ItemHealth:
    """The issues of one item."""

    item_id: str
    title: str
    issues: tuple[str, ...]
    score: int | None
    age_days: int


@dataclass(frozen=True, slots=True)
class Reminder:
    """An item past its rotation age."""

    item_id: str
    title: str
    due_at: datetime
    overdue_days: int


@dataclass(frozen=True, slots=True)
class HealthReport:
    """Every item's health, issue counts and rotation reminders."""

    items: list[ItemHealth]
    counts: dict[str, int]
    reminders: list[Reminder]

    @property
    def healthy(self) -> bool:
        """True when no item has an issue."""
        return not any(self.counts.values())


@functools.cache
def _breached() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def breached(password: Secret[str]) -> bool:
    """True if the password is on the shipped breach list."""
    return password.reveal().lower() in _breached()


def strength(password: Secret[str], user_inputs: list[str]) -> int:
    """Zxcvbn's score, 0 (guessable) to 4 (very unguessable)."""
    from zxcvbn import zxcvbn

    value = password.reveal()[:_ZXCVBN_MAX]
    return int(zxcvbn(value, user_inputs=[u for u in user_inputs if u])["score"])


def assess(
    entries: list[HealthInput], now: datetime, *, max_age_days: int = 365, min_score: int = 3
) -> HealthReport:
    """Check every item; empty passwords (notes) are skipped."""
    with_pw = [e for e in entries if e.password.reveal()]
    uses = Counter(e.fingerprint for e in with_pw if e.fingerprint)
    items, counts = [], Counter({name: 0 for name in ISSUES})
    for e in with_pw:
        score = strength(e.password, [e.title, e.login])
        age = (now - e.changed_at).days
        found = {
            "weak": score < min_score,
            "reused": e.fingerprint is not None and uses[e.fingerprint] > 1,
            "old": age > max_age_days,
            "breached": breached(e.password),
        }
        issues = tuple(name for name in ISSUES if found[name])
        counts.update(issues)
        items.append(ItemHealth(e.item_id, e.title, issues, score, age))
    return HealthReport(items, dict(counts), reminders(with_pw, now))


def reminders(entries: list[HealthInput], now: datetime) -> list[Reminder]:
    """Items past their rotation age, most overdue first."""
    out = []
    for e in entries:
        due = e.changed_at + timedelta(days=e.rotate_days)
        if due <= now:
            out.append(Reminder(e.item_id, e.title, due, (now - due).days))
    return sorted(out, key=lambda r: (-r.overdue_days, r.item_id))
