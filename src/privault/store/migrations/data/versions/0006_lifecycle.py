"""Data lifecycle: retention runs and certificates, legal holds, consent, DSRs.

Revision ID: l0001
Revises: v0002
"""

import sqlalchemy as sa
from alembic import op

revision = "l0001"
down_revision = "v0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lifecycle_holds",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=True),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("released_by", sa.String(200), nullable=True),
        sa.Column("released_at", TS, nullable=True),
    )
    op.create_index("ix_lifecycle_holds_tenant", "lifecycle_holds", ["tenant_id", "subject_id"])
    op.create_table(
        "lifecycle_runs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("batch_size", sa.Integer, nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("certificate_id", sa.String(40), nullable=True),
    )
    op.create_index("ix_lifecycle_runs_tenant", "lifecycle_runs", ["tenant_id", "status"])
    op.create_table(
        "lifecycle_run_items",
        sa.Column("run_id", sa.String(40), sa.ForeignKey("lifecycle_runs.id"), primary_key=True),
        sa.Column("record_id", sa.String(40), primary_key=True),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("record_type", sa.String(63), nullable=False),
        sa.Column("rule", sa.String(300), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("event_id", sa.String(40), nullable=True),
    )
    op.create_index(
        "ix_lifecycle_run_items_status", "lifecycle_run_items", ["run_id", "status", "record_id"]
    )
    op.create_table(
        "lifecycle_certificates",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_lifecycle_certificates_tenant", "lifecycle_certificates", ["tenant_id", "issued_at"]
    )
    op.create_table(
        "consent_state",
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("subject_id", sa.String(128), primary_key=True),
        sa.Column("purpose", sa.String(63), primary_key=True),
        sa.Column("decision", sa.String(12), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index(
        "ix_consent_state_purpose", "consent_state", ["tenant_id", "purpose", "decision"]
    )
    op.create_table(
        "consent_history",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("purpose", sa.String(63), nullable=False),
        sa.Column("decision", sa.String(12), nullable=False),
        sa.Column("method", sa.String(12), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index(
        "ix_consent_history_subject", "consent_history", ["tenant_id", "subject_id", "at"]
    )
    op.create_table(
        "processing_restrictions",
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("subject_id", sa.String(128), primary_key=True),
        sa.Column("dsr_id", sa.String(40), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("lifted_at", TS, nullable=True),
    )
    op.create_table(
        "dsr_requests",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("law", sa.String(10), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("extended", sa.Boolean, nullable=False),
        sa.Column("extension_reason", sa.String(500), nullable=True),
        sa.Column("verified_by", sa.String(200), nullable=True),
        sa.Column("verification_method", sa.String(40), nullable=True),
        sa.Column("verified_at", TS, nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_index("ix_dsr_requests_tenant", "dsr_requests", ["tenant_id", "state", "due_on"])
    op.create_table(
        "dsr_steps",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("dsr_id", sa.String(40), sa.ForeignKey("dsr_requests.id"), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(12), nullable=True),
        sa.Column("to_state", sa.String(12), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("event_id", sa.String(40), nullable=False),
    )
    op.create_index("ix_dsr_steps_dsr", "dsr_steps", ["dsr_id", "at"])
    op.create_table(
        "erasure_mappings",
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("source", sa.String(1000), primary_key=True),
        sa.Column("dataset", sa.String(1000), primary_key=True),
        sa.Column("subject_column", sa.String(300), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("erasure_mappings")
    op.drop_index("ix_dsr_steps_dsr", table_name="dsr_steps")
    op.drop_table("dsr_steps")
    op.drop_index("ix_dsr_requests_tenant", table_name="dsr_requests")
    op.drop_table("dsr_requests")
    op.drop_table("processing_restrictions")
    op.drop_index("ix_consent_history_subject", table_name="consent_history")
    op.drop_table("consent_history")
    op.drop_index("ix_consent_state_purpose", table_name="consent_state")
    op.drop_table("consent_state")
    op.drop_index("ix_lifecycle_certificates_tenant", table_name="lifecycle_certificates")
    op.drop_table("lifecycle_certificates")
    op.drop_index("ix_lifecycle_run_items_status", table_name="lifecycle_run_items")
    op.drop_table("lifecycle_run_items")
    op.drop_index("ix_lifecycle_runs_tenant", table_name="lifecycle_runs")
    op.drop_table("lifecycle_runs")
    op.drop_index("ix_lifecycle_holds_tenant", table_name="lifecycle_holds")
    op.drop_table("lifecycle_holds")
