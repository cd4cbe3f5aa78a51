"""Data-map tables of discovery (SQLAlchemy Core). Created by migration d0002 only.

The data map holds names, counts, types, categories and masked examples:
never a raw value from a scanned source.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# ForeignKey("tenants.id") names the vault's table by name only: discovery never
# imports another package's tables (the migration creates the real constraint).

sources = Table(
    "discovery_sources",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("locator", String(1000), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant_id", "locator", name="uq_discovery_sources_locator"),
)

datasets = Table(
    "discovery_datasets",
    metadata,
    Column("id", String(40), primary_key=True),
    Column(
        "source_id",
        String(40),
        ForeignKey("discovery_sources.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("name", String(1000), nullable=False),
    Column("category", String(20), nullable=False),
    Column("sensitivity", String(10), nullable=False),
    Column("row_count", BigInteger, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source_id", "name", name="uq_discovery_datasets_name"),
    Index("ix_discovery_datasets_tenant", "tenant_id", "sensitivity"),
)

columns = Table(
    "discovery_columns",
    metadata,
    Column(
        "dataset_id",
        String(40),
        ForeignKey("discovery_datasets.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("name", String(300), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("pii_type", String(40), nullable=True),
    Column("confidence", Float, nullable=False),
    Column("match_ratio", Float, nullable=False),
    Column("freeform_pii", String(400), nullable=False),
    Column("sensitivity", String(10), nullable=False),
    Column("non_null", BigInteger, nullable=False),
    Column("examined", BigInteger, nullable=False),
    Column("examples", Text, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

scans = Table(
    "discovery_scans",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("mode", String(10), nullable=False),
    Column("datasets", Integer, nullable=False),
    Column("pii_columns", Integer, nullable=False),
    Column("issues", Integer, nullable=False),
    Column("changes", Integer, nullable=False),
    Index("ix_discovery_scans_tenant", "tenant_id", "started_at"),
)
