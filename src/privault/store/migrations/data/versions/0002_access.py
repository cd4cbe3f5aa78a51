"""Identity and access: users, grants, sessions, API keys, MFA, break-glass.

Revision ID: a0001
Revises: d0001
"""

import sqlalchemy as sa
from alembic import op

revision = "a0001"
down_revision = "d0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("last_used_at", TS, nullable=True),
    )
    op.create_index("ix_api_keys_user", "api_keys", ["user_id"])
    op.create_table(
        "auth_failures",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("last_at", TS, nullable=False),
        sa.Column("locked_until", TS, nullable=True),
    )
    op.create_table(
        "break_glass",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("tenant_id", sa.String(40), nullable=False),
        sa.Column("justification", sa.Text, nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
    )
    op.create_index("ix_break_glass_user", "break_glass", ["user_id", "ends_at"])
    op.create_table(
        "custom_roles",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "mfa_challenges",
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("challenge", sa.LargeBinary, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_table(
        "password_history",
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("used_at", TS, nullable=True),
    )
    op.create_table(
        "role_grants",
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("role", sa.String(63), primary_key=True),
        sa.Column("tenant_id", sa.String(40), primary_key=True),
        sa.Column("granted_at", TS, nullable=False),
        sa.Column("granted_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("mfa_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("source", sa.String(100), nullable=False),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id"])
    op.create_table(
        "users",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("password_changed_at", TS, nullable=True),
        sa.Column("totp_secret", sa.LargeBinary, nullable=True),
        sa.Column("totp_last_step", sa.Integer, nullable=True),
        sa.Column("mfa_enrolled_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=True),
    )
    op.create_table(
        "webauthn_credentials",
        sa.Column("id", sa.String(400), primary_key=True),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("public_key", sa.LargeBinary, nullable=False),
        sa.Column("sign_count", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_webauthn_user", "webauthn_credentials", ["user_id"])


def downgrade() -> None:
    for table in [
        "webauthn_credentials",
        "users",
        "sessions",
        "role_grants",
        "recovery_codes",
        "password_history",
        "mfa_challenges",
        "custom_roles",
        "break_glass",
        "auth_failures",
        "api_keys",
    ]:
        op.drop_table(table)
