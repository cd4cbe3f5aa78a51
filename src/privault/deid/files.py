"""Table files in and out, in batches: CSV, JSONL, Parquet and XLSX.

* CSV is read with every column as text, so leading zeros, phone formats
  and card spacing survive the copy unchanged where no rule touches them.
* CSV, JSONL and Parquet are streamed (Polars lazy scans, one batch at a
  time; Parquet written row group by row group with pyarrow).
* XLSX has no streaming reader or appending writer: a sheet (at most
  ~1M rows) is read whole and written once at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

import polars as pl

from privault.core.errors import InvalidInput

__all__ = [
    "FORMATS",
    "FileFormat",
    "TableWriter",
    "count_rows",
    "format_of",
    "read_batches",
    "read_schema",
]

FileFormat = Literal["csv", "jsonl", "parquet", "xlsx"]
FORMATS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
}


def format_of(path: Path, given: str | None = None) -> FileFormat:
    """The format of ``path``: ``given`` if set, else from its extension.

    Raises:
        InvalidInput: an unknown format, listing the supported ones.

    """
    name = given or path.suffix.lower()
    fmt = FORMATS.get(name if name.startswith(".") else f".{name}")
    if fmt is None:
        raise InvalidInput(
            f"{path.name}: unsupported table format; use {', '.join(sorted(set(FORMATS.values())))}"
        )
    return fmt


def _lazy(path: Path, fmt: FileFormat) -> pl.LazyFrame:
    if fmt == "csv":
        return pl.scan_csv(path, infer_schema=False)
    if fmt == "jsonl":
        return pl.scan_ndjson(path, infer_schema_length=10_000)
    if fmt == "parquet":
        return pl.scan_parquet(path)
    return pl.read_excel(path, engine="calamine", infer_schema_length=0).lazy()


def read_schema(path: Path, fmt: FileFormat) -> dict[str, pl.DataType]:
    """Column names and types of a table file, read without loading the rows.

    Raises:
        InvalidInput: the file cannot be read as ``fmt`` (no value is quoted).

    """
    try:
        return dict(_lazy(path, fmt).collect_schema())
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InvalidInput(f"{path.name}: cannot read as {fmt} ({type(exc).__name__})") from None


def count_rows(path: Path, fmt: FileFormat) -> int | None:
    """Rows in a table file (a fast scan), or None when unknown."""
    if fmt == "xlsx":
        return None
    try:
        return int(_lazy(path, fmt).select(pl.len()).collect().item())
    except (OSError, pl.exceptions.PolarsError):
        return None


def read_batches(
    path: Path, fmt: FileFormat, batch_rows: int = 50_000, columns: list[str] | None = None
) -> Iterator[pl.DataFrame]:
    """Yield the rows of a table file in batches of about ``batch_rows``.

    Raises:
        InvalidInput: the file cannot be read as ``fmt``.

    """
    lazy = _lazy(path, fmt)
    if columns is not None:
        lazy = lazy.select(columns)
    try:
        yield from lazy.collect_batches(chunk_size=batch_rows)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InvalidInput(f"{path.name}: cannot read as {fmt} ({type(exc).__name__})") from None


class TableWriter:
    """Writes batches to one table file; :meth:`close` finishes it.

    Args:
        path: the file to create (overwritten).
        fmt: its format.

    """

    def __init__(self, path: Path, fmt: FileFormat) -> None:
        self.path = path
        self.fmt = fmt
        self._fh: IO[bytes] | None = None
        self._parquet: object | None = None
        self._schema: pl.Schema | None = None
        self._held: list[pl.DataFrame] = []
        if fmt in ("csv", "jsonl"):
            self._fh = path.open("wb")

    def write(self, frame: pl.DataFrame) -> None:
        """Append one batch (columns and types fixed by the first batch)."""
        if self._schema is None:
            self._schema = frame.schema
        else:
            frame = frame.cast(dict(self._schema), strict=False)  # type: ignore[arg-type]
        if self.fmt == "csv":
            assert self._fh is not None  # opened in __init__
            frame.write_csv(self._fh, include_header=self._fh.tell() == 0)
        elif self.fmt == "jsonl":
            assert self._fh is not None  # opened in __init__
            frame.write_ndjson(self._fh)
        elif self.fmt == "parquet":
            self._write_parquet(frame)
        else:
            self._held.append(frame)

    def _write_parquet(self, frame: pl.DataFrame) -> None:
        import pyarrow.parquet as pq

        table = frame.to_arrow()
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.path, table.schema)
        writer: pq.ParquetWriter = self._parquet
        writer.write_table(table.cast(writer.schema))

    def close(self) -> None:
        """Finish the file (writes the XLSX sheet, the Parquet footer)."""
        if self._fh is not None:
            self._fh.close()
        if self._parquet is not None:
            self._parquet.close()  # type: ignore[attr-defined]
        if self.fmt == "xlsx":
            frame = pl.concat(self._held) if self._held else pl.DataFrame(self._schema or {})
            frame.write_excel(self.path, autofit=False)
        if self.fmt == "parquet" and self._parquet is None:
            pl.DataFrame(self._schema or {}).write_parquet(self.path)

    def abort(self) -> None:
        """Close and delete the partial file."""
        if self._fh is not None:
            self._fh.close()
        if self._parquet is not None:
            self._parquet.close()  # type: ignore[attr-defined]
        self.path.unlink(missing_ok=True)
