"""Monitoring tables (SQLAlchemy Core): alerts, honeytokens, rule state. Created by migrations."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()
TS = DateTime(timezone=True)

monitor_alerts = Table(
    "monitor_alerts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("rule", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("state", String(20), nullable=False),
    Column("tenant_id", String(40), nullable=True),
    Column("actor", String(200), nullable=False),
    Column("dedup_key", String(300), nullable=False),
    Column("group_key", String(300), nullable=False),
    Column("title", String(300), nullable=False),
    Column("detail", Text, nullable=False),
    Column("event_ids", Text, nullable=False),
    Column("count", Integer, nullable=False),
    Column("score", Float, nullable=True),
    Column("first_seen", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("updated_by", String(200), nullable=True),
    Column("note", Text, nullable=True),
    Index("ix_monitor_alerts_dedup", "dedup_key", "state"),
    Index("ix_monitor_alerts_state", "state", "last_seen"),
    Index("ix_monitor_alerts_group", "group_key"),
)

monitor_honeytokens = Table(
    "monitor_honeytokens",
    metadata,
    Column("tenant_id", String(40), primary_key=True),
    Column("record_id", String(40), primary_key=True),
    Column("record_type", String(64), nullable=False),
    Column("planted_at", TS, nullable=False),
    Column("planted_by", String(200), nullable=False),
)

# Rule state: per-principal networks seen, hourly usage (baselines), windowed counters.
monitor_networks = Table(
    "monitor_networks",
    metadata,
    Column("actor", String(200), primary_key=True),
    Column("network", String(64), primary_key=True),
    Column("first_seen", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
)

monitor_usage = Table(
    "monitor_usage",
    metadata,
    Column("actor", String(200), primary_key=True),
    Column("hour", TS, primary_key=True),
    Column("records", Integer, nullable=False),
)

monitor_counters = Table(
    "monitor_counters",
    metadata,
    Column("counter", String(64), primary_key=True),
    Column("key", String(300), primary_key=True),
    Column("bucket", TS, primary_key=True),
    Column("amount", Integer, nullable=False),
)

# How far the rules have evaluated each audit chain. The row with chain "*" is
# the evaluators' mutex (locked FOR UPDATE on PostgreSQL), so evaluators in
# several processes take turns and every event is evaluated exactly once.
monitor_cursors = Table(
    "monitor_cursors",
    metadata,
    Column("chain", String(64), primary_key=True),
    Column("seq", Integer, nullable=False),
)
