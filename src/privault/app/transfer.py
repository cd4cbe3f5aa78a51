"""Bulk import and export formats: CSV and JSONL, streamed."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from privault.app.gate import RecordView
from privault.core.errors import InvalidInput

FORMATS = ("csv", "jsonl")


def detect_format(path: Path, fmt: str | None) -> str:
    """The format named, or the one the file extension implies.

    Raises:
        InvalidInput: no format could be determined.

    """
    if fmt:
        if fmt not in FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in ("csv", "tsv"):
        return "csv"
    raise InvalidInput(f"cannot tell the format of {path.name}; pass --format csv|jsonl")


def read_records(stream: TextIO, fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, record) pairs; blank JSONL lines are skipped.

    Raises:
        InvalidInput: ``line N: …`` for malformed input (never echoing values).

    """
    if fmt == "jsonl":
        yield from _read_jsonl(stream)
    else:
        yield from _read_csv(stream)


def _read_jsonl(stream: TextIO) -> Iterator[tuple[int, dict[str, Any]]]:
    for n, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"line {n}: not valid JSON ({exc.msg})", line=n) from None
        if not isinstance(doc, dict):
            raise InvalidInput(f"line {n}: expected a JSON object", line=n)
        yield n, doc


def _read_csv(stream: TextIO) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(stream)
    if not reader.fieldnames:
        raise InvalidInput("line 1: the CSV file has no header row", line=1)
    try:
        for row in reader:
            n = reader.line_num
            if None in row:
                raise InvalidInput(f"line {n}: more values than header columns", line=n)
            yield n, dict(row)
    except csv.Error as exc:
        raise InvalidInput(
            f"line {reader.line_num}: malformed CSV ({exc})", line=reader.line_num
        ) from None


def write_records(
    stream: TextIO, pages: Iterable[list[RecordView]], fmt: str, columns: list[str]
) -> int:
    """Write records (as the gate returned them); return how many."""
    count = 0
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(
            stream, fieldnames=["id", "record_type", *columns], extrasaction="ignore"
        )
        writer.writeheader()
    for page in pages:
        for rec in page:
            row = {"id": rec.id, "record_type": rec.record_type, **rec.fields}
            if writer is not None:
                writer.writerow(row)
            else:
                stream.write(json.dumps({**row, "subject_id": rec.subject_id}, default=str) + "\n")
            count += 1
    return count
