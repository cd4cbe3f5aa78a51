"""Value types of discovery: options, tables to read, and the results of a scan.

Results carry names, counts, types and masked examples only, never a raw value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "ColumnResult",
    "DatasetResult",
    "ProgressFn",
    "ScanIssue",
    "ScanOptions",
    "ScanResult",
    "Table",
]

#: ``progress(label, done, total)``: called as tables are read; ``total`` may be None.
ProgressFn = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How a scan reads and classifies.

    Attributes:
        full: read every row (exact counts) instead of a sample.
        sample_size: rows drawn uniformly across each table in sample mode.
        batch_rows: rows per batch in full mode.
        include: glob patterns a file in a directory must match (any of them).
        exclude: glob patterns that skip a file in a directory.
        seed: seed of the sampler, so a rescan draws the same rows.
        s3_endpoint_url: endpoint of an S3-compatible store (None = AWS default).
        freeform_values: text values per column given to the text analyzer.

    """

    full: bool = False
    sample_size: int = 10_000
    batch_rows: int = 250_000
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    seed: int = 20_26
    s3_endpoint_url: str | None = None
    freeform_values: int = 200


class Table(Protocol):
    """One table-like thing a reader found: a CSV file, a sheet, a SQL table, a document.

    Implementer's checklist:

    * ``name`` is the display path (relative to the scanned root, '/'-separated,
      ``FILE::TABLE`` inside a file, ``URL::SCHEMA.TABLE`` for a database URL);
    * ``sample`` draws rows uniformly across the whole table, never only its head,
      and never holds more than about ``size`` rows in memory;
    * ``batches`` streams every row in bounded batches;
    * both return String columns (None for nulls); nested keys flattened with '.';
    * raise :class:`~privault.core.errors.InvalidInput` (or let an ``OSError``
      / parser error escape) for unreadable content: the scanner records it
      as an issue and goes on. Messages never quote content.
    """

    @property
    def name(self) -> str:
        """Display path of the table."""
        ...

    @property
    def document(self) -> bool:
        """True for free text (documents, logs): one ``text`` column of lines."""
        ...

    def sample(self, size: int, seed: int) -> tuple[pl.DataFrame, int]:
        """Return up to ``size`` rows drawn across the table, and the table's row count."""
        ...

    def batches(self, rows: int) -> Iterator[pl.DataFrame]:
        """Yield every row in batches of about ``rows``."""
        ...


@dataclass(frozen=True, slots=True)
class ColumnResult:
    """What one column holds.

    Attributes:
        name: column name (nested keys joined with '.').
        pii_type: the entity type, or None when the column holds no PII of one type.
        confidence: confidence in ``pii_type`` (0 when None).
        match_ratio: share of non-null values that matched ``pii_type``.
        freeform_pii: entity types found inside free-text values.
        non_null: non-null values seen.
        rows: values seen (sampled rows, or all rows in full mode).
        examples: at most three masked examples (never a raw value).
        reasons: short phrases explaining the decision.

    """

    name: str
    pii_type: str | None
    confidence: float
    match_ratio: float
    freeform_pii: tuple[str, ...] = ()
    non_null: int = 0
    rows: int = 0
    examples: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def pii_types(self) -> frozenset[str]:
        """Every PII type in the column: its own type and those in its free text."""
        own = {self.pii_type} if self.pii_type else set()
        return frozenset(own | set(self.freeform_pii))


@dataclass(frozen=True, slots=True)
class DatasetResult:
    """One classified table.

    Attributes:
        source: the scanned target (path or URL without password).
        name: display path of the table (see :class:`Table`).
        category: master, transactional, reference or freeform.
        reasons: why that category.
        sensitivity: none, low, medium or high (the most sensitive column).
        row_count: rows in the table.
        columns: one result per column, in table order.
        full: whether every row was read.

    """

    source: str
    name: str
    category: str
    reasons: tuple[str, ...]
    sensitivity: str
    row_count: int
    columns: tuple[ColumnResult, ...]
    full: bool = False

    @property
    def pii_types(self) -> frozenset[str]:
        """Every PII type found in the table."""
        return frozenset().union(*(c.pii_types for c in self.columns))


@dataclass(frozen=True, slots=True)
class ScanIssue:
    """An input that could not be read; the scan went on without it.

    Attributes:
        target: display path of the input.
        reason: short reason, never quoting content.

    """

    target: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything one scan found (before it is stored)."""

    datasets: tuple[DatasetResult, ...] = ()
    issues: tuple[ScanIssue, ...] = ()
    skipped: int = 0
    sources: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def pii_columns(self) -> int:
        """Columns holding PII of one type or in their free text."""
        return sum(bool(c.pii_types) for d in self.datasets for c in d.columns)
