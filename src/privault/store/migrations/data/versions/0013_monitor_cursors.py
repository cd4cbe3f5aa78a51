"""Monitoring: how far the rules evaluated each audit chain (off-request evaluation).

Existing trails start evaluated up to their current head, so an upgrade does
not re-run the rules over history (``privault monitor replay`` does that).

Revision ID: c0001
Revises: x0001
"""

import sqlalchemy as sa
from alembic import op

revision = "c0001"
down_revision = "x0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    cursors = op.create_table(
        "monitor_cursors",
        sa.Column("chain", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
    )
    op.execute(sa.insert(cursors).values(chain="*", seq=0))
    op.execute(
        sa.text("INSERT INTO monitor_cursors (chain, seq) SELECT chain, seq FROM audit_heads")
    )


def downgrade() -> None:
    op.drop_table("monitor_cursors")
