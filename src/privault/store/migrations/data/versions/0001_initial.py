"""Initial data store: tenants, record types, records, fields, tokens, audit.

Revision ID: d0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "d0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "record_types",
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("record_type", sa.String(63), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_records_tenant_type", "records", ["tenant_id", "record_type", "id"])
    op.create_index("ix_records_tenant_subject", "records", ["tenant_id", "subject_id"])
    op.create_table(
        "record_fields",
        sa.Column(
            "record_id",
            sa.String(40),
            sa.ForeignKey("records.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("field", sa.String(63), primary_key=True),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("blind_index", sa.LargeBinary, nullable=True),
        sa.Column("token", sa.String(128), nullable=True),
    )
    op.create_index("ix_record_fields_blind", "record_fields", ["field", "blind_index"])
    op.create_table(
        "tokens",
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("token", sa.String(128), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(130), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=True),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_tokens_subject", "tokens", ["tenant_id", "subject_id"])
    op.create_table(
        "shredded_subjects",
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("subject_id", sa.String(128), primary_key=True),
        sa.Column("shredded_at", TS, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
    )
    op.create_table(
        "audit_events",
        sa.Column("chain", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("ts", TS, nullable=False),
        sa.Column("tenant_id", sa.String(40), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("resource", sa.String(300), nullable=False),
        sa.Column("purpose", sa.String(100), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.LargeBinary, nullable=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_audit_tenant_ts", "audit_events", ["tenant_id", "ts"])
    op.create_index("ix_audit_actor_ts", "audit_events", ["actor", "ts"])
    op.create_table(
        "audit_heads",
        sa.Column("chain", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "audit_heads",
        "audit_events",
        "shredded_subjects",
        "tokens",
        "record_fields",
        "records",
        "record_types",
        "tenants",
    ):
        op.drop_table(table)
