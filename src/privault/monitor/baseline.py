"""Per-principal baselines: records read per hour, rolling, and an anomaly score."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_HOURS = 24  # a new principal is compared with at least a day of history


@dataclass(frozen=True, slots=True)
class Baseline:
    """Mean and spread of records read per hour over the hours observed."""

    mean: float
    std: float
    hours: int


def baseline(usage: dict[datetime, int], until: datetime) -> Baseline:
    """The baseline from hourly ``usage`` up to ``until`` (exclusive).

    Hours without reads count as zero, from the first hour with reads (or
    :data:`MIN_HOURS` back, whichever is longer).
    """
    if not usage:
        return Baseline(0.0, 0.0, 0)
    first = min(usage)
    hours = max(MIN_HOURS, math.ceil((until - first) / timedelta(hours=1)))
    total = sum(usage.values())
    mean = total / hours
    squares = sum(v * v for v in usage.values())
    variance = max(0.0, squares / hours - mean * mean)
    return Baseline(mean, math.sqrt(variance), hours)


def anomaly_score(observed: float, expected: float, spread: float) -> float:
    """How unusual ``observed`` is: standard deviations above ``expected``.

    The spread is floored by a Poisson-like ``sqrt(expected)`` and by 1, so a
    principal with a flat history does not score infinity on its first burst.
    """
    scale = max(spread, math.sqrt(max(expected, 0.0)), 1.0)
    return round((observed - expected) / scale, 2)
