"""What readers share: the Reader contract and three ready-made :class:`Table` kinds.

* :class:`FrameTable` wraps a Polars ``LazyFrame`` (CSV, Parquet): it counts
  rows, then reads only the sampled row indices, in Polars' streaming engine.
* :class:`RowTable` wraps a stream of row dicts (JSON, JSONL, Excel, SQL): one
  pass through a reservoir sampler; full mode chunks the stream.
* :class:`DocumentTable` is a RowTable of text lines with one ``text`` column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar, Protocol

import polars as pl

from privault.discovery._types import Table
from privault.discovery.sampling import Reservoir, sample_indices

__all__ = [
    "DocumentTable",
    "FrameTable",
    "Reader",
    "RowTable",
    "dedupe",
    "flatten",
    "frame_of",
    "looks_like_header",
    "text_of",
]

_ROW = "__pv_row__"
_LINE_MAX = 2_000
_VALUE_LIKE = re.compile(r"@|://|\d{4,}|^\d+([.,]\d+)?$|^\+?\d[\d ()./-]{6,}$")


class Reader(Protocol):
    """Turns one file into tables.

    Implementer's checklist:

    * class-level ``name`` and ``extensions`` (lower case, with the dot);
    * ``tables(path, display, workdir)`` is cheap: open lazily, read in
      ``sample`` and ``batches`` of the returned tables, never the whole file
      at once; scratch files (a transcoded copy) go in ``workdir``;
    * raise on unreadable content; never put file content in a message.
    """

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]

    def tables(self, path: Path, display: str, workdir: Path) -> list[Table]:
        """Return the tables in ``path``; ``display`` is its path relative to the scan root."""
        ...


def text_of(value: Any) -> str | None:
    """Return the text form of one cell (None for nulls and binary values)."""
    if value is None or isinstance(value, bytes | bytearray | memoryview):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float | Decimal | date | datetime | time):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested objects into ``a.b.c`` keys; lists of scalars become one text."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            merged: dict[str, list[str]] = {}
            for item in value:
                for k, v in flatten(item, f"{name}.").items():
                    if (t := text_of(v)) is not None:
                        merged.setdefault(k, []).append(t)
            out.update({k: ", ".join(v) for k, v in merged.items()})
        elif isinstance(value, list):
            out[name] = ", ".join(t for v in value if (t := text_of(v)) is not None)
        else:
            out[name] = value
    return out


def dedupe(names: Iterable[str | None]) -> list[str]:
    """Column names made unique and non-empty (``col_3``, ``email_2``)."""
    out: list[str] = []
    for i, raw in enumerate(names, 1):
        name = (raw or "").strip() or f"col_{i}"
        base, n = name, 1
        while name in out:
            n += 1
            name = f"{base}_{n}"
        out.append(name)
    return out


def looks_like_header(cells: Sequence[str | None]) -> bool:
    """True when a first row reads like column names, not data.

    A header guessed wrong would put a value (an e-mail) in the data map as a
    column name, so any value-like cell makes the row data.
    """
    filled = [c.strip() for c in cells if c and c.strip()]
    if not filled or len(set(filled)) != len(filled):
        return False
    return not any(_VALUE_LIKE.search(c) or len(c) > 64 for c in filled)


def frame_of(columns: list[str], rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """Build a String DataFrame of ``rows`` (dicts) over ``columns``."""
    rows = list(rows)
    data = {c: [text_of(r.get(c)) for r in rows] for c in columns}
    return pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String))


@dataclass(frozen=True, slots=True)
class FrameTable:
    """A table read through a Polars LazyFrame of String columns."""

    name: str
    open: Callable[[], pl.LazyFrame]
    document: bool = False

    def sample(self, size: int, seed: int) -> tuple[pl.DataFrame, int]:
        """Count the rows, then read only ``size`` uniformly drawn ones."""
        frame = self.open()
        total = int(frame.select(pl.len()).collect().item())
        picks = pl.Series(sample_indices(total, size, seed), dtype=pl.UInt32)
        chosen = (
            frame.with_row_index(_ROW)
            .filter(pl.col(_ROW).is_in(picks.implode()))
            .drop(_ROW)
            .collect(engine="streaming")
        )
        return chosen, total

    def batches(self, rows: int) -> Iterator[pl.DataFrame]:
        """Stream every row in batches of about ``rows``."""
        yield from self.open().collect_batches(chunk_size=rows)


@dataclass(frozen=True, slots=True)
class RowTable:
    """A table read from a stream of row dicts (keys are column names)."""

    name: str
    rows: Callable[[], Iterator[Mapping[str, Any]]]
    document: bool = False

    def sample(self, size: int, seed: int) -> tuple[pl.DataFrame, int]:
        """One pass through a reservoir sampler; columns in order of first appearance."""
        keep: Reservoir[Mapping[str, Any]] = Reservoir(size, seed)
        columns: dict[str, None] = {}
        for row in self.rows():
            columns.update(dict.fromkeys(row))
            keep.add(row)
        return frame_of(list(columns), keep.items), keep.seen

    def batches(self, rows: int) -> Iterator[pl.DataFrame]:
        """Chunk the stream into DataFrames of ``rows`` rows."""
        stream = self.rows()
        while chunk := list(islice(stream, rows)):
            columns: dict[str, None] = {}
            for row in chunk:
                columns.update(dict.fromkeys(row))
            yield frame_of(list(columns), chunk)


def DocumentTable(name: str, lines: Callable[[], Iterator[str]]) -> RowTable:
    """A free-text table: one ``text`` column, one row per non-empty line (long lines cut)."""

    def rows() -> Iterator[Mapping[str, Any]]:
        for line in lines():
            text = line.strip()
            for start in range(0, len(text), _LINE_MAX):
                yield {"text": text[start : start + _LINE_MAX]}

    return RowTable(name, rows, document=True)
