"""Incidents: cases, timeline, response team, notifications, export freezes.

Revision ID: i0001
Revises: l0001
"""

import sqlalchemy as sa
from alembic import op

revision = "i0001"
down_revision = "l0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("tenant_id", sa.String(40), nullable=True),
        sa.Column("alert_id", sa.String(40), nullable=True),
        sa.Column("detected_at", TS, nullable=False),
        sa.Column("aware_at", TS, nullable=False),
        sa.Column("breach_start", TS, nullable=True),
        sa.Column("breach_end", TS, nullable=True),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("flags", sa.String(100), nullable=False),
        sa.Column("review", sa.Text, nullable=True),
        sa.Column("impact", sa.Text, nullable=True),
        sa.Column("closed_at", TS, nullable=True),
    )
    op.create_index("ix_incidents_state", "incidents", ["state", "detected_at"])
    op.create_table(
        "incident_timeline",
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ts", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "incident_members",
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("member", sa.String(200), primary_key=True),
        sa.Column("role", sa.String(32), primary_key=True),
        sa.Column("added_at", TS, nullable=False),
        sa.Column("added_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "incident_notifications",
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("rule", sa.String(64), primary_key=True),
        sa.Column("notified_at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(300), nullable=True),
    )
    op.create_table(
        "incident_export_freezes",
        sa.Column("tenant_id", sa.String(40), primary_key=True),
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("frozen_by", sa.String(200), nullable=False),
        sa.Column("frozen_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "incident_export_freezes",
        "incident_notifications",
        "incident_members",
        "incident_timeline",
    ):
        op.drop_table(table)
    op.drop_index("ix_incidents_state", table_name="incidents")
    op.drop_table("incidents")
