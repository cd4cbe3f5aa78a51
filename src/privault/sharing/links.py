"""Share links: tokens, refusals, recipients and one-time codes. Pure: no I/O.

A link token is ``<link id>.<secret>``: the id finds the row, the secret
(256 random bits) is checked against its SHA-256 in constant time. Only the
digest is stored, so the link table cannot be replayed into working links.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from privault.core.errors import NotFound
from privault.core.secret import Secret

CODE_TTL = timedelta(minutes=10)
MAX_TTL = timedelta(days=90)
_SEP = "."


@dataclass(frozen=True, slots=True)
class LinkState:
    """What decides whether a link may still be used."""

    expires_at: datetime
    revoked_at: datetime | None
    max_downloads: int | None
    downloads: int
    file_expires_at: datetime
    file_revoked_at: datetime | None
    file_destroyed_at: datetime | None


def new_token(link_id: str) -> tuple[Secret[str], str]:
    """A fresh link token and the digest to store."""
    secret = secrets.token_urlsafe(32)
    return Secret(f"{link_id}{_SEP}{secret}"), digest(secret)


def digest(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_token(token: Secret[str]) -> tuple[str, str]:
    """Split a token into (link id, secret).

    Raises:
        NotFound: a malformed token (same message as an unknown link).
    """
    link_id, sep, secret = token.reveal().strip().partition(_SEP)
    if not sep or not link_id.startswith("shl_") or len(link_id) > 40 or not secret:
        raise NotFound("unknown or invalid share link")
    return link_id, secret


def secret_matches(secret: str, stored_digest: str) -> bool:
    """Constant-time check of a token secret against its stored digest."""
    return hmac.compare_digest(digest(secret), stored_digest)


def refusal(state: LinkState, now: datetime) -> str | None:
    """Why the link cannot be used now, or None when it can."""
    if state.file_destroyed_at is not None:
        return "destroyed"
    if state.revoked_at is not None or state.file_revoked_at is not None:
        return "revoked"
    if now >= state.expires_at or now >= state.file_expires_at:
        return "expired"
    if state.max_downloads is not None and state.downloads >= state.max_downloads:
        return "exhausted"
    return None


def normalize_email(address: str) -> str:
    """Lower-cased, trimmed address (what recipient HMACs are computed over)."""
    return address.strip().lower()


def recipient_hmac(key: bytes, address: str) -> str:
    """Keyed HMAC of a recipient's address: what links store instead of the address."""
    return hmac.new(key, normalize_email(address).encode(), hashlib.sha256).hexdigest()


def new_code() -> Secret[str]:
    """A six-digit one-time code."""
    return Secret(f"{secrets.randbelow(10**6):06d}")


def code_digest(key: bytes, link_id: str, recipient: str, code: str) -> str:
    """Keyed digest of a one-time code, bound to its link and recipient."""
    message = f"{link_id}\x00{recipient}\x00{code.strip()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
