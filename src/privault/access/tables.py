"""Identity and access tables (SQLAlchemy Core). Created by migrations only.

Secrets are never stored in clear: passwords as Argon2id PHC strings, TOTP
seeds AES-256-GCM-sealed, session tokens, API-key secrets and recovery codes
as SHA-256/HMAC digests.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()
TS = DateTime(timezone=True)

users = Table(
    "users",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("password_hash", String(200), nullable=True),
    Column("password_changed_at", TS, nullable=True),
    Column("totp_secret", LargeBinary, nullable=True),
    Column("totp_last_step", Integer, nullable=True),
    Column("mfa_enrolled_at", TS, nullable=True),
    Column("created_at", TS, nullable=False),
    Column("last_login_at", TS, nullable=True),
)

password_history = Table(
    "password_history",
    metadata,
    Column("user_id", String(40), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("password_hash", String(200), nullable=False),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("user_id", String(40), primary_key=True),
    Column("code_hash", String(64), primary_key=True),
    Column("used_at", TS, nullable=True),
)

role_grants = Table(
    "role_grants",
    metadata,
    Column("user_id", String(40), primary_key=True),
    Column("role", String(63), primary_key=True),
    Column("tenant_id", String(40), primary_key=True),  # "*" = every tenant
    Column("granted_at", TS, nullable=False),
    Column("granted_by", String(200), nullable=False),
)

custom_roles = Table(
    "custom_roles",
    metadata,
    Column("name", String(63), primary_key=True),
    Column("definition", Text, nullable=False),
    Column("updated_at", TS, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), nullable=False),
    Column("name", String(100), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=True),
    Column("revoked_at", TS, nullable=True),
    Column("last_used_at", TS, nullable=True),
    Index("ix_api_keys_user", "user_id"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the token
    Column("user_id", String(40), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("last_seen_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("mfa_at", TS, nullable=True),
    Column("revoked_at", TS, nullable=True),
    Column("source", String(100), nullable=False),
    Index("ix_sessions_user", "user_id"),
)

auth_failures = Table(
    "auth_failures",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("last_at", TS, nullable=False),
    Column("locked_until", TS, nullable=True),
)

webauthn_credentials = Table(
    "webauthn_credentials",
    metadata,
    Column("id", String(400), primary_key=True),
    Column("user_id", String(40), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("sign_count", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
    Index("ix_webauthn_user", "user_id"),
)

mfa_challenges = Table(
    "mfa_challenges",
    metadata,
    Column("user_id", String(40), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("challenge", LargeBinary, nullable=False),
    Column("expires_at", TS, nullable=False),
)

break_glass = Table(
    "break_glass",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), nullable=False),
    Column("tenant_id", String(40), nullable=False),
    Column("justification", Text, nullable=False),
    Column("starts_at", TS, nullable=False),
    Column("ends_at", TS, nullable=False),
    Index("ix_break_glass_user", "user_id", "ends_at"),
)
