"""SQL over the identity and access tables. Functions take a connection; none commits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from privault.access.lockout import FailureState
from privault.access.tables import (
    api_keys,
    auth_failures,
    break_glass,
    custom_roles,
    mfa_challenges,
    password_history,
    recovery_codes,
    role_grants,
    sessions,
    users,
    webauthn_credentials,
)
from privault.core.clock import as_utc, aware_row

GLOBAL = "*"


@dataclass(frozen=True, slots=True)
class User:
    """A person or service account that can sign in."""

    id: str
    username: str
    display_name: str
    kind: str
    status: str
    password_hash: str | None
    password_changed_at: datetime | None
    totp_secret: bytes | None
    totp_last_step: int | None
    mfa_enrolled_at: datetime | None
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored API key (the secret only as its hash)."""

    id: str
    user_id: str
    name: str
    secret_hash: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class Session:
    """A sign-in session (the token only as its hash, the id)."""

    id: str
    user_id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    mfa_at: datetime | None
    revoked_at: datetime | None
    source: str


# -- users ----------------------------------------------------------------------
def add_user(conn: Connection, **values: Any) -> None:
    """Insert a user row."""
    conn.execute(insert(users).values(**values))


_USER = select(users).where((users.c.id == bindparam("u")) | (users.c.username == bindparam("u")))


def get_user(conn: Connection, id_or_name: str) -> User | None:
    """A user by id or username."""
    row = conn.execute(_USER, {"u": id_or_name}).first()
    return User(**aware_row(row._mapping)) if row else None


def list_users(conn: Connection) -> list[User]:
    """All users by username."""
    return [
        User(**aware_row(r._mapping))
        for r in conn.execute(select(users).order_by(users.c.username))
    ]


def update_user(conn: Connection, user_id: str, **values: Any) -> None:
    """Change columns of one user."""
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def add_password_history(conn: Connection, user_id: str, phc: str) -> None:
    """Remember a password hash (for the no-reuse rule)."""
    seqs = [
        s
        for (s,) in conn.execute(
            select(password_history.c.seq).where(password_history.c.user_id == user_id)
        )
    ]
    conn.execute(
        insert(password_history).values(
            user_id=user_id, seq=max(seqs, default=0) + 1, password_hash=phc
        )
    )


def password_hashes(conn: Connection, user_id: str, limit: int) -> list[str]:
    """The user's last ``limit`` password hashes, newest first."""
    rows = conn.execute(
        select(password_history.c.password_hash)
        .where(password_history.c.user_id == user_id)
        .order_by(password_history.c.seq.desc())
        .limit(limit)
    )
    return [h for (h,) in rows]


# -- recovery codes -------------------------------------------------------------
def replace_recovery_codes(conn: Connection, user_id: str, hashes: Sequence[str]) -> None:
    """Forget old recovery codes; store new ones."""
    conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    if hashes:
        conn.execute(
            insert(recovery_codes),
            [{"user_id": user_id, "code_hash": h, "used_at": None} for h in hashes],
        )


def use_recovery_code(conn: Connection, user_id: str, code_hash: str, now: datetime) -> bool:
    """Spend one unused recovery code; True if it was valid."""
    result = conn.execute(
        update(recovery_codes)
        .where(
            recovery_codes.c.user_id == user_id,
            recovery_codes.c.code_hash == code_hash,
            recovery_codes.c.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return bool(result.rowcount)


# -- grants and roles -----------------------------------------------------------
def add_grant(
    conn: Connection, user_id: str, role: str, tenant_id: str | None, now: datetime, by: str
) -> None:
    """Grant ``role`` to a user on a tenant (None: every tenant)."""
    conn.execute(
        insert(role_grants).values(
            user_id=user_id, role=role, tenant_id=tenant_id or GLOBAL, granted_at=now, granted_by=by
        )
    )


def remove_grant(conn: Connection, user_id: str, role: str, tenant_id: str | None) -> int:
    """Revoke a grant; return rows removed."""
    result = conn.execute(
        delete(role_grants).where(
            role_grants.c.user_id == user_id,
            role_grants.c.role == role,
            role_grants.c.tenant_id == (tenant_id or GLOBAL),
        )
    )
    return int(result.rowcount or 0)


_GRANTS = select(role_grants.c.role, role_grants.c.tenant_id, role_grants.c.granted_at).where(
    role_grants.c.user_id == bindparam("user_id")
)


def grants_of(conn: Connection, user_id: str) -> list[tuple[str, str | None, datetime]]:
    """(role, tenant or None, granted_at) of one user."""
    rows = conn.execute(_GRANTS, {"user_id": user_id})
    return [(r, None if t == GLOBAL else t, as_utc(at) or at) for r, t, at in rows]


def put_custom_role(conn: Connection, name: str, definition: dict[str, Any], now: datetime) -> None:
    """Insert or replace a custom role."""
    conn.execute(delete(custom_roles).where(custom_roles.c.name == name))
    conn.execute(
        insert(custom_roles).values(name=name, definition=json.dumps(definition), updated_at=now)
    )


def custom_role_definitions(conn: Connection) -> list[dict[str, Any]]:
    """Every custom role's definition."""
    rows = conn.execute(select(custom_roles.c.definition).order_by(custom_roles.c.name))
    return [json.loads(d) for (d,) in rows]


# -- API keys -------------------------------------------------------------------
def add_api_key(conn: Connection, key: ApiKey) -> None:
    """Store an API key (hash only)."""
    conn.execute(
        insert(api_keys).values(
            id=key.id,
            user_id=key.user_id,
            name=key.name,
            secret_hash=key.secret_hash,
            scopes=json.dumps(list(key.scopes)),
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=None,
            last_used_at=None,
        )
    )


_API_KEY = select(api_keys).where(api_keys.c.id == bindparam("key_id"))


def get_api_key(conn: Connection, key_id: str) -> ApiKey | None:
    """An API key by id."""
    row = conn.execute(_API_KEY, {"key_id": key_id}).first()
    if row is None:
        return None
    values = aware_row(row._mapping)
    values["scopes"] = tuple(json.loads(values["scopes"]))
    return ApiKey(**values)


def list_api_keys(conn: Connection, user_id: str | None = None) -> list[ApiKey]:
    """API keys, of one user or all."""
    query = select(api_keys.c.id)
    if user_id is not None:
        query = query.where(api_keys.c.user_id == user_id)
    ids = [i for (i,) in conn.execute(query.order_by(api_keys.c.created_at))]
    return [k for i in ids if (k := get_api_key(conn, i)) is not None]


def set_api_key(conn: Connection, key_id: str, **values: Any) -> None:
    """Update an API key (revoked_at, last_used_at)."""
    conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(**values))


# -- sessions -------------------------------------------------------------------
def add_session(conn: Connection, session: Session) -> None:
    """Store a session (its id is the token's hash)."""
    conn.execute(
        insert(sessions).values(
            id=session.id,
            user_id=session.user_id,
            created_at=session.created_at,
            last_seen_at=session.last_seen_at,
            expires_at=session.expires_at,
            mfa_at=session.mfa_at,
            revoked_at=session.revoked_at,
            source=session.source,
        )
    )


def get_session(conn: Connection, session_id: str) -> Session | None:
    """A session by id."""
    row = conn.execute(select(sessions).where(sessions.c.id == session_id)).first()
    return Session(**aware_row(row._mapping)) if row else None


def set_session(conn: Connection, session_id: str, **values: Any) -> None:
    """Update a session."""
    conn.execute(update(sessions).where(sessions.c.id == session_id).values(**values))


def revoke_user_sessions(conn: Connection, user_id: str, now: datetime) -> int:
    """Revoke every live session of a user."""
    result = conn.execute(
        update(sessions)
        .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount or 0)


# -- failures, WebAuthn, challenges, break-glass ----------------------------------
def get_failure(conn: Connection, key: str) -> FailureState | None:
    """Failure counter of a user or address."""
    row = conn.execute(select(auth_failures).where(auth_failures.c.key == key)).first()
    if row is None:
        return None
    last_at = as_utc(row.last_at)
    assert last_at is not None
    return FailureState(int(row._mapping["count"]), last_at, as_utc(row.locked_until))


def put_failure(conn: Connection, key: str, state: FailureState | None) -> None:
    """Store (or clear, with None) a failure counter."""
    conn.execute(delete(auth_failures).where(auth_failures.c.key == key))
    if state is not None:
        conn.execute(
            insert(auth_failures).values(
                key=key, count=state.count, last_at=state.last_at, locked_until=state.locked_until
            )
        )


def add_webauthn_credential(
    conn: Connection, cred_id: str, user_id: str, public_key: bytes, sign_count: int, now: datetime
) -> None:
    """Store a registered WebAuthn credential."""
    conn.execute(
        insert(webauthn_credentials).values(
            id=cred_id,
            user_id=user_id,
            public_key=public_key,
            sign_count=sign_count,
            created_at=now,
        )
    )


def webauthn_credentials_of(conn: Connection, user_id: str) -> list[tuple[str, bytes, int]]:
    """(credential id, public key, sign count) of a user."""
    rows = conn.execute(
        select(
            webauthn_credentials.c.id,
            webauthn_credentials.c.public_key,
            webauthn_credentials.c.sign_count,
        ).where(webauthn_credentials.c.user_id == user_id)
    )
    return [(i, bytes(k), int(n)) for i, k, n in rows]


def set_sign_count(conn: Connection, cred_id: str, count: int) -> None:
    """Record a credential's new signature counter."""
    conn.execute(
        update(webauthn_credentials)
        .where(webauthn_credentials.c.id == cred_id)
        .values(sign_count=count)
    )


def put_challenge(
    conn: Connection, user_id: str, kind: str, challenge: bytes, expires_at: datetime
) -> None:
    """Remember the one pending challenge of a kind for a user."""
    conn.execute(
        delete(mfa_challenges).where(
            mfa_challenges.c.user_id == user_id, mfa_challenges.c.kind == kind
        )
    )
    conn.execute(
        insert(mfa_challenges).values(
            user_id=user_id, kind=kind, challenge=challenge, expires_at=expires_at
        )
    )


def pop_challenge(conn: Connection, user_id: str, kind: str) -> tuple[bytes, datetime] | None:
    """Take (and forget) the pending challenge."""
    row = conn.execute(
        select(mfa_challenges.c.challenge, mfa_challenges.c.expires_at).where(
            mfa_challenges.c.user_id == user_id, mfa_challenges.c.kind == kind
        )
    ).first()
    conn.execute(
        delete(mfa_challenges).where(
            mfa_challenges.c.user_id == user_id, mfa_challenges.c.kind == kind
        )
    )
    return (bytes(row[0]), as_utc(row[1]) or row[1]) if row else None


def add_break_glass(conn: Connection, **values: Any) -> None:
    """Record a break-glass grant."""
    conn.execute(insert(break_glass).values(**values))


def active_break_glass(conn: Connection, user_id: str, now: datetime) -> frozenset[str]:
    """Tenants on which a user holds a live break-glass grant."""
    rows = conn.execute(
        select(break_glass.c.tenant_id).where(
            break_glass.c.user_id == user_id,
            break_glass.c.starts_at <= now,
            break_glass.c.ends_at > now,
        )
    )
    return frozenset(t for (t,) in rows)


def advance_totp_step(conn: Connection, user_id: str, step: int) -> bool:
    """Record an accepted TOTP step, only if it is later than the last one.

    The condition is in the UPDATE itself, so two concurrent uses of one code
    cannot both succeed.
    """
    result = conn.execute(
        update(users)
        .where(
            users.c.id == user_id,
            (users.c.totp_last_step.is_(None)) | (users.c.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    return bool(result.rowcount)


def delete_webauthn_credentials(conn: Connection, user_id: str) -> int:
    """Forget every WebAuthn credential of a user."""
    result = conn.execute(
        delete(webauthn_credentials).where(webauthn_credentials.c.user_id == user_id)
    )
    return int(result.rowcount or 0)
