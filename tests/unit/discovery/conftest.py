"""Helpers for discovery unit tests: classify columns held in memory."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl
import pytest

from privault.discovery import DatasetResult, ScanOptions, scan_table
from privault.discovery.readers.base import FrameTable


def table_of(columns: dict[str, Sequence[str | None]], name: str = "t.csv") -> DatasetResult:
    frame = pl.DataFrame(
        {k: list(v) for k, v in columns.items()}, schema=dict.fromkeys(columns, pl.String)
    )
    return scan_table(FrameTable(name, frame.lazy), "mem", ScanOptions())


@pytest.fixture
def classify() -> Callable[[str, Sequence[str | None]], tuple[str | None, tuple[str, ...]]]:
    def run(name: str, values: Sequence[str | None]) -> tuple[str | None, tuple[str, ...]]:
        col = table_of({name: values}).columns[0]
        return col.pii_type, col.freeform_pii

    return run
