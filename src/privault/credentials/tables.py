"""Data-store tables of the credential vault (SQLAlchemy Core). Created by migrations only.

Each item is two AES-256-GCM ciphertexts under the item's own data key (held
wrapped in the key store): ``meta_sealed`` (title, login, URL: what a list
shows) and ``secret_sealed`` (password, TOTP seed, notes, custom fields:
only a gated reveal opens it). ``pw_fingerprint`` is a keyed HMAC of the
password, so reuse is found without decrypting anything.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
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

cred_items = Table(
    "cred_items",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("meta_sealed", LargeBinary, nullable=False),
    Column("secret_sealed", LargeBinary, nullable=False),
    Column("pw_fingerprint", String(64), nullable=True),
    Column("honeytoken", Boolean, nullable=False),
    Column("share_users", Text, nullable=False),
    Column("share_roles", Text, nullable=False),
    Column("rotate_days", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("password_changed_at", TS, nullable=False),
    Index("ix_cred_items_tenant", "tenant_id", "id"),
)
