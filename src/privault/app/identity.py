"""Identity use cases: users, passwords, sign-in, sessions, second factors, API keys.

Secrets handed out (session tokens, API keys, TOTP seeds, recovery codes)
are returned once as :class:`Secret` and stored only hashed or sealed.
Failed sign-ins are counted per account and per source address and answered
with one generic message, so the response does not tell which part was wrong.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from privault.access import repository as repo
from privault.access.passwords import HISTORY, check_password
from privault.access.policy import Decision
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.core.clock import Clock
from privault.core.context import Principal, RequestContext
from privault.core.errors import Conflict, InvalidInput, NotFound
from privault.core.ids import check_slug, new_id
from privault.core.secret import Secret
from privault.crypto.kdf import hash_password
from privault.store.uow import UnitOfWork

API_KEY_PREFIX = "pvk_"


def digest(token: str) -> str:
    """SHA-256 hex of a high-entropy token (session tokens, API-key secrets)."""
    return hashlib.sha256(token.encode()).hexdigest()


class IdentityService:
    """Users, sign-in, sessions, MFA and API keys."""

    def __init__(self, data: UnitOfWork, auditor: Auditor, authz: Authorizer, clock: Clock) -> None:
        self._data = data
        self._audit = auditor
        self._authz = authz
        self._clock = clock

    # -- helpers ------------------------------------------------------------------
    def user(self, name: str) -> repo.User:
        """A user by username or id.

        Raises:
            NotFound: no such user.
        """
        with self._data.transaction() as conn:
            found = repo.get_user(conn, name)
        if found is None:
            raise NotFound(f"no user {name!r}")
        return found

    def principal_for(
        self,
        user: repo.User,
        mfa_at: datetime | None = None,
        scopes: Iterable[str] | None = None,
        via: str | None = None,
    ) -> Principal:
        """The principal a user acts as: its grants, MFA time and scopes.

        ``via`` names the credential (an API key) in the principal id, so the
        audit trail shows which key acted.
        """
        with self._data.read() as conn:
            return self.principal_in(conn, user, mfa_at, scopes, via)

    @staticmethod
    def principal_in(
        conn: Connection,
        user: repo.User,
        mfa_at: datetime | None = None,
        scopes: Iterable[str] | None = None,
        via: str | None = None,
    ) -> Principal:
        """:meth:`principal_for`, reading the grants on ``conn``."""
        grants = repo.grants_of(conn, user.id)
        return Principal(
            id=f"user:{user.username}" + (f"/{via}" if via else ""),
            roles=frozenset(r for r, t, _at in grants if t is None),
            tenant_roles=frozenset((t, r) for r, t, _at in grants if t is not None),
            mfa_at=mfa_at,
            scopes=frozenset(scopes) if scopes is not None else None,
        )

    def event(
        self, ctx: RequestContext, action: str, path: str, *, outcome: str, **detail: Any
    ) -> None:
        """Audit an identity event (sign-in, MFA) in its own transaction."""
        decision = Decision(outcome == "allowed", "identity", action)
        self._audit.write_now(
            [
                self._audit.event(
                    ctx, action, path, tenant_id=None, decision=decision, outcome=outcome, **detail
                )
            ]
        )

    # -- users --------------------------------------------------------------------
    def add_user(
        self,
        ctx: RequestContext,
        username: str,
        *,
        display_name: str | None = None,
        password: Secret[str] | None = None,
        kind: str = "user",
    ) -> repo.User:
        """Create a user (kind ``user`` or ``service``), optionally with a password."""
        check_slug(username, "user")
        if kind not in ("user", "service"):
            raise InvalidInput("kind must be 'user' or 'service'")
        decision = self._authz.check(ctx, "user.add", None, f"users/{username}")
        phc = None
        if password is not None:
            check_password(password, user_inputs=[username, display_name or ""])
            phc = hash_password(password)
        now = self._clock.now()
        uid = new_id("usr")
        with self._data.transaction() as conn:
            if repo.get_user(conn, username) is not None:
                raise Conflict(f"user {username!r} already exists")
            repo.add_user(
                conn,
                id=uid,
                username=username,
                display_name=display_name or username,
                kind=kind,
                status="active",
                password_hash=phc,
                password_changed_at=now if phc else None,
                created_at=now,
            )
            if phc:
                repo.add_password_history(conn, uid, phc)
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "user.add",
                        f"users/{username}",
                        tenant_id=None,
                        decision=decision,
                        kind=kind,
                    )
                ],
            )
        return self.user(uid)

    def list_users(self, ctx: RequestContext) -> list[repo.User]:
        """Every user."""
        self._authz.check(ctx, "user.list", None, "users")
        with self._data.transaction() as conn:
            return repo.list_users(conn)

    def set_password(self, ctx: RequestContext, username: str, new: Secret[str]) -> None:
        """Set a user's password (policy and no-reuse checked); ends their sessions."""
        user = self.user(username)
        decision = self._authz.check(ctx, "user.password", None, f"users/{user.username}")
        with self._data.transaction() as conn:
            history = repo.password_hashes(conn, user.id, HISTORY)
        check_password(new, user_inputs=[user.username, user.display_name], history=history)
        phc, now = hash_password(new), self._clock.now()
        with self._data.transaction() as conn:
            repo.update_user(conn, user.id, password_hash=phc, password_changed_at=now)
            repo.add_password_history(conn, user.id, phc)
            repo.revoke_user_sessions(conn, user.id, now)
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "user.password",
                        f"users/{user.username}",
                        tenant_id=None,
                        decision=decision,
                    )
                ],
            )

    def disable(self, ctx: RequestContext, username: str) -> None:
        """Disable a user: sessions and API keys stop working at once."""
        user = self.user(username)
        decision = self._authz.check(ctx, "user.disable", None, f"users/{user.username}")
        now = self._clock.now()
        with self._data.transaction() as conn:
            repo.update_user(conn, user.id, status="disabled")
            repo.revoke_user_sessions(conn, user.id, now)
            for key in repo.list_api_keys(conn, user.id):
                if key.revoked_at is None:
                    repo.set_api_key(conn, key.id, revoked_at=now)
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "user.disable",
                        f"users/{user.username}",
                        tenant_id=None,
                        decision=decision,
                    )
                ],
            )
        self._authz.invalidate()  # after the commit: no one re-reads the user as active

    # -- API keys -------------------------------------------------------------------
    def create_api_key(
        self,
        ctx: RequestContext,
        username: str,
        name: str,
        *,
        scopes: Iterable[str],
        expires_in: timedelta | None = None,
    ) -> tuple[repo.ApiKey, Secret[str]]:
        """Issue an API key for a user; the token is returned once, stored hashed."""
        user = self.user(username)
        scope_list = tuple(sorted({s.strip() for s in scopes if s.strip()}))
        if not scope_list:
            raise InvalidInput("an API key needs at least one scope (an action glob)")
        decision = self._authz.check(ctx, "apikey.create", None, f"users/{user.username}")
        key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        now = self._clock.now()
        key = repo.ApiKey(
            key_id,
            user.id,
            name,
            digest(secret),
            scope_list,
            now,
            now + expires_in if expires_in else None,
            None,
            None,
        )
        with self._data.transaction() as conn:
            repo.add_api_key(conn, key)
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "apikey.create",
                        f"apikeys/{key_id}",
                        tenant_id=None,
                        decision=decision,
                        user=user.username,
                        scopes=list(scope_list),
                    )
                ],
            )
        return key, Secret(f"{API_KEY_PREFIX}{key_id}_{secret}")

    def revoke_api_key(self, ctx: RequestContext, key_id: str) -> None:
        """Revoke an API key at once."""
        decision = self._authz.check(ctx, "apikey.revoke", None, f"apikeys/{key_id}")
        with self._data.transaction() as conn:
            if repo.get_api_key(conn, key_id) is None:
                raise NotFound(f"no API key {key_id}")
            repo.set_api_key(conn, key_id, revoked_at=self._clock.now())
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx, "apikey.revoke", f"apikeys/{key_id}", tenant_id=None, decision=decision
                    )
                ],
            )
        self._authz.invalidate()  # after the commit: no one re-reads the key as valid

    def api_keys(self, ctx: RequestContext, username: str | None = None) -> list[repo.ApiKey]:
        """API keys (hashes only), of one user or all."""
        self._authz.check(ctx, "apikey.list", None, "apikeys")
        user_id = self.user(username).id if username else None
        with self._data.transaction() as conn:
            return repo.list_api_keys(conn, user_id)
