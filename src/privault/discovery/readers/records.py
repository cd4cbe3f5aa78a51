"""JSON, JSON Lines and Excel workbooks: streams of rows, nested keys flattened with '.'."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from privault.core.errors import InvalidInput
from privault.discovery._types import Table
from privault.discovery.encoding import is_binary, open_text
from privault.discovery.readers.base import RowTable, dedupe, flatten, looks_like_header, text_of

__all__ = ["ExcelReader", "JsonLinesReader", "JsonReader", "iter_json_array"]

_CHUNK = 1 << 20
_WHITESPACE = " \t\r\n,"


def _rows_of(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        yield flatten(value)
    elif value is not None:
        yield {"value": value}


def iter_json_array(path: Path) -> Iterator[Any]:
    """Yield the items of a top-level JSON array one by one (chunked reads).

    A top-level object is yielded whole, or, when exactly one of its keys
    holds a list of objects (``{"customers": [...]}``), that list's items.

    Raises:
        InvalidInput: when the file is not JSON (the message quotes nothing).

    """
    decoder = json.JSONDecoder()
    with open_text(path) as fh:
        buf = fh.read(_CHUNK).lstrip("\ufeff")
        pos = len(buf) - len(buf.lstrip())
        if buf[pos : pos + 1] != "[":
            yield from _whole(decoder, buf + fh.read())
            return
        pos += 1
        while True:
            while pos < len(buf) and buf[pos] in _WHITESPACE:
                pos += 1
            if pos >= len(buf):
                more = fh.read(_CHUNK)
                if not more:
                    raise InvalidInput("truncated JSON array")
                buf, pos = buf[pos:] + more, 0
                continue
            if buf[pos] == "]":
                return
            try:
                item, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError:
                more = fh.read(_CHUNK)
                if not more:
                    raise InvalidInput("malformed JSON") from None
                buf, pos = buf[pos:] + more, 0
                continue
            yield item
            pos = end


def _whole(decoder: json.JSONDecoder, text: str) -> Iterator[Any]:
    try:
        value, _ = decoder.raw_decode(text.strip())
    except json.JSONDecodeError:
        raise InvalidInput("malformed JSON") from None
    if isinstance(value, Mapping):
        lists = [v for v in value.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(lists) == 1:
            yield from lists[0]
            return
    yield value


class JsonReader:
    """A JSON file: an array of objects (streamed), or one object."""

    name: ClassVar[str] = "json"
    extensions: ClassVar[tuple[str, ...]] = (".json",)

    def tables(self, path: Path, display: str, workdir: Path) -> list[Table]:
        """Return the one table of the file."""
        del workdir
        if is_binary(path):
            raise InvalidInput("binary content, not JSON")

        def rows() -> Iterator[Mapping[str, Any]]:
            for item in iter_json_array(path):
                yield from _rows_of(item)

        return [RowTable(display, rows)]


class JsonLinesReader:
    """JSON Lines: one object per line; lines that are not JSON are skipped."""

    name: ClassVar[str] = "jsonl"
    extensions: ClassVar[tuple[str, ...]] = (".jsonl", ".ndjson")

    def tables(self, path: Path, display: str, workdir: Path) -> list[Table]:
        """Return the one table of the file."""
        del workdir
        if is_binary(path):
            raise InvalidInput("binary content, not JSON lines")

        def rows() -> Iterator[Mapping[str, Any]]:
            good = bad = 0
            with open_text(path) as fh:
                for line in fh:
                    if not line.strip():
                        continue
                    try:
                        item = json.loads(line)
                    except json.JSONDecodeError:
                        bad += 1
                        continue
                    good += 1
                    yield from _rows_of(item)
            if bad and not good:
                raise InvalidInput("no line is JSON")

        return [RowTable(display, rows)]


class ExcelReader:
    """Excel workbooks (xlsx): one table per sheet, ``FILE::SHEET``, read-only streaming."""

    name: ClassVar[str] = "xlsx"
    extensions: ClassVar[tuple[str, ...]] = (".xlsx", ".xlsm")

    def tables(self, path: Path, display: str, workdir: Path) -> list[Table]:
        """Return one table per worksheet."""
        del workdir
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = list(book.sheetnames)
        finally:
            book.close()
        return [RowTable(f"{display}::{s}", _sheet_rows(path, s)) for s in sheets]


def _sheet_rows(path: Path, sheet: str) -> Any:
    def rows() -> Iterator[Mapping[str, Any]]:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            values = book[sheet].iter_rows(values_only=True)
            first = next((r for r in values if any(c is not None for c in r)), None)
            if first is None:
                return
            cells = [text_of(c) for c in first]
            header = looks_like_header(cells)
            names = dedupe(cells) if header else [f"col_{i}" for i in range(1, len(cells) + 1)]
            if not header:
                yield dict(zip(names, first, strict=False))
            for r in values:
                if any(c is not None for c in r):
                    yield dict(zip(names, r, strict=False))
        finally:
            book.close()

    return rows
