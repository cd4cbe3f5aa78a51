"""Initial key store: root versions, tenant keys, subject data keys.

Revision ID: k0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "k0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "root_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("key_ref", sa.String(300), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("retired_at", TS, nullable=True),
    )
    op.create_table(
        "tenant_keys",
        sa.Column("tenant_id", sa.String(40), primary_key=True),
        sa.Column("purpose", sa.String(16), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("root_version", sa.Integer, nullable=False),
        sa.Column("wrapped", sa.LargeBinary, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("retired_at", TS, nullable=True),
    )
    op.create_table(
        "subject_keys",
        sa.Column("tenant_id", sa.String(40), primary_key=True),
        sa.Column("subject_id", sa.String(128), primary_key=True),
        sa.Column("kek_version", sa.Integer, nullable=False),
        sa.Column("wrapped", sa.LargeBinary, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("subject_keys", "tenant_keys", "root_versions"):
        op.drop_table(table)
