"""Index only the field rows that carry a blind index (faster bulk writes).

Revision ID: v0002
Revises: m0001
"""

import sqlalchemy as sa
from alembic import op

revision = "v0002"
down_revision = "m0001"
branch_labels = None
depends_on = None

WHERE = sa.text("blind_index IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_record_fields_blind", table_name="record_fields")
    op.create_index(
        "ix_record_fields_blind",
        "record_fields",
        ["field", "blind_index"],
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_record_fields_blind", table_name="record_fields")
    op.create_index("ix_record_fields_blind", "record_fields", ["field", "blind_index"])
