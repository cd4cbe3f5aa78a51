"""Second factors: TOTP enrolment with replay protection, recovery codes, WebAuthn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import segno

from privault.access import repository as repo
from privault.access import totp
from privault.access import webauthn as wa
from privault.access.policy import mfa_fresh
from privault.app.auditing import PLATFORM, Auditor
from privault.app.authz import Authorizer
from privault.app.identity import IdentityService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied, Conflict, InvalidInput
from privault.core.secret import Secret
from privault.crypto._primitives import Aead
from privault.keys.hierarchy import KeyHierarchy
from privault.store.uow import UnitOfWork

CHALLENGE_TTL = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Enrollment:
    """A pending TOTP enrolment: the URI (and its QR code) to show once."""

    uri: Secret[str]
    qr_text: str


class MfaService:
    """Enrol, check and reset second factors."""

    def __init__(
        self,
        data: UnitOfWork,
        keys: KeyHierarchy,
        identity: IdentityService,
        auditor: Auditor,
        authz: Authorizer,
        clock: Clock,
        relying_party: wa.RelyingParty,
    ) -> None:
        self._data = data
        self._keys = keys
        self._identity = identity
        self._audit = auditor
        self._authz = authz
        self._clock = clock
        self.relying_party = relying_party

    def _seal(self) -> Aead:
        return Aead(self._keys.derived_key(PLATFORM, "token", "totp-seeds"))

    def _recovery_key(self) -> bytes:
        return self._keys.derived_key(PLATFORM, "index", "recovery-codes")

    def _fresh(self, ctx: RequestContext) -> bool:
        return mfa_fresh(ctx.principal, self._authz.context(ctx.principal))

    def webauthn_count(self, ctx: RequestContext, username: str) -> int:
        """How many security keys a user has registered (self, or ``mfa.enroll``)."""
        user = self._identity.user(username)
        self._authorize_self_or(ctx, "mfa.enroll", user.username)
        with self._data.transaction() as conn:
            return len(repo.webauthn_credentials_of(conn, user.id))

    def _authorize_self_or(self, ctx: RequestContext, action: str, username: str) -> None:
        """A user manages their own factors; others need ``action``."""
        if ctx.principal.id != f"user:{username}":
            self._authz.check(ctx, action, None, f"users/{username}")

    # -- TOTP -----------------------------------------------------------------------
    def enroll_totp(self, ctx: RequestContext, username: str) -> Enrollment:
        """Start TOTP enrolment: a new seed, sealed at rest, confirmed by a first code."""
        user = self._identity.user(username)
        self._authorize_self_or(ctx, "mfa.enroll", user.username)
        if user.mfa_enrolled_at is not None:
            raise Conflict("TOTP is already enrolled; reset it first")
        secret = totp.new_secret()
        sealed = self._seal().seal(secret.reveal().encode(), user.id.encode())
        with self._data.transaction() as conn:
            repo.update_user(conn, user.id, totp_secret=sealed, totp_last_step=None)
        uri = totp.provisioning_uri(secret, user.username)
        qr = segno.make(uri, error="m")
        return Enrollment(Secret(uri), _qr_text(qr))

    def confirm_totp(
        self, ctx: RequestContext, username: str, code: str
    ) -> tuple[Secret[str], ...]:
        """Finish enrolment with a first valid code; returns recovery codes (show once)."""
        user = self._identity.user(username)
        self._authorize_self_or(ctx, "mfa.enroll", user.username)
        if user.totp_secret is None or user.mfa_enrolled_at is not None:
            raise Conflict("no pending TOTP enrolment; run 'mfa enroll' first")
        if not self._check_totp(user, code):
            self._identity.event(ctx, "mfa.confirm", f"users/{username}", outcome="failed")
            raise InvalidInput("that code is not valid; check the device clock and retry")
        codes = totp.new_recovery_codes(self._recovery_key())
        with self._data.transaction() as conn:
            repo.update_user(conn, user.id, mfa_enrolled_at=self._clock.now())
            repo.replace_recovery_codes(conn, user.id, codes.hashes)
        self._identity.event(ctx, "mfa.enroll", f"users/{username}", outcome="allowed")
        return codes.codes

    def _check_totp(self, user: repo.User, code: str) -> bool:
        if user.totp_secret is None:
            return False
        secret = Secret(self._seal().open(user.totp_secret, user.id.encode()).decode())
        step = totp.verify_code(secret, code, self._clock.now(), user.totp_last_step)
        if step is None:
            return False
        with self._data.transaction() as conn:
            return repo.advance_totp_step(conn, user.id, step)

    def check_second_factor(self, user: repo.User, code: str) -> bool:
        """A TOTP code (each accepted once) or an unused recovery code."""
        if self._check_totp(user, code):
            return True
        digest = totp.hash_recovery_code(self._recovery_key(), Secret(code))
        with self._data.transaction() as conn:
            return repo.use_recovery_code(conn, user.id, digest, self._clock.now())

    def reset(self, ctx: RequestContext, username: str) -> None:
        """Remove every second factor of a user (an admin action, needs step-up)."""
        user = self._identity.user(username)
        decision = self._authz.check(ctx, "mfa.reset", None, f"users/{user.username}")
        with self._data.transaction() as conn:
            repo.update_user(
                conn, user.id, totp_secret=None, totp_last_step=None, mfa_enrolled_at=None
            )
            repo.replace_recovery_codes(conn, user.id, [])
            repo.delete_webauthn_credentials(conn, user.id)
            repo.revoke_user_sessions(conn, user.id, self._clock.now())
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "mfa.reset",
                        f"users/{user.username}",
                        tenant_id=None,
                        decision=decision,
                    )
                ],
            )

    # -- WebAuthn ---------------------------------------------------------------------
    def webauthn_register_begin(self, ctx: RequestContext, username: str) -> str:
        """Options JSON for the browser to create a credential."""
        user = self._identity.user(username)
        self._authorize_self_or(ctx, "mfa.enroll", user.username)
        own = ctx.principal.id == f"user:{user.username}"
        if own and user.mfa_enrolled_at is not None and not self._fresh(ctx):
            # A stolen session must not be able to add the thief's key.
            raise AccessDenied(
                "adding a security key needs a second factor proved in the last 15 minutes",
                rule="mfa-required",
            )
        with self._data.transaction() as conn:
            existing = [c for c, _k, _n in repo.webauthn_credentials_of(conn, user.id)]
        options, challenge = wa.registration_options(
            self.relying_party, user.id, user.username, existing
        )
        self._remember(user.id, "webauthn-register", challenge)
        return options

    def webauthn_register_finish(
        self, ctx: RequestContext, username: str, response_json: str
    ) -> str:
        """Verify and store the new credential; returns its id."""
        user = self._identity.user(username)
        self._authorize_self_or(ctx, "mfa.enroll", user.username)
        challenge = self._take(user.id, "webauthn-register")
        cred = wa.verify_registration(self.relying_party, response_json, challenge)
        with self._data.transaction() as conn:
            repo.add_webauthn_credential(
                conn,
                cred.credential_id,
                user.id,
                cred.public_key,
                cred.sign_count,
                self._clock.now(),
            )
            if user.mfa_enrolled_at is None:
                repo.update_user(conn, user.id, mfa_enrolled_at=self._clock.now())
        self._identity.event(
            ctx, "mfa.enroll", f"users/{username}", outcome="allowed", factor="webauthn"
        )
        return cred.credential_id

    def webauthn_auth_begin(self, username: str) -> str:
        """Options JSON for the browser to assert with a registered credential."""
        user = self._identity.user(username)
        with self._data.transaction() as conn:
            creds = [c for c, _k, _n in repo.webauthn_credentials_of(conn, user.id)]
        if not creds:
            raise AccessDenied("no WebAuthn credential is registered for this user")
        options, challenge = wa.authentication_options(self.relying_party, creds)
        self._remember(user.id, "webauthn-auth", challenge)
        return options

    def webauthn_auth_finish(self, username: str, response_json: str) -> bool:
        """Verify an assertion (its challenge is single use); True when valid."""
        import json

        user = self._identity.user(username)
        challenge = self._take(user.id, "webauthn-auth")
        try:
            cred_id = str(json.loads(response_json)["id"])
        except (ValueError, KeyError, TypeError):
            raise InvalidInput("malformed WebAuthn response") from None
        with self._data.transaction() as conn:
            known = {c: (k, n) for c, k, n in repo.webauthn_credentials_of(conn, user.id)}
        if cred_id not in known:
            raise AccessDenied("unknown WebAuthn credential")
        key, count = known[cred_id]
        new_count = wa.verify_authentication(
            self.relying_party, response_json, challenge, key, count
        )
        with self._data.transaction() as conn:
            repo.set_sign_count(conn, cred_id, new_count)
        return True

    def _remember(self, user_id: str, kind: str, challenge: bytes) -> None:
        with self._data.transaction() as conn:
            repo.put_challenge(conn, user_id, kind, challenge, self._clock.now() + CHALLENGE_TTL)

    def _take(self, user_id: str, kind: str) -> bytes:
        with self._data.transaction() as conn:
            found = repo.pop_challenge(conn, user_id, kind)
        if found is None or found[1] <= self._clock.now():
            raise AccessDenied("no pending WebAuthn challenge (expired or used); start again")
        return found[0]


def _qr_text(qr: segno.QRCode) -> str:
    """The QR code as text blocks for a terminal."""
    import io

    buffer = io.StringIO()
    qr.terminal(out=buffer, compact=True)
    return buffer.getvalue()
