"""First start: a one-time setup link that creates the first owner.

The token is random, shown once, kept only as its SHA-256 digest (in the
memory of the serving process) and expires; redeeming it works only while no
user exists, so a leaked link is worthless once the owner is created.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from datetime import datetime, timedelta
from pathlib import Path

from privault.access import repository as access_repo
from privault.app.access import AccessService
from privault.app.identity import IdentityService, digest
from privault.core.clock import Clock
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied, Conflict
from privault.core.secret import Secret
from privault.store.uow import UnitOfWork

SETUP_TTL = timedelta(hours=1)
SETUP_ACTOR = "setup:first-owner"


class SetupService:
    """Issue and redeem the one-time first-owner token."""

    def __init__(
        self, data: UnitOfWork, identity: IdentityService, access: AccessService, clock: Clock
    ) -> None:
        self._data = data
        self._identity = identity
        self._access = access
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: tuple[str, datetime] | None = None

    def needed(self) -> bool:
        """True while the installation has no user at all."""
        with self._data.transaction() as conn:
            return not access_repo.list_users(conn)

    def create_setup_token(self, ctx: RequestContext) -> Secret[str]:
        """A new one-time token (replacing any earlier one), valid for an hour.

        Raises:
            Conflict: users exist already; sign in instead.
        """
        if not self.needed():
            raise Conflict("setup is done: users exist; sign in instead")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._pending = (digest(token), self._clock.now() + SETUP_TTL)
        self._identity.event(ctx, "setup.token", "users", outcome="allowed")
        return Secret(token)

    def redeem(self, token: Secret[str], username: str, password: Secret[str]) -> str:
        """Create the first owner with ``password``; the token works once.

        Raises:
            AccessDenied: unknown, used or expired token, or setup already done.
            InvalidInput: bad username or a weak password (the token stays valid).
        """
        now = self._clock.now()
        with self._lock:
            pending = self._pending
            valid = (
                pending is not None
                and hmac.compare_digest(pending[0], digest(token.reveal()))
                and now < pending[1]
            )
            if not valid or not self.needed():
                raise AccessDenied("this setup link is not valid (used or expired)", rule="setup")
            ctx = RequestContext(
                Principal(SETUP_ACTOR, frozenset({"owner"}), mfa_at=now), source="setup"
            )
            user = self._identity.add_user(ctx, username, password=password)
            self._access.grant(ctx, user.username, "owner")
            self._pending = None
        return user.username


def write_self_signed(directory: Path, hostname: str) -> tuple[Path, Path]:
    """Write (or reuse) a self-signed certificate and key for a first HTTPS start.

    The key file is created with mode 0600. Returns (certificate path, key path).
    """
    from privault.crypto._primitives import self_signed_certificate

    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "selfsigned.crt", directory / "selfsigned.key"
    if not (cert_path.exists() and key_path.exists()):
        cert_pem, key_pem = self_signed_certificate(hostname)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key_pem)
        cert_path.write_bytes(cert_pem)
    return cert_path, key_path
