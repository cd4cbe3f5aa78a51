"""SQL access to the key-store tables. Never commits: the caller's unit of work does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, update

from privault.keys.tables import root_versions, subject_keys, tenant_keys
from privault.store.bulk import insert_new


@dataclass(frozen=True, slots=True)
class RootVersion:
    """One root-key version as recorded in the key store."""

    version: int
    provider: str
    key_ref: str
    created_at: datetime
    retired_at: datetime | None


@dataclass(frozen=True, slots=True)
class TenantKeyRow:
    """One wrapped tenant key."""

    tenant_id: str
    purpose: str
    version: int
    root_version: int
    wrapped: bytes
    created_at: datetime
    retired_at: datetime | None


@dataclass(frozen=True, slots=True)
class SubjectKeyRow:
    """One wrapped per-subject data key."""

    tenant_id: str
    subject_id: str
    kek_version: int
    wrapped: bytes


def list_roots(conn: Connection) -> list[RootVersion]:
    """All root versions, oldest first."""
    rows = conn.execute(select(root_versions).order_by(root_versions.c.version))
    return [RootVersion(**r._mapping) for r in rows]


def add_root(conn: Connection, row: RootVersion) -> None:
    """Record a new root version."""
    conn.execute(insert(root_versions).values(**asdict(row)))


def retire_root(conn: Connection, version: int, when: datetime) -> None:
    """Mark a root version retired."""
    conn.execute(
        update(root_versions).where(root_versions.c.version == version).values(retired_at=when)
    )


def add_tenant_keys(conn: Connection, rows: Sequence[TenantKeyRow]) -> None:
    """Insert wrapped tenant keys."""
    conn.execute(insert(tenant_keys), [asdict(r) for r in rows])


def tenant_key_rows(
    conn: Connection, tenant_id: str, purpose: str | None = None
) -> list[TenantKeyRow]:
    """Wrapped tenant keys of one tenant (all purposes unless given), by version."""
    query = select(tenant_keys).where(tenant_keys.c.tenant_id == tenant_id)
    if purpose is not None:
        query = query.where(tenant_keys.c.purpose == purpose)
    rows = conn.execute(query.order_by(tenant_keys.c.purpose, tenant_keys.c.version))
    return [TenantKeyRow(**r._mapping) for r in rows]


def all_tenant_key_rows(conn: Connection) -> list[TenantKeyRow]:
    """Every wrapped tenant key, by tenant, purpose and version."""
    rows = conn.execute(
        select(tenant_keys).order_by(
            tenant_keys.c.tenant_id, tenant_keys.c.purpose, tenant_keys.c.version
        )
    )
    return [TenantKeyRow(**r._mapping) for r in rows]


def count_tenant_keys_on_root(conn: Connection, root_version: int) -> int:
    """How many tenant keys a root version wraps."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(tenant_keys)
            .where(tenant_keys.c.root_version == root_version)
        ).scalar_one()
    )


def tenant_keys_below_root(conn: Connection, root_version: int, limit: int) -> list[TenantKeyRow]:
    """Live tenant keys wrapped by a root version older than ``root_version``."""
    rows = conn.execute(
        select(tenant_keys)
        .where(tenant_keys.c.root_version < root_version, tenant_keys.c.retired_at.is_(None))
        .limit(limit)
    )
    return [TenantKeyRow(**r._mapping) for r in rows]


def rewrap_tenant_key(
    conn: Connection, row: TenantKeyRow, root_version: int, wrapped: bytes
) -> None:
    """Replace one tenant key's wrapping."""
    conn.execute(
        update(tenant_keys)
        .where(
            tenant_keys.c.tenant_id == row.tenant_id,
            tenant_keys.c.purpose == row.purpose,
            tenant_keys.c.version == row.version,
        )
        .values(root_version=root_version, wrapped=wrapped)
    )


def retire_tenant_key(conn: Connection, tenant_id: str, version: int, when: datetime) -> None:
    """Mark a tenant kek version retired."""
    conn.execute(
        update(tenant_keys)
        .where(
            tenant_keys.c.tenant_id == tenant_id,
            tenant_keys.c.purpose == "kek",
            tenant_keys.c.version == version,
        )
        .values(retired_at=when)
    )


_SUBJECT_KEYS = select(
    subject_keys.c.subject_id, subject_keys.c.kek_version, subject_keys.c.wrapped
).where(
    subject_keys.c.tenant_id == bindparam("tenant_id"),
    subject_keys.c.subject_id.in_(bindparam("ids", expanding=True)),
)


def subject_key_rows(
    conn: Connection, tenant_id: str, subject_ids: Iterable[str]
) -> dict[str, SubjectKeyRow]:
    """Wrapped data keys of the given subjects that exist."""
    ids = list(dict.fromkeys(subject_ids))
    found: dict[str, SubjectKeyRow] = {}
    for i in range(0, len(ids), 500):
        rows = conn.execute(_SUBJECT_KEYS, {"tenant_id": tenant_id, "ids": ids[i : i + 500]})
        for sid, ver, wrapped in rows:
            found[sid] = SubjectKeyRow(tenant_id, sid, ver, wrapped)
    return found


def add_subject_keys(conn: Connection, rows: Sequence[dict[str, object]]) -> None:
    """Insert wrapped subject data keys (dicts with the table's columns).

    A subject that has a key already keeps it: its row is skipped, not an error
    (two writers may create the same subject's key at once; the first wins).
    """
    insert_new(conn, subject_keys, rows)


def delete_subject_key(conn: Connection, tenant_id: str, subject_id: str) -> int:
    """Destroy one subject's wrapped data key; return rows deleted."""
    result = conn.execute(
        delete(subject_keys).where(
            subject_keys.c.tenant_id == tenant_id, subject_keys.c.subject_id == subject_id
        )
    )
    return int(result.rowcount or 0)


def subject_keys_below(
    conn: Connection, tenant_id: str, kek_version: int, limit: int
) -> list[SubjectKeyRow]:
    """Subject keys of a tenant wrapped by a kek version older than ``kek_version``."""
    rows = conn.execute(
        select(subject_keys.c.subject_id, subject_keys.c.kek_version, subject_keys.c.wrapped)
        .where(subject_keys.c.tenant_id == tenant_id, subject_keys.c.kek_version < kek_version)
        .order_by(subject_keys.c.subject_id)
        .limit(limit)
    )
    return [SubjectKeyRow(tenant_id, s, v, w) for s, v, w in rows]


def rewrap_subject_keys(
    conn: Connection, tenant_id: str, rows: Sequence[tuple[str, int, bytes]]
) -> None:
    """Store new wrappings: (subject_id, kek_version, wrapped) triples."""
    for subject_id, version, wrapped in rows:
        conn.execute(
            update(subject_keys)
            .where(
                and_(subject_keys.c.tenant_id == tenant_id, subject_keys.c.subject_id == subject_id)
            )
            .values(kek_version=version, wrapped=wrapped)
        )


def subject_counts_by_kek(conn: Connection) -> dict[tuple[str, int], int]:
    """How many subject keys each (tenant, kek version) wraps."""
    rows = conn.execute(
        select(subject_keys.c.tenant_id, subject_keys.c.kek_version, func.count()).group_by(
            subject_keys.c.tenant_id, subject_keys.c.kek_version
        )
    )
    return {(t, v): int(n) for t, v, n in rows}
