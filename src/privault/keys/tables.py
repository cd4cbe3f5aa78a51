"""Key-store tables (a database apart from the data store; see store/__init__)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, String, Table

metadata = MetaData()

root_versions = Table(
    "root_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("provider", String(32), nullable=False),
    Column("key_ref", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=True),
)

# Tenant keys, one row per (tenant, purpose, version); wrapped by a root version.
# purpose "kek" wraps subject data keys and rotates; "index" (blind indexes)
# and "token" (deterministic and FPE tokens) are stable by design: rotating
# them would change every index and token.
tenant_keys = Table(
    "tenant_keys",
    metadata,
    Column("tenant_id", String(40), primary_key=True),
    Column("purpose", String(16), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("root_version", Integer, nullable=False),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=True),
)

subject_keys = Table(
    "subject_keys",
    metadata,
    Column("tenant_id", String(40), primary_key=True),
    Column("subject_id", String(128), primary_key=True),
    Column("kek_version", Integer, nullable=False),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
