"""CSV/TSV and Parquet: read by Polars, lazily, sampled across the whole file."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import ClassVar

import polars as pl

from privault.core.errors import InvalidInput
from privault.discovery._types import Table
from privault.discovery.encoding import detect_encoding, is_binary, open_text, to_utf8
from privault.discovery.readers.base import FrameTable, dedupe, looks_like_header

__all__ = ["CsvReader", "ParquetReader"]

_DELIMITERS = ",;\t|"


def _first_row(path: Path, encoding: str, delimiter: str | None) -> tuple[list[str], str]:
    with open_text(path, encoding) as fh:
        head = fh.read(64 * 1024)
    if not head.strip():
        raise InvalidInput("empty file")
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(head.split("\n", 20)[0], _DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
    first = next(csv.reader([head.split("\n", 1)[0].rstrip("\r")], delimiter=delimiter), [])
    return first, delimiter


class CsvReader:
    """Comma-, semicolon-, tab- or pipe-separated text in UTF-8, UTF-16 or Latin-1.

    Non-UTF-8 files are transcoded into ``workdir`` chunk by chunk first, since
    Polars reads UTF-8 only. A first row that looks like data (an e-mail, a
    long number) is not taken as a header: columns are then ``col_1``….
    """

    name: ClassVar[str] = "csv"
    extensions: ClassVar[tuple[str, ...]] = (".csv", ".tsv", ".tab", ".psv")

    def tables(self, path: Path, display: str, workdir: Path) -> list[Table]:
        """Return the one table of the file."""
        if is_binary(path):
            raise InvalidInput("binary content, not delimited text")
        encoding = detect_encoding(path)
        tab = "\t" if path.suffix.lower() in (".tsv", ".tab") else None
        first, delimiter = _first_row(path, encoding, tab)
        source = path
        if encoding not in ("utf-8", "utf-8-sig"):
            fd, name = tempfile.mkstemp(suffix=".csv", dir=workdir)  # mode 0600
            os.close(fd)
            source = to_utf8(path, encoding, Path(name))
        header = looks_like_header(first)
        names = dedupe(first) if header else [f"col_{i}" for i in range(1, len(first) + 1)]

        def frame() -> pl.LazyFrame:
            return pl.scan_csv(
                source,
                separator=delimiter,
                has_header=header,
                new_columns=names,
                infer_schema=False,
                encoding="utf8-lossy",
                truncate_ragged_lines=True,
                quote_char='"',
            )

        return [FrameTable(display, frame)]


def _stringify(schema: pl.Schema) -> list[pl.Expr]:
    exprs: list[pl.Expr] = []
    for name, dtype in schema.items():
        exprs += _string_exprs(
            pl.col(name), name, dtype if isinstance(dtype, pl.DataType) else dtype()
        )
    return exprs


def _string_exprs(col: pl.Expr, name: str, dtype: pl.DataType) -> list[pl.Expr]:
    if isinstance(dtype, pl.Struct):
        out: list[pl.Expr] = []
        for f in dtype.fields:
            inner = f.dtype if isinstance(f.dtype, pl.DataType) else f.dtype()
            out += _string_exprs(col.struct.field(f.name), f"{name}.{f.name}", inner)
        return out
    if isinstance(dtype, pl.List | pl.Array):
        inner = dtype.inner
        if inner is not None and not inner.is_nested():
            return [col.cast(pl.List(pl.String)).list.join(", ").alias(name)]
        return [pl.lit(None, pl.String).alias(name)]
    if dtype == pl.Binary or dtype.is_nested():
        return [pl.lit(None, pl.String).alias(name)]
    return [col.cast(pl.String).alias(name)]


class ParquetReader:
    """Parquet files; nested struct fields become ``a.b`` columns."""

    name: ClassVar[str] = "parquet"
    extensions: ClassVar[tuple[str, ...]] = (".parquet", ".pq")

    def tables(self, path: Path, display: str, workdir: Path) -> list[Table]:
        """Return the one table of the file (its schema is read now, rows later)."""
        del workdir
        schema = pl.scan_parquet(path).collect_schema()
        exprs = _stringify(schema)

        def frame() -> pl.LazyFrame:
            return pl.scan_parquet(path).select(exprs)

        return [FrameTable(display, frame)]
