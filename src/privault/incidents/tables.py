"""Incident tables (SQLAlchemy Core). Created by migrations only."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()
TS = DateTime(timezone=True)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("tenant_id", String(40), nullable=True),
    Column("alert_id", String(40), nullable=True),
    Column("detected_at", TS, nullable=False),
    Column("aware_at", TS, nullable=False),
    Column("breach_start", TS, nullable=True),
    Column("breach_end", TS, nullable=True),
    Column("opened_by", String(200), nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("flags", String(100), nullable=False),
    Column("review", Text, nullable=True),
    Column("impact", Text, nullable=True),
    Column("closed_at", TS, nullable=True),
    Index("ix_incidents_state", "state", "detected_at"),
)

incident_timeline = Table(
    "incident_timeline",
    metadata,
    Column("incident_id", String(40), ForeignKey("incidents.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("ts", TS, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("detail", Text, nullable=False),
)

incident_members = Table(
    "incident_members",
    metadata,
    Column("incident_id", String(40), ForeignKey("incidents.id"), primary_key=True),
    Column("member", String(200), primary_key=True),
    Column("role", String(32), primary_key=True),
    Column("added_at", TS, nullable=False),
    Column("added_by", String(200), nullable=False),
)

incident_notifications = Table(
    "incident_notifications",
    metadata,
    Column("incident_id", String(40), ForeignKey("incidents.id"), primary_key=True),
    Column("rule", String(64), primary_key=True),
    Column("notified_at", TS, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("reference", String(300), nullable=True),
)

export_freezes = Table(
    "incident_export_freezes",
    metadata,
    Column("tenant_id", String(40), primary_key=True),
    Column("incident_id", String(40), ForeignKey("incidents.id"), nullable=False),
    Column("frozen_by", String(200), nullable=False),
    Column("frozen_at", TS, nullable=False),
)
