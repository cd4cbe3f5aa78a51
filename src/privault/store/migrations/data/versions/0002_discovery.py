"""Discovery data map: sources, datasets, columns, scans (no raw values, ever).

Revision ID: d0002
Revises: a0001
"""

import sqlalchemy as sa
from alembic import op

revision = "d0002"
down_revision = "a0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "discovery_sources",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("locator", sa.String(1000), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.UniqueConstraint("tenant_id", "locator", name="uq_discovery_sources_locator"),
    )
    op.create_table(
        "discovery_datasets",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "source_id",
            sa.String(40),
            sa.ForeignKey("discovery_sources.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("name", sa.String(1000), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("sensitivity", sa.String(10), nullable=False),
        sa.Column("row_count", sa.BigInteger, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.UniqueConstraint("source_id", "name", name="uq_discovery_datasets_name"),
    )
    op.create_index(
        "ix_discovery_datasets_tenant", "discovery_datasets", ["tenant_id", "sensitivity"]
    )
    op.create_table(
        "discovery_columns",
        sa.Column(
            "dataset_id",
            sa.String(40),
            sa.ForeignKey("discovery_datasets.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("pii_type", sa.String(40), nullable=True),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("match_ratio", sa.Float, nullable=False),
        sa.Column("freeform_pii", sa.String(400), nullable=False),
        sa.Column("sensitivity", sa.String(10), nullable=False),
        sa.Column("non_null", sa.BigInteger, nullable=False),
        sa.Column("examined", sa.BigInteger, nullable=False),
        sa.Column("examples", sa.Text, nullable=False),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
    )
    op.create_table(
        "discovery_scans",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("datasets", sa.Integer, nullable=False),
        sa.Column("pii_columns", sa.Integer, nullable=False),
        sa.Column("issues", sa.Integer, nullable=False),
        sa.Column("changes", sa.Integer, nullable=False),
    )
    op.create_index("ix_discovery_scans_tenant", "discovery_scans", ["tenant_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_discovery_scans_tenant", "discovery_scans")
    op.drop_index("ix_discovery_datasets_tenant", "discovery_datasets")
    for table in (
        "discovery_scans",
        "discovery_columns",
        "discovery_datasets",
        "discovery_sources",
    ):
        op.drop_table(table)
