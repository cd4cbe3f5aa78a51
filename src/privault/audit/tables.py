"""Append-only audit tables (SQLAlchemy Core). Created by migrations only."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

audit_events = Table(
    "audit_events",
    metadata,
    Column("chain", String(40), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("id", String(40), nullable=False, unique=True),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("tenant_id", String(40), nullable=True),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("resource", String(300), nullable=False),
    Column("purpose", String(100), nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("request_id", String(64), nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", LargeBinary, nullable=False),
    Column("hash", LargeBinary, nullable=False),
    Index("ix_audit_tenant_ts", "tenant_id", "ts"),
    Index("ix_audit_actor_ts", "actor", "ts"),
)

audit_heads = Table(
    "audit_heads",
    metadata,
    Column("chain", String(40), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", LargeBinary, nullable=False),
)

# Signed checkpoints: (chain, seq, hash) of a head, signed with Ed25519.
audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("chain", String(40), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary, nullable=False),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("key_id", String(40), nullable=False),
    Column("signature", LargeBinary, nullable=False),
)
