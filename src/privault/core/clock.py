"""Injectable clocks: every timestamp in privault comes from a :class:`Clock`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol


class Clock(Protocol):
    """Source of the current time (always timezone-aware UTC)."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the wall-clock time in UTC."""
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock for tests: stands still until advanced."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def now(self) -> datetime:
        """Return the fixed time."""
        return self.current

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self.current = self.current + delta


def as_utc(value: datetime | None) -> datetime | None:
    """Make a stored timestamp timezone-aware UTC (SQLite returns them naive)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def aware_row(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    """A row's values with every datetime made timezone-aware UTC."""
    return {k: as_utc(v) if isinstance(v, datetime) else v for k, v in mapping.items()}
