"""What sharing hands out and takes in: options, receipts, listings. Pure values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from privault.core.errors import InvalidInput
from privault.core.ids import new_id
from privault.core.secret import Secret
from privault.sharing import links
from privault.sharing.repository import FileRow, LinkRow
from privault.sharing.scan import ScanSummary


@dataclass(frozen=True, slots=True)
class ShareOptions:
    """How a link may be used."""

    expires_in: timedelta = timedelta(days=7)
    max_downloads: int | None = None
    passphrase: Secret[str] | None = None
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Shared:
    """What the sender gets back: the link token (shown once) and the scan."""

    file_id: str
    link_id: str
    token: Secret[str]
    size: int
    expires_at: datetime
    scan: ScanSummary


@dataclass(frozen=True, slots=True)
class LinkInfo:
    """A link as its sender sees it (or a recipient, before downloading)."""

    id: str
    state: str
    expires_at: datetime
    downloads: int
    max_downloads: int | None
    passphrase: bool
    recipients: int


@dataclass(frozen=True, slots=True)
class FileInfo:
    """A shared file as ``share list`` shows it: findings are types and counts."""

    id: str
    name: str
    size: int
    sender: str
    state: str
    created_at: datetime
    expires_at: datetime
    scan_kind: str
    findings: dict[str, int]
    links: list[LinkInfo] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Download:
    """A file being downloaded: iterate ``chunks`` once."""

    name: str
    size: int
    chunks: Iterator[bytes]


def state_name(reason: str | None) -> str:
    """``active``, or why a file or link cannot be used."""
    return reason or "active"


def file_state(row: FileRow) -> links.LinkState:
    """The refusal inputs of a file alone (its expiry, revocation, destruction)."""
    return links.LinkState(
        row.expires_at, None, None, 0, row.expires_at, row.revoked_at, row.destroyed_at
    )


def link_info(link: LinkRow, row: FileRow, now: datetime) -> LinkInfo:
    """A link as listings show it."""
    return LinkInfo(
        link.id, state_name(links.refusal(link.state(row), now)), link.expires_at, link.downloads,
        link.max_downloads, link.passphrase_hash is not None, len(link.recipient_hmacs),
    )  # fmt: skip


def validate(name: str, options: ShareOptions) -> None:
    """Check a file name and link options.

    Raises:
        InvalidInput: naming the bad option.
    """
    if not name or len(name) > 255:
        raise InvalidInput("a file name of 1-255 characters is required")
    if not timedelta(0) < options.expires_in <= links.MAX_TTL:
        raise InvalidInput(f"expiry must be between 1 s and {links.MAX_TTL.days} days")
    if options.max_downloads is not None and options.max_downloads < 1:
        raise InvalidInput("max downloads must be at least 1")
    if any("@" not in r or len(r) > 254 for r in options.recipients):
        raise InvalidInput("every recipient must be an e-mail address")


def file_info(row: FileRow, link_rows: list[LinkRow], name: str, now: datetime) -> FileInfo:
    """A file as ``share list`` shows it (``name`` already decrypted)."""
    return FileInfo(
        row.id, name, row.size, row.sender, state_name(links.refusal(file_state(row), now)),
        row.created_at, row.expires_at, row.scan_kind, row.counts,
        [link_info(lk, row, now) for lk in link_rows],
    )  # fmt: skip


def new_link(
    row: FileRow,
    options: ShareOptions,
    creator: str,
    now: datetime,
    passphrase_hash: str | None,
    recipients: list[str],
) -> tuple[LinkRow, Secret[str]]:
    """A new link row for ``row`` and its token (the token is never stored)."""
    link_id = new_id("shl")
    token, digest = links.new_token(link_id)
    expires = min(now + options.expires_in, row.expires_at)
    link = LinkRow(
        link_id, row.id, row.tenant_id, digest, expires, options.max_downloads, 0,
        passphrase_hash, json.dumps(recipients), creator, now, None,
    )  # fmt: skip
    return link, token
