"""Secure sharing (files, links, one-time codes) and the credential vault.

Revision ID: s0001
Revises: d0002
"""

import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = "d0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "shared_files",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("name_sealed", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("chunk_size", sa.Integer, nullable=False),
        sa.Column("chunks", sa.BigInteger, nullable=False),
        sa.Column("backend", sa.String(16), nullable=False),
        sa.Column("object_key", sa.String(300), nullable=False),
        sa.Column("sender", sa.String(200), nullable=False),
        sa.Column("scan_kind", sa.String(16), nullable=False),
        sa.Column("scanned_bytes", sa.BigInteger, nullable=False),
        sa.Column("findings", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("destroyed_at", TS, nullable=True),
    )
    op.create_index("ix_shared_files_tenant", "shared_files", ["tenant_id", "created_at"])
    op.create_table(
        "share_links",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("file_id", sa.String(40), sa.ForeignKey("shared_files.id"), nullable=False),
        sa.Column("tenant_id", sa.String(40), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("max_downloads", sa.Integer, nullable=True),
        sa.Column("downloads", sa.Integer, nullable=False),
        sa.Column("passphrase_hash", sa.String(200), nullable=True),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_share_links_file", "share_links", ["file_id"])
    op.create_table(
        "share_codes",
        sa.Column("link_id", sa.String(40), primary_key=True),
        sa.Column("recipient", sa.String(80), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
    )
    op.create_table(
        "cred_items",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("meta_sealed", sa.LargeBinary, nullable=False),
        sa.Column("secret_sealed", sa.LargeBinary, nullable=False),
        sa.Column("pw_fingerprint", sa.String(64), nullable=True),
        sa.Column("honeytoken", sa.Boolean, nullable=False),
        sa.Column("share_users", sa.Text, nullable=False),
        sa.Column("share_roles", sa.Text, nullable=False),
        sa.Column("rotate_days", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("password_changed_at", TS, nullable=False),
    )
    op.create_index("ix_cred_items_tenant", "cred_items", ["tenant_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_cred_items_tenant", "cred_items")
    op.drop_table("cred_items")
    op.drop_table("share_codes")
    op.drop_index("ix_share_links_file", "share_links")
    op.drop_table("share_links")
    op.drop_index("ix_shared_files_tenant", "shared_files")
    op.drop_table("shared_files")
