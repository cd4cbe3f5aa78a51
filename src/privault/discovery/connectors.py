"""Connectors: turn a scan target (path, database URL, bucket) into entries to read.

A connector checks its target up front (:meth:`Connector.plan` raises on a
missing path, a bad URL or refused credentials, so the caller can stop with
a clear error before any work), then lists its entries: files, database
tables, objects. Each entry opens into :class:`~privault.discovery.Table` objects
lazily, so one corrupt file is recorded and the scan goes on.

Implementer's checklist for a new connector (one class plus one line in
:data:`CONNECTORS`):

* class-level ``name``; ``accepts(target)`` answers from the target's text only;
* ``plan(target, options)`` validates and lists entries; errors are
  :class:`~privault.core.errors.InvalidInput` or ``NotFound`` without secrets;
* ``Plan.source`` is the target as shown to users: never with a password.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from sqlalchemy import Engine

from privault.core.errors import NotFound
from privault.core.registry import Registry
from privault.discovery._types import ScanOptions, Table
from privault.discovery.s3 import S3Connector
from privault.discovery.sql import SqlTable, connect, list_tables, safe_url
from privault.discovery.targets import Connector, Entry, Plan, file_entry, wanted

__all__ = ["CONNECTORS", "plan_target"]


class FileConnector:
    """One file; its table is named after the file."""

    name: ClassVar[str] = "file"

    def accepts(self, target: str) -> bool:
        """Any existing file."""
        return Path(target).is_file()

    def plan(self, target: str, options: ScanOptions) -> Plan:
        """One entry, or none when the format is unknown (counted as skipped)."""
        del options
        path = Path(target)
        entry = file_entry(path, path.name)
        return Plan(str(path), self.name, [entry] if entry else [], skipped=0 if entry else 1)


class DirectoryConnector:
    """A directory walked recursively (hidden directories skipped), filtered by globs."""

    name: ClassVar[str] = "directory"

    def accepts(self, target: str) -> bool:
        """Any existing directory."""
        return Path(target).is_dir()

    def plan(self, target: str, options: ScanOptions) -> Plan:
        """One entry per readable file under ``target``, in path order."""
        root = Path(target)
        entries: list[Entry] = []
        skipped = 0
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for filename in sorted(filenames):
                path = Path(dirpath) / filename
                rel = path.relative_to(root).as_posix()
                if not wanted(rel, options):
                    continue
                entry = file_entry(path, rel)
                skipped += entry is None
                entries += [entry] if entry else []
        return Plan(str(root), self.name, entries, skipped)


class SqlConnector:
    """A database by SQLAlchemy URL: every table of every schema, ``URL::SCHEMA.TABLE``."""

    name: ClassVar[str] = "sql"

    def accepts(self, target: str) -> bool:
        """Targets with a URL scheme (other than s3://)."""
        return "://" in target or target.startswith("sqlite:")

    def plan(self, target: str, options: ScanOptions) -> Plan:
        """Connect (raising InvalidInput on failure) and list the tables."""
        del options
        engine = connect(target)
        shown = safe_url(target)
        entries = []
        for schema, table in list_tables(engine):
            label = f"{shown}::{schema or 'main'}.{table}"
            entries.append(Entry(label, _sql_opener(label, engine, schema, table)))
        return Plan(shown, self.name, entries, close=engine.dispose)


def _sql_opener(
    label: str, engine: Engine, schema: str | None, table: str
) -> Callable[[Path], list[Table]]:
    return lambda _work: [SqlTable(label, engine, schema, table)]


CONNECTORS: Registry[Connector] = Registry("connector")


def plan_target(target: str, options: ScanOptions) -> Plan:
    """Plan ``target`` with the first connector that accepts it.

    Raises:
        NotFound: no connector accepts it (a path that does not exist).
        InvalidInput: the connector rejected it (bad URL, refused credentials).

    """
    for name in _ORDER:
        connector = CONNECTORS.get(name)
        if connector.accepts(target):
            return connector.plan(target, options)
    shown = safe_url(target) if "://" in target else target
    raise NotFound(f"no such file, directory, database or bucket: {shown}")


#: Connectors are tried in this order: the first that accepts a target plans it.
_ORDER = ("s3", "sql", "directory", "file")
for _connector in (S3Connector(), SqlConnector(), DirectoryConnector(), FileConnector()):
    CONNECTORS.register(_connector.name, _connector)
