"""Sign-in: passwords with lockout and back-off, sessions, API-key authentication."""

from __future__ import annotations

import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from privault.access import lockout
from privault.access import repository as repo
from privault.app.authz import Authorizer
from privault.app.identity import API_KEY_PREFIX, IdentityService, digest
from privault.app.mfa import MfaService
from privault.core.clock import Clock
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied, InvalidInput
from privault.core.secret import Secret
from privault.crypto.kdf import hash_password, verify_password
from privault.store.uow import UnitOfWork

SESSION_IDLE = timedelta(minutes=30)
SESSION_ABSOLUTE = timedelta(hours=12)
BAD_LOGIN = "invalid username, password or code"


@cache
def _dummy_phc() -> str:
    """A real Argon2id hash to verify against for unknown users (equal timing)."""
    return hash_password(Secret(secrets.token_urlsafe(24)))


@dataclass(frozen=True, slots=True)
class Login:
    """A new session: the token (show once, as a cookie) and its principal."""

    token: Secret[str]
    principal: Principal
    expires_at: datetime


#: How long one process trusts an API key it checked before looking again.
API_KEY_MEMO = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class _CheckedKey:
    """A successful API-key check, remembered for :data:`API_KEY_MEMO`."""

    secret_hash: str
    principal: Principal
    expires_at: datetime | None
    checked_at: datetime
    epoch: int


class SignInService:
    """Password (+ second factor) sign-in, sessions and API keys."""

    def __init__(
        self,
        data: UnitOfWork,
        identity: IdentityService,
        mfa: MfaService,
        authz: Authorizer,
        clock: Clock,
    ) -> None:
        self._data = data
        self._identity = identity
        self._mfa = mfa
        self._authz = authz
        self._clock = clock
        self._checked: dict[str, _CheckedKey] = {}  # key id -> last successful check

    def _check_locks(self, keys: list[str], now: datetime) -> None:
        with self._data.transaction() as conn:
            for key in keys:
                wait = lockout.locked(repo.get_failure(conn, key), now)
                if wait is not None:
                    seconds = math.ceil(wait.total_seconds())
                    raise AccessDenied(
                        f"too many failed attempts; try again in {seconds} s", rule="lockout"
                    )

    def _fail(
        self, ctx: RequestContext, keys: list[str], username: str, now: datetime, stage: str
    ) -> None:
        """Count a failure per account and address; audit which stage failed.

        The user still sees one generic message; the trail (which monitoring
        reads for password-spray and MFA-guessing bursts) records the stage.
        """
        with self._data.transaction() as conn:
            for key in keys:
                repo.put_failure(conn, key, lockout.after_failure(repo.get_failure(conn, key), now))
        self._identity.event(ctx, "auth.login", f"users/{username}", outcome="failed", stage=stage)

    def login(
        self,
        ctx: RequestContext,
        username: str,
        password: Secret[str],
        *,
        code: str | None = None,
        webauthn: str | None = None,
    ) -> Login:
        """Check password and, when enrolled, a second factor; open a session.

        The second factor is a TOTP or recovery ``code``, or a ``webauthn``
        assertion (JSON) answering :meth:`webauthn_challenge`.

        Raises:
            AccessDenied: one generic message for any wrong part; or locked out.
        """
        now = self._clock.now()
        keys = [f"user:{username.lower()}", f"addr:{ctx.source}"]
        user = self._password(ctx, keys, username, password, now)
        mfa_at = None
        if user.mfa_enrolled_at is not None:
            if not self._second_factor(user, code, webauthn):
                self._fail(ctx, keys, username, now, "mfa")
                raise AccessDenied(BAD_LOGIN, rule="login")
            mfa_at = now
        return self._open(ctx, user, keys, mfa_at)

    def webauthn_challenge(self, ctx: RequestContext, username: str, password: Secret[str]) -> str:
        """Assertion options for signing in with a security key, once the password is right.

        The password comes first so that nobody learns who has a key; failures
        count towards the lockout like any sign-in.

        Raises:
            AccessDenied: wrong password, locked out, or no key registered.
        """
        now = self._clock.now()
        keys = [f"user:{username.lower()}", f"addr:{ctx.source}"]
        user = self._password(ctx, keys, username, password, now)
        return self._mfa.webauthn_auth_begin(user.username)

    def _password(
        self, ctx: RequestContext, keys: list[str], username: str, password: Secret[str],
        now: datetime,
    ) -> repo.User:  # fmt: skip
        self._check_locks(keys, now)
        with self._data.transaction() as conn:
            user = repo.get_user(conn, username)
        ok = verify_password(
            user.password_hash if user and user.password_hash else _dummy_phc(), password
        )
        if not ok or user is None or user.status != "active":
            self._fail(ctx, keys, username, now, "password")
            raise AccessDenied(BAD_LOGIN, rule="login")
        return user

    def _second_factor(self, user: repo.User, code: str | None, webauthn: str | None) -> bool:
        if webauthn:
            try:
                return self._mfa.webauthn_auth_finish(user.username, webauthn)
            except (AccessDenied, InvalidInput):
                return False
        return bool(code) and self._mfa.check_second_factor(user, code or "")

    def _open(
        self, ctx: RequestContext, user: repo.User, keys: list[str], mfa_at: datetime | None
    ) -> Login:
        now = self._clock.now()
        token = secrets.token_urlsafe(32)
        session = repo.Session(
            digest(token), user.id, now, now, now + SESSION_ABSOLUTE, mfa_at, None, ctx.source
        )
        with self._data.transaction() as conn:
            repo.put_failure(conn, keys[0], None)
            repo.add_session(conn, session)
            repo.update_user(conn, user.id, last_login_at=now)
        self._identity.event(
            ctx, "auth.login", f"users/{user.username}", outcome="allowed", mfa=mfa_at is not None
        )
        return Login(Secret(token), self._identity.principal_for(user, mfa_at), session.expires_at)

    def session(self, token: Secret[str]) -> Principal:
        """The principal of a live session (idle and absolute expiry enforced).

        Raises:
            AccessDenied: unknown, revoked or expired session.
        """
        now = self._clock.now()
        with self._data.transaction() as conn:
            found = repo.get_session(conn, digest(token.reveal()))
            if (
                found is None
                or found.revoked_at is not None
                or now >= found.expires_at
                or now - found.last_seen_at > SESSION_IDLE
            ):
                raise AccessDenied("the session is not valid; sign in again", rule="session")
            repo.set_session(conn, found.id, last_seen_at=now)
            user = repo.get_user(conn, found.user_id)
        if user is None or user.status != "active":
            raise AccessDenied("the session is not valid; sign in again", rule="session")
        return self._identity.principal_for(user, found.mfa_at)

    def step_up(
        self, ctx: RequestContext, token: Secret[str], code: str, *, webauthn: str | None = None
    ) -> Login:
        """Prove a second factor inside a session: a *new* session with fresh MFA.

        The factor is a TOTP or recovery ``code``, or a ``webauthn`` assertion
        answering :meth:`MfaService.webauthn_auth_begin`. The old token is
        revoked (the session id rotates on privilege change).
        """
        principal = self.session(token)
        user = self._identity.user(principal.id.removeprefix("user:"))
        if not self._second_factor(user, code, webauthn):
            self._identity.event(ctx, "auth.step_up", f"users/{user.username}", outcome="failed")
            raise AccessDenied(BAD_LOGIN, rule="step-up")
        self.logout(token)
        return self._open(ctx, user, [f"user:{user.username}"], self._clock.now())

    def logout(self, token: Secret[str]) -> None:
        """Revoke one session."""
        with self._data.transaction() as conn:
            repo.set_session(conn, digest(token.reveal()), revoked_at=self._clock.now())

    def remembered_api_key(self, token: Secret[str]) -> Principal | None:
        """The principal of an API key this process checked under :data:`API_KEY_MEMO` ago.

        No store access: None when the key was not checked lately (or anything
        about access changed here since), and :meth:`api_key` must look.
        """
        value = token.reveal()
        key_id, _, secret = value.removeprefix(API_KEY_PREFIX).partition("_")
        known = self._checked.get(key_id)
        if known is None or not value.startswith(API_KEY_PREFIX):
            return None
        now = self._clock.now()
        if (
            known.epoch != self._authz.epoch
            or not timedelta(0) <= now - known.checked_at < API_KEY_MEMO
            or (known.expires_at is not None and now >= known.expires_at)
            or not hmac.compare_digest(known.secret_hash, digest(secret))
        ):
            return None
        return known.principal

    def api_key(self, token: Secret[str]) -> Principal:
        """The principal of an API key (its owner's grants, narrowed by its scopes).

        A key checked here under :data:`API_KEY_MEMO` ago is not looked up
        again: a revocation, a disabled owner or changed grants take effect at
        once in this process and within that time in the other server workers.

        Raises:
            AccessDenied: malformed, unknown, revoked or expired key.
        """
        remembered = self.remembered_api_key(token)
        if remembered is not None:
            return remembered
        value = token.reveal()
        key_id, _, secret = value.removeprefix(API_KEY_PREFIX).partition("_")
        now = self._clock.now()
        epoch = self._authz.epoch  # read first: a change committed meanwhile voids the memo
        with self._data.read() as conn:
            key = repo.get_api_key(conn, key_id) if value.startswith(API_KEY_PREFIX) else None
            valid = key is not None and hmac.compare_digest(key.secret_hash, digest(secret))
            if (
                key is None
                or not valid
                or key.revoked_at is not None
                or (key.expires_at is not None and now >= key.expires_at)
            ):
                raise AccessDenied("invalid API key", rule="apikey")
            user = repo.get_user(conn, key.user_id)
            principal = None
            if user is not None and user.status == "active":
                via = f"apikey:{key.id}"
                principal = self._identity.principal_in(conn, user, None, key.scopes, via=via)
        # Recorded at most once a minute: a write per request would
        # serialise every API call on this row.
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
            with self._data.transaction() as conn:
                repo.set_api_key(conn, key.id, last_used_at=now)
        if principal is None:
            raise AccessDenied("invalid API key", rule="apikey")
        self._checked[key.id] = _CheckedKey(key.secret_hash, principal, key.expires_at, now, epoch)
        # An API key carries no interactive second factor: sensitive (step-up)
        # actions stay out of reach of keys by design.
        return principal
