"""The job table (SQLAlchemy Core). Created by migration w0001 only."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, ForeignKey, Index, MetaData, String, Table, Text

metadata = MetaData()

# ForeignKey("tenants.id") names the vault's table by name only (the migration creates it).

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("progress", Float, nullable=False),
    Column("params", Text, nullable=False),
    Column("summary", Text, nullable=True),
    Column("results", Text, nullable=True),
    Column("error_code", String(40), nullable=True),
    Column("error", String(300), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Index("ix_jobs_tenant_kind", "tenant_id", "kind", "id"),
    Index("ix_jobs_status", "status"),
)
