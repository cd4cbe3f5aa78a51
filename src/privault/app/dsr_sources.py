"""Erasure in connected SQL sources that discovery mapped.

An operator maps, per discovered dataset, the column that holds the vault's
subject id (``privault dsr map``). An erasure then runs one ``DELETE … WHERE
column = :subject`` per mapping, each in its own transaction, and reports a
result per source: a source that cannot be reached does not stop the others,
and the request stays in progress until every source succeeded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import MetaData, Table, delete
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

from privault.core.errors import InvalidInput
from privault.discovery.repository import MapDataset
from privault.discovery.sql import connect
from privault.lifecycle.dsr_repository import ErasureMapping


@dataclass(frozen=True, slots=True)
class SourceResult:
    """What an erasure did in one mapped dataset (never a value)."""

    source: str
    dataset: str
    column: str
    status: str  # deleted | failed
    rows: int
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def table_of(dataset: str) -> tuple[str | None, str]:
    """(schema, table) of a dataset name ``<source>::<schema>.<table>`` or ``<schema>.<table>``."""
    name = dataset.rsplit("::", 1)[-1]
    schema, _, table = name.rpartition(".")
    return schema or None, table


def check_mapping(
    data_map: Sequence[MapDataset], source: str, dataset: str, column: str
) -> MapDataset:
    """The discovered dataset a mapping names.

    Raises:
        InvalidInput: the source, dataset or column is not in the tenant's data map.

    """
    for d in data_map:
        short = d.name.rsplit("::", 1)[-1]
        if d.source == source and dataset in (d.name, short):
            if column not in {c.name for c in d.columns}:
                raise InvalidInput(f"dataset {short!r} has no column {column!r} in the data map")
            return d
    raise InvalidInput("no such SQL dataset in the tenant's data map (run 'privault scan' first)")


def erase(
    mappings: Sequence[ErasureMapping], subject_id: str, connections: Mapping[str, str]
) -> list[SourceResult]:
    """Delete the subject's rows in every mapped dataset; one result per mapping.

    ``connections`` maps a source locator (as discovery shows it, without a
    password) to the URL to connect with (with its password), when they differ.
    """
    return [_erase_one(m, subject_id, connections.get(m.source, m.source)) for m in mappings]


def _erase_one(mapping: ErasureMapping, subject_id: str, url: str) -> SourceResult:
    schema, name = table_of(mapping.dataset)

    def failed(reason: str) -> SourceResult:
        return SourceResult(
            mapping.source, mapping.dataset, mapping.subject_column, "failed", 0, reason
        )

    try:
        engine = connect(url)
    except InvalidInput as exc:
        return failed(exc.message)
    try:
        table = Table(name, MetaData(), schema=schema, autoload_with=engine)
        column = table.c[mapping.subject_column]
        with engine.begin() as conn:
            rows = conn.execute(delete(table).where(column == subject_id)).rowcount or 0
    except NoSuchTableError:
        return failed("the table no longer exists")
    except KeyError:
        return failed("the subject column no longer exists")
    except SQLAlchemyError as exc:  # never the message: it can quote the statement's values
        return failed(f"the database refused the delete ({type(exc).__name__})")
    finally:
        engine.dispose()
    return SourceResult(mapping.source, mapping.dataset, mapping.subject_column, "deleted", rows)
