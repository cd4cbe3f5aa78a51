"""Staff training records: imported from CSV (name, course, completed_on)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, timedelta

from privault.compliance.facts import TrainingRecord
from privault.core.errors import InvalidInput

COLUMNS = ("name", "course", "completed_on")


def parse_training_csv(text: str) -> tuple[TrainingRecord, ...]:
    """Training records from CSV text with a ``name,course,completed_on`` header.

    Raises:
        InvalidInput: a missing column or a bad date (naming the line only).

    """
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not set(COLUMNS) <= set(reader.fieldnames):
        raise InvalidInput(f"training CSV needs the columns {', '.join(COLUMNS)}")
    out = []
    for line, row in enumerate(reader, start=2):
        name, course = (row["name"] or "").strip(), (row["course"] or "").strip()
        try:
            done = date.fromisoformat((row["completed_on"] or "").strip())
        except ValueError:
            raise InvalidInput(f"training CSV line {line}: completed_on is not a date") from None
        if not name or not course:
            raise InvalidInput(f"training CSV line {line}: name and course are required")
        out.append(TrainingRecord(name, course, done))
    return tuple(out)


def stale_staff(
    records: Iterable[TrainingRecord], staff: Iterable[str], today: date, valid_days: int
) -> list[str]:
    """Staff (listed, or seen in the records) whose latest training is missing or too old."""
    latest: dict[str, date] = {}
    for r in records:
        latest[r.name] = max(latest.get(r.name, r.completed_on), r.completed_on)
    people = set(staff) | set(latest)
    cutoff = today - timedelta(days=valid_days)
    return sorted(p for p in people if latest.get(p) is None or latest[p] < cutoff)
