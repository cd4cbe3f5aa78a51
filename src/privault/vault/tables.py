"""Data-store tables of the vault (SQLAlchemy Core). Created by migrations only."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

tenants = Table(
    "tenants",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("slug", String(63), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

record_types = Table(
    "record_types",
    metadata,
    Column("tenant_id", String(40), ForeignKey("tenants.id"), primary_key=True),
    Column("name", String(63), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("definition", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("record_type", String(63), nullable=False),
    Column("subject_id", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_records_tenant_type", "tenant_id", "record_type", "id"),
    Index("ix_records_tenant_subject", "tenant_id", "subject_id"),
)

record_fields = Table(
    "record_fields",
    metadata,
    Column("record_id", String(40), ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("field", String(63), primary_key=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("blind_index", LargeBinary, nullable=True),
    Column("token", String(128), nullable=True),
    # Only rows with a blind index are indexed: most fields are not searchable.
    Index(
        "ix_record_fields_blind",
        "field",
        "blind_index",
        sqlite_where=text("blind_index IS NOT NULL"),
        postgresql_where=text("blind_index IS NOT NULL"),
    ),
)

tokens = Table(
    "tokens",
    metadata,
    Column("tenant_id", String(40), ForeignKey("tenants.id"), primary_key=True),
    Column("token", String(128), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("scope", String(130), nullable=False),
    Column("subject_id", String(128), nullable=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_tokens_subject", "tenant_id", "subject_id"),
)

shredded_subjects = Table(
    "shredded_subjects",
    metadata,
    Column("tenant_id", String(40), ForeignKey("tenants.id"), primary_key=True),
    Column("subject_id", String(128), primary_key=True),
    Column("shredded_at", DateTime(timezone=True), nullable=False),
    Column("records", Integer, nullable=False),
)
