"""Data-store tables of secure sharing (SQLAlchemy Core). Created by migrations only.

Nothing here holds plaintext: file names are sealed under the file's key,
link secrets and one-time codes are stored as digests, passphrases as
Argon2id PHC strings, recipients as keyed HMACs of their addresses.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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

shared_files = Table(
    "shared_files",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("tenant_id", String(40), ForeignKey("tenants.id"), nullable=False),
    Column("name_sealed", LargeBinary, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("chunk_size", Integer, nullable=False),
    Column("chunks", BigInteger, nullable=False),
    Column("backend", String(16), nullable=False),
    Column("object_key", String(300), nullable=False),
    Column("sender", String(200), nullable=False),
    Column("scan_kind", String(16), nullable=False),
    Column("scanned_bytes", BigInteger, nullable=False),
    Column("findings", Text, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("revoked_at", TS, nullable=True),
    Column("destroyed_at", TS, nullable=True),
    Index("ix_shared_files_tenant", "tenant_id", "created_at"),
)

share_links = Table(
    "share_links",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("file_id", String(40), ForeignKey("shared_files.id"), nullable=False),
    Column("tenant_id", String(40), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("max_downloads", Integer, nullable=True),
    Column("downloads", Integer, nullable=False),
    Column("passphrase_hash", String(200), nullable=True),
    Column("recipients", Text, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("revoked_at", TS, nullable=True),
    Index("ix_share_links_file", "file_id"),
)

share_codes = Table(
    "share_codes",
    metadata,
    Column("link_id", String(40), primary_key=True),
    Column("recipient", String(80), primary_key=True),
    Column("code_hash", String(64), nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("used_at", TS, nullable=True),
)
