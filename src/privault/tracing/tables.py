"""Marked-export table (SQLAlchemy Core). Created by migrations only."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()
TS = DateTime(timezone=True)

export_marks = Table(
    "export_marks",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("project", String(100), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("state", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("dest", Text, nullable=False),
    Column("dest_format", String(16), nullable=False),
    Column("policy_fingerprint", String(64), nullable=False),
    Column("columns", Text, nullable=False),
    Column("rows_out", Integer, nullable=True),
    Column("key_ref", String(300), nullable=False),
    Column("key_id", String(64), nullable=False),
    Index("ix_export_marks_created", "created_at"),
)
