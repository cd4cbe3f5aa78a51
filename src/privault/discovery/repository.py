"""SQL over the data map. Functions take a connection; none commits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from privault.core.ids import new_id
from privault.discovery._types import ColumnResult, DatasetResult
from privault.discovery.category import sensitivity
from privault.discovery.diff import Change, StoredColumn, StoredDataset, diff_dataset
from privault.discovery.tables import columns, datasets, scans, sources

__all__ = [
    "MapColumn",
    "MapDataset",
    "ScanRecord",
    "add_scan",
    "data_map",
    "record_dataset",
    "stored_datasets",
    "upsert_source",
]


@dataclass(frozen=True, slots=True)
class MapColumn:
    """A column of the data map."""

    name: str
    pii_type: str | None
    confidence: float
    match_ratio: float
    freeform_pii: tuple[str, ...]
    sensitivity: str
    examples: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class MapDataset:
    """A dataset of the data map, with its source and columns."""

    source: str
    name: str
    category: str
    sensitivity: str
    row_count: int
    reasons: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    columns: tuple[MapColumn, ...]


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """One scan run for a tenant (counts only)."""

    id: str
    tenant_id: str
    actor: str
    started_at: datetime
    finished_at: datetime
    mode: str
    datasets: int
    pii_columns: int
    issues: int
    changes: int


def upsert_source(conn: Connection, tenant_id: str, locator: str, kind: str, now: datetime) -> str:
    """Return the id of the source, creating it or touching its ``last_seen``."""
    row = conn.execute(
        select(sources.c.id).where(sources.c.tenant_id == tenant_id, sources.c.locator == locator)
    ).first()
    if row is not None:
        conn.execute(update(sources).where(sources.c.id == row[0]).values(last_seen=now))
        return str(row[0])
    sid = new_id("src")
    conn.execute(
        insert(sources).values(
            id=sid, tenant_id=tenant_id, locator=locator, kind=kind, first_seen=now, last_seen=now
        )
    )
    return sid


def stored_datasets(conn: Connection, source_id: str) -> dict[str, StoredDataset]:
    """The datasets recorded for a source, by name, with their columns."""
    found: dict[str, StoredDataset] = {}
    for d in conn.execute(select(datasets).where(datasets.c.source_id == source_id)):
        found[d.name] = StoredDataset(d.id, d.name, d.category, d.sensitivity, {})
    by_id = {d.id: d for d in found.values()}
    if by_id:
        rows = conn.execute(
            select(
                columns.c.dataset_id, columns.c.name, columns.c.pii_type, columns.c.freeform_pii
            ).where(columns.c.dataset_id.in_(list(by_id)))
        )
        for dsid, name, pii, free in rows:
            by_id[dsid].columns[name] = StoredColumn(name, pii, _split(free))
    return found


def _split(text: str) -> tuple[str, ...]:
    return tuple(t for t in text.split(",") if t)


def _column_row(dsid: str, pos: int, col: ColumnResult, now: datetime) -> dict[str, Any]:
    return {
        "dataset_id": dsid,
        "name": col.name[:300],
        "position": pos,
        "pii_type": col.pii_type,
        "confidence": col.confidence,
        "match_ratio": col.match_ratio,
        "freeform_pii": ",".join(col.freeform_pii),
        "sensitivity": sensitivity(col.pii_types),
        "non_null": col.non_null,
        "examined": col.rows,
        "examples": json.dumps(list(col.examples)),
        "first_seen": now,
        "last_seen": now,
    }


def record_dataset(
    conn: Connection,
    *,
    tenant_id: str,
    source_id: str,
    old: StoredDataset | None,
    result: DatasetResult,
    now: datetime,
) -> list[Change]:
    """Write one scanned dataset (insert or update) and return what changed."""
    changes = diff_dataset(old, result)
    values = {
        "category": result.category,
        "sensitivity": result.sensitivity,
        "row_count": result.row_count,
        "reasons": json.dumps(list(result.reasons)),
        "last_seen": now,
    }
    if old is None:
        dsid = new_id("dst")
        conn.execute(
            insert(datasets).values(
                id=dsid,
                source_id=source_id,
                tenant_id=tenant_id,
                name=result.name,
                first_seen=now,
                **values,
            )
        )
        first: dict[str, datetime] = {}
    else:
        dsid = old.id
        conn.execute(update(datasets).where(datasets.c.id == dsid).values(**values))
        first = _first_seen(conn, dsid)
        conn.execute(delete(columns).where(columns.c.dataset_id == dsid))
    rows = [_column_row(dsid, i, c, now) for i, c in enumerate(result.columns)]
    for row in rows:
        row["first_seen"] = first.get(row["name"], now)
    if rows:
        conn.execute(insert(columns), rows)
    return changes


def _first_seen(conn: Connection, dsid: str) -> dict[str, datetime]:
    rows = conn.execute(
        select(columns.c.name, columns.c.first_seen).where(columns.c.dataset_id == dsid)
    )
    return {str(n): f for n, f in rows}


def add_scan(conn: Connection, record: ScanRecord) -> None:
    """Record one scan run."""
    conn.execute(insert(scans).values(asdict(record)))


def data_map(conn: Connection, tenant_id: str) -> list[MapDataset]:
    """The tenant's whole data map, by source and dataset name."""
    query = (
        select(datasets, sources.c.locator)
        .join(sources, sources.c.id == datasets.c.source_id)
        .where(datasets.c.tenant_id == tenant_id)
        .order_by(sources.c.locator, datasets.c.name)
    )
    out: list[MapDataset] = []
    for d in conn.execute(query).all():
        cols = conn.execute(
            select(columns).where(columns.c.dataset_id == d.id).order_by(columns.c.position)
        )
        out.append(
            MapDataset(
                d.locator,
                d.name,
                d.category,
                d.sensitivity,
                int(d.row_count),
                tuple(json.loads(d.reasons)),
                d.first_seen,
                d.last_seen,
                tuple(_map_column(c) for c in cols),
            )
        )
    return out


def _map_column(c: Any) -> MapColumn:
    return MapColumn(
        c.name,
        c.pii_type,
        float(c.confidence),
        float(c.match_ratio),
        _split(c.freeform_pii),
        c.sensitivity,
        tuple(json.loads(c.examples)),
        c.first_seen,
        c.last_seen,
    )


def missing(stored: Sequence[str], seen: Sequence[str]) -> list[str]:
    """Names recorded before but not seen in this scan."""
    return sorted(set(stored) - set(seen))
