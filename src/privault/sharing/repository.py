"""Rows of secure sharing: files, links, one-time codes. Never commits."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, or_, select, update

from privault.core.clock import as_utc, aware_row
from privault.sharing.links import LinkState
from privault.sharing.tables import share_codes, share_links, shared_files


@dataclass(frozen=True, slots=True)
class FileRow:
    """A shared file (its name still sealed)."""

    id: str
    tenant_id: str
    name_sealed: bytes
    size: int
    chunk_size: int
    chunks: int
    backend: str
    object_key: str
    sender: str
    scan_kind: str
    scanned_bytes: int
    findings: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    destroyed_at: datetime | None

    @property
    def counts(self) -> dict[str, int]:
        """Findings of the upload scan: type -> count."""
        loaded: dict[str, int] = json.loads(self.findings)
        return loaded


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A share link."""

    id: str
    file_id: str
    tenant_id: str
    secret_hash: str
    expires_at: datetime
    max_downloads: int | None
    downloads: int
    passphrase_hash: str | None
    recipients: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def recipient_hmacs(self) -> list[str]:
        """Keyed HMACs of the named recipients (empty: anyone with the link)."""
        loaded: list[str] = json.loads(self.recipients)
        return loaded

    def state(self, file: FileRow) -> LinkState:
        """The fields :func:`privault.sharing.links.refusal` decides on."""
        return LinkState(
            self.expires_at,
            self.revoked_at,
            self.max_downloads,
            self.downloads,
            file.expires_at,
            file.revoked_at,
            file.destroyed_at,
        )


def add_file(conn: Connection, row: FileRow) -> None:
    """Insert a file row."""
    conn.execute(insert(shared_files).values(**_fields(row)))


def add_link(conn: Connection, row: LinkRow) -> None:
    """Insert a link row."""
    conn.execute(insert(share_links).values(**_fields(row)))


def _fields(row: FileRow | LinkRow) -> dict[str, object]:
    return {name: getattr(row, name) for name in row.__slots__}


def get_file(conn: Connection, file_id: str) -> FileRow | None:
    """A file by id."""
    found = conn.execute(select(shared_files).where(shared_files.c.id == file_id)).first()
    return FileRow(**aware_row(found._mapping)) if found else None


def list_files(conn: Connection, tenant_id: str) -> list[FileRow]:
    """A tenant's files, newest first."""
    rows = conn.execute(
        select(shared_files)
        .where(shared_files.c.tenant_id == tenant_id)
        .order_by(shared_files.c.created_at.desc(), shared_files.c.id.desc())
    )
    return [FileRow(**aware_row(r._mapping)) for r in rows]


def get_link(conn: Connection, link_id: str) -> LinkRow | None:
    """A link by id."""
    found = conn.execute(select(share_links).where(share_links.c.id == link_id)).first()
    return LinkRow(**aware_row(found._mapping)) if found else None


def links_of(conn: Connection, file_ids: list[str]) -> list[LinkRow]:
    """The links of some files, oldest first."""
    rows = conn.execute(
        select(share_links)
        .where(share_links.c.file_id.in_(file_ids))
        .order_by(share_links.c.created_at, share_links.c.id)
    )
    return [LinkRow(**aware_row(r._mapping)) for r in rows]


def count_download(conn: Connection, link_id: str) -> bool:
    """Take one download from the link's allowance; False when none is left.

    One conditional UPDATE, so two concurrent downloads cannot both take the
    last one.
    """
    result = conn.execute(
        update(share_links)
        .where(
            share_links.c.id == link_id,
            or_(
                share_links.c.max_downloads.is_(None),
                share_links.c.downloads < share_links.c.max_downloads,
            ),
        )
        .values(downloads=share_links.c.downloads + 1)
    )
    return result.rowcount == 1


def revoke_link(conn: Connection, link_id: str, now: datetime) -> int:
    """Revoke one link (if not already)."""
    return conn.execute(
        update(share_links)
        .where(share_links.c.id == link_id, share_links.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount


def revoke_file(conn: Connection, file_id: str, now: datetime) -> int:
    """Revoke a file and all its links."""
    conn.execute(
        update(share_links)
        .where(share_links.c.file_id == file_id, share_links.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return conn.execute(
        update(shared_files)
        .where(shared_files.c.id == file_id, shared_files.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount


def purgeable(conn: Connection, now: datetime, tenant_id: str | None) -> list[FileRow]:
    """Files expired or revoked whose key is not destroyed yet."""
    query = select(shared_files).where(
        shared_files.c.destroyed_at.is_(None),
        or_(shared_files.c.revoked_at.is_not(None), shared_files.c.expires_at <= now),
    )
    if tenant_id is not None:
        query = query.where(shared_files.c.tenant_id == tenant_id)
    return [FileRow(**aware_row(r._mapping)) for r in conn.execute(query)]


def mark_destroyed(conn: Connection, file_id: str, now: datetime) -> None:
    """Record that a file's key was destroyed; its codes go too."""
    conn.execute(update(shared_files).where(shared_files.c.id == file_id).values(destroyed_at=now))
    link_ids = select(share_links.c.id).where(share_links.c.file_id == file_id)
    conn.execute(delete(share_codes).where(share_codes.c.link_id.in_(link_ids)))


def put_code(
    conn: Connection, link_id: str, recipient: str, code_hash: str, expires_at: datetime
) -> None:
    """Store a recipient's one-time code (replacing an earlier one)."""
    conn.execute(
        delete(share_codes).where(
            share_codes.c.link_id == link_id, share_codes.c.recipient == recipient
        )
    )
    conn.execute(
        insert(share_codes).values(
            link_id=link_id, recipient=recipient, code_hash=code_hash, expires_at=expires_at
        )
    )


def use_code(conn: Connection, link_id: str, recipient: str, code_hash: str, now: datetime) -> bool:
    """Spend a valid, unused, unexpired code; False if there is none.

    The digest is compared in constant time here, not in SQL.
    """
    row = conn.execute(
        select(share_codes.c.code_hash, share_codes.c.expires_at).where(
            share_codes.c.link_id == link_id,
            share_codes.c.recipient == recipient,
            share_codes.c.used_at.is_(None),
        )
    ).first()
    if row is None or not hmac.compare_digest(row.code_hash, code_hash):
        return False
    if as_utc(row.expires_at) <= now:  # type: ignore[operator]
        return False
    conn.execute(
        update(share_codes)
        .where(share_codes.c.link_id == link_id, share_codes.c.recipient == recipient)
        .values(used_at=now)
    )
    return True
