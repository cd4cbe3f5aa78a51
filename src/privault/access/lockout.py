"""Back-off after failed logins, per account and per source address. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_ATTEMPTS = 5  # failures allowed before the first lock
BASE_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=1)
WINDOW = timedelta(minutes=15)  # failures older than this are forgotten


@dataclass(frozen=True, slots=True)
class FailureState:
    """Failures counted for one key ('user:ID' or 'addr:IP')."""

    count: int
    last_at: datetime
    locked_until: datetime | None


def after_failure(state: FailureState | None, now: datetime) -> FailureState:
    """The state after one more failure: locks double from the sixth failure on."""
    count = 1 if state is None or now - state.last_at > WINDOW else state.count + 1
    locked_until = None
    if count > FREE_ATTEMPTS:
        lock = min(BASE_LOCK * 2 ** (count - FREE_ATTEMPTS - 1), MAX_LOCK)
        locked_until = now + lock
    return FailureState(count, now, locked_until)


def locked(state: FailureState | None, now: datetime) -> timedelta | None:
    """How long the key stays locked, or None if it is not."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return None
    return state.locked_until - now
