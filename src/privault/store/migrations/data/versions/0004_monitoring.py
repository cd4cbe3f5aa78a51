"""Signed audit checkpoints; monitoring: alerts, honeytokens, rule state.

Revision ID: m0001
Revises: s0001 (sharing; it revises d0002, so the history stays linear)
"""

import sqlalchemy as sa
from alembic import op

revision = "m0001"
down_revision = "s0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("chain", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
        sa.Column("ts", TS, nullable=False),
        sa.Column("key_id", sa.String(40), nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "monitor_alerts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("tenant_id", sa.String(40), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("dedup_key", sa.String(300), nullable=False),
        sa.Column("group_key", sa.String(300), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("event_ids", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index("ix_monitor_alerts_dedup", "monitor_alerts", ["dedup_key", "state"])
    op.create_index("ix_monitor_alerts_state", "monitor_alerts", ["state", "last_seen"])
    op.create_index("ix_monitor_alerts_group", "monitor_alerts", ["group_key"])
    op.create_table(
        "monitor_honeytokens",
        sa.Column("tenant_id", sa.String(40), primary_key=True),
        sa.Column("record_id", sa.String(40), primary_key=True),
        sa.Column("record_type", sa.String(64), nullable=False),
        sa.Column("planted_at", TS, nullable=False),
        sa.Column("planted_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "monitor_networks",
        sa.Column("actor", sa.String(200), primary_key=True),
        sa.Column("network", sa.String(64), primary_key=True),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
    )
    op.create_table(
        "monitor_usage",
        sa.Column("actor", sa.String(200), primary_key=True),
        sa.Column("hour", TS, primary_key=True),
        sa.Column("records", sa.Integer, nullable=False),
    )
    op.create_table(
        "monitor_counters",
        sa.Column("counter", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("bucket", TS, primary_key=True),
        sa.Column("amount", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "monitor_counters",
        "monitor_usage",
        "monitor_networks",
        "monitor_honeytokens",
        "monitor_alerts",
        "audit_checkpoints",
    ):
        op.drop_table(table)
