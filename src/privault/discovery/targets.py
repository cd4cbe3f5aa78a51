"""What connectors produce: plans of entries, and the helpers they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import ClassVar, Protocol

from privault.discovery._types import ScanOptions, Table
from privault.discovery.readers import reader_for

__all__ = ["Connector", "Entry", "Plan", "file_entry", "wanted"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing to read: a file, a table, an object.

    Attributes:
        name: display path (relative to the scanned root).
        open: returns the entry's tables; may write scratch files in the workdir.
        close: releases what ``open`` made (a downloaded object).

    """

    name: str
    open: Callable[[Path], list[Table]]
    close: Callable[[], None] | None = None


@dataclass(slots=True)
class Plan:
    """A checked target and its entries."""

    source: str
    kind: str
    entries: list[Entry]
    skipped: int = 0
    close: Callable[[], None] | None = field(default=None)


class Connector(Protocol):
    """Lists the entries of one kind of target (see the module docstring)."""

    name: ClassVar[str]

    def accepts(self, target: str) -> bool:
        """True when this connector reads ``target``."""
        ...

    def plan(self, target: str, options: ScanOptions) -> Plan:
        """Check ``target`` and list its entries."""
        ...


def wanted(rel: str, options: ScanOptions) -> bool:
    """Whether a file at ``rel`` (posix, relative) passes the include/exclude globs."""
    name = PurePosixPath(rel).name

    def hit(patterns: tuple[str, ...]) -> bool:
        return any(fnmatch(rel, p) or fnmatch(name, p) for p in patterns)

    return (not options.include or hit(options.include)) and not hit(options.exclude)


def file_entry(path: Path, display: str) -> Entry | None:
    """An entry for one file, or None when no reader handles it."""
    reader = reader_for(path)
    if reader is None:
        return None
    return Entry(display, lambda work: reader.tables(path, display, work))
