"""Lifecycle tables (SQLAlchemy Core). Created by migration l0001 only.

Subject ids are the vault's opaque subject ids (customer numbers), kept in
clear as the vault keeps them; no table here holds a field value.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()
TS = DateTime(timezone=True)

# ForeignKey("tenants.id") names the vault's table by name only.

holds = Table(
    "lifecycle_holds",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("subject_id", String(128), nullable=True),  # None: the whole tenant
    Column("reason", String(500), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("released_by", String(200), nullable=True),
    Column("released_at", TS, nullable=True),
    Index("ix_lifecycle_holds_tenant", "tenant_id", "subject_id"),
)

runs = Table(
    "lifecycle_runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("status", String(12), nullable=False),  # running | done
    Column("actor", String(200), nullable=False),
    Column("batch_size", Integer, nullable=False),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS, nullable=True),
    Column("certificate_id", String(40), nullable=True),
    Index("ix_lifecycle_runs_tenant", "tenant_id", "status"),
)

run_items = Table(
    "lifecycle_run_items",
    metadata,
    Column("run_id", String(40), ForeignKey("lifecycle_runs.id"), primary_key=True),
    Column("record_id", String(40), primary_key=True),
    Column("subject_id", String(128), nullable=False),
    Column("record_type", String(63), nullable=False),
    Column("rule", String(300), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("status", String(12), nullable=False),  # pending | destroyed | gone | held
    Column("event_id", String(40), nullable=True),
    Index("ix_lifecycle_run_items_status", "run_id", "status", "record_id"),
)

certificates = Table(
    "lifecycle_certificates",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("run_id", String(40), nullable=False),
    Column("issued_at", TS, nullable=False),
    Column("body", Text, nullable=False),
    Index("ix_lifecycle_certificates_tenant", "tenant_id", "issued_at"),
)

consent_state = Table(
    "consent_state",
    metadata,
    Column("tenant_id", String(40), ForeignKey("tenants.id"), primary_key=True),
    Column("subject_id", String(128), primary_key=True),
    Column("purpose", String(63), primary_key=True),
    Column("decision", String(12), nullable=False),
    Column("updated_at", TS, nullable=False),
    Index("ix_consent_state_purpose", "tenant_id", "purpose", "decision"),
)

consent_history = Table(
    "consent_history",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("subject_id", String(128), nullable=False),
    Column("purpose", String(63), nullable=False),
    Column("decision", String(12), nullable=False),
    Column("method", String(12), nullable=False),
    Column("source", String(200), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", TS, nullable=False),
    Index("ix_consent_history_subject", "tenant_id", "subject_id", "at"),
)

restrictions = Table(
    "processing_restrictions",
    metadata,
    Column("tenant_id", String(40), ForeignKey("tenants.id"), primary_key=True),
    Column("subject_id", String(128), primary_key=True),
    Column("dsr_id", String(40), nullable=True),
    Column("created_at", TS, nullable=False),
    Column("lifted_at", TS, nullable=True),
)

dsr_requests = Table(
    "dsr_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("subject_id", String(128), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("law", String(10), nullable=False),
    Column("state", String(12), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("extended", Boolean, nullable=False),
    Column("extension_reason", String(500), nullable=True),
    Column("verified_by", String(200), nullable=True),
    Column("verification_method", String(40), nullable=True),
    Column("verified_at", TS, nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("closed_at", TS, nullable=True),
    Column("result", Text, nullable=False),
    Index("ix_dsr_requests_tenant", "tenant_id", "state", "due_on"),
)

dsr_steps = Table(
    "dsr_steps",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("dsr_id", String(40), ForeignKey("dsr_requests.id"), nullable=False),
    Column("at", TS, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(20), nullable=False),
    Column("from_state", String(12), nullable=True),
    Column("to_state", String(12), nullable=False),
    Column("note", String(500), nullable=False),
    Column("event_id", String(40), nullable=False),
    Index("ix_dsr_steps_dsr", "dsr_id", "at"),
)

erasure_mappings = Table(
    "erasure_mappings",
    metadata,
    Column("tenant_id", String(40), ForeignKey("tenants.id"), primary_key=True),
    Column("source", String(1000), primary_key=True),
    Column("dataset", String(1000), primary_key=True),
    Column("subject_column", String(300), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
)
