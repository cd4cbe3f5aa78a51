"""File readers, one per format, in a registry keyed by name; extensions pick the reader."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from privault.core.registry import Registry
from privault.discovery._types import Table
from privault.discovery.readers.base import Reader
from privault.discovery.readers.documents import DocxReader, PdfReader, TextReader
from privault.discovery.readers.records import ExcelReader, JsonLinesReader, JsonReader
from privault.discovery.readers.tabular import CsvReader, ParquetReader

__all__ = ["READERS", "Reader", "SqliteFileReader", "is_sqlite", "reader_for"]

_SQLITE_MAGIC = b"SQLite format 3\x00"


def is_sqlite(path: Path) -> bool:
    """True when ``path`` is an SQLite database file (by its header, not its name)."""
    try:
        with path.open("rb") as fh:
            return fh.read(16) == _SQLITE_MAGIC
    except OSError:
        return False


class SqliteFileReader:
    """SQLite database files: one table per database table, ``FILE::TABLE``."""

    name: ClassVar[str] = "sqlite"
    extensions: ClassVar[tuple[str, ...]] = (".db", ".sqlite", ".sqlite3")

    def tables(self, path: Path, display: str, workdir: Path) -> list[Table]:
        """Return every table of the database (opened read-only)."""
        del workdir
        from privault.discovery.sql import SqlTable, connect, list_tables

        engine = connect(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
        return [SqlTable(f"{display}::{t}", engine, s, t) for s, t in list_tables(engine)]


READERS: Registry[Reader] = Registry("file reader")
for _reader in (
    CsvReader(),
    JsonReader(),
    JsonLinesReader(),
    ParquetReader(),
    ExcelReader(),
    TextReader(),
    DocxReader(),
    PdfReader(),
    SqliteFileReader(),
):
    READERS.register(_reader.name, _reader)


def reader_for(path: Path) -> Reader | None:
    """The reader for ``path``: SQLite by header, others by extension; None if unknown."""
    if is_sqlite(path):
        return READERS.get("sqlite")
    suffix = path.suffix.lower()
    for name in READERS:
        reader = READERS.get(name)
        if suffix in reader.extensions and name != "sqlite":
            return reader
    return None
