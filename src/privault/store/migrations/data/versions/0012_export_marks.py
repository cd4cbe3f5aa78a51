"""Leak tracing: the register of marked exports (no key material).

Revision ID: x0001
Revises: w0001
"""

import sqlalchemy as sa
from alembic import op

revision = "x0001"
down_revision = "w0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "export_marks",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("project", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("dest", sa.Text, nullable=False),
        sa.Column("dest_format", sa.String(16), nullable=False),
        sa.Column("policy_fingerprint", sa.String(64), nullable=False),
        sa.Column("columns", sa.Text, nullable=False),
        sa.Column("rows_out", sa.Integer, nullable=True),
        sa.Column("key_ref", sa.String(300), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_export_marks_created", "export_marks", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_export_marks_created", table_name="export_marks")
    op.drop_table("export_marks")
