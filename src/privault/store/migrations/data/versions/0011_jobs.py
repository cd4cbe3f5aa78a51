"""Background jobs: scans and masked copies started over the API and the dashboard.

Revision ID: w0001
Revises: i0001
"""

import sqlalchemy as sa
from alembic import op

revision = "w0001"
down_revision = "i0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("results", sa.Text, nullable=True),
        sa.Column("error_code", sa.String(40), nullable=True),
        sa.Column("error", sa.String(300), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
    )
    op.create_index("ix_jobs_tenant_kind", "jobs", ["tenant_id", "kind", "id"])
    op.create_index("ix_jobs_status", "jobs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_jobs_status", table_name="jobs")
    op.drop_index("ix_jobs_tenant_kind", table_name="jobs")
    op.drop_table("jobs")
