"""Marked exports: record, complete, list. Never commits (the use case does)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from privault.core.clock import as_utc
from privault.tracing.tables import export_marks

__all__ = ["DONE", "PENDING", "ExportRecord", "add", "complete", "get", "list_done", "remove"]

PENDING = "pending"
DONE = "done"


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One marked export (no key material: a derivation label and a key fingerprint).

    Attributes:
        id: the export id (``exp_…``).
        project: the masking project whose key hierarchy the export key hangs from.
        actor: who made it.
        created_at: when.
        state: ``pending`` while the copy is written, ``done`` once it is in place.
        source: the source file, as given.
        dest: the masked copy, as given.
        dest_format: csv, jsonl, parquet or xlsx.
        policy_fingerprint: SHA-256 of the canonical policy (which rules made it).
        columns: the columns that carry the mark.
        rows_out: rows written.
        key_ref: the derivation label of the export key (not the key).
        key_id: a keyed fingerprint of the export key (re-derivation is checked).

    """

    id: str
    project: str
    actor: str
    created_at: datetime
    state: str
    source: str
    dest: str
    dest_format: str
    policy_fingerprint: str
    columns: tuple[str, ...]
    rows_out: int | None
    key_ref: str
    key_id: str


def _record(row: Any) -> ExportRecord:
    created = as_utc(row.created_at)
    assert created is not None  # the column is NOT NULL
    return ExportRecord(
        id=row.id,
        project=row.project,
        actor=row.actor,
        created_at=created,
        state=row.state,
        source=row.source,
        dest=row.dest,
        dest_format=row.dest_format,
        policy_fingerprint=row.policy_fingerprint,
        columns=tuple(json.loads(row.columns)),
        rows_out=row.rows_out,
        key_ref=row.key_ref,
        key_id=row.key_id,
    )


def add(conn: Connection, record: ExportRecord) -> None:
    """Insert a new export record."""
    conn.execute(
        insert(export_marks).values(
            id=record.id,
            project=record.project,
            actor=record.actor,
            created_at=record.created_at,
            state=record.state,
            source=record.source,
            dest=record.dest,
            dest_format=record.dest_format,
            policy_fingerprint=record.policy_fingerprint,
            columns=json.dumps(list(record.columns)),
            rows_out=record.rows_out,
            key_ref=record.key_ref,
            key_id=record.key_id,
        )
    )


def complete(conn: Connection, export_id: str, columns: tuple[str, ...], rows_out: int) -> None:
    """Mark an export done, with the columns that carry the mark and its row count."""
    conn.execute(
        update(export_marks)
        .where(export_marks.c.id == export_id)
        .values(state=DONE, columns=json.dumps(list(columns)), rows_out=rows_out)
    )


def remove(conn: Connection, export_id: str) -> None:
    """Delete a pending export whose copy failed."""
    conn.execute(
        delete(export_marks).where(export_marks.c.id == export_id, export_marks.c.state == PENDING)
    )


def get(conn: Connection, export_id: str) -> ExportRecord | None:
    """One export by id."""
    row = conn.execute(select(export_marks).where(export_marks.c.id == export_id)).first()
    return _record(row) if row is not None else None


def list_done(conn: Connection) -> list[ExportRecord]:
    """Every completed export, oldest first."""
    rows = conn.execute(
        select(export_marks)
        .where(export_marks.c.state == DONE)
        .order_by(export_marks.c.created_at, export_marks.c.id)
    )
    return [_record(r) for r in rows]
