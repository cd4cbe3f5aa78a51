"""SQL over the vault's tables. Functions take a connection; none commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from privault.store.bulk import FIELD_COLUMNS, insert_new, insert_rows, member_of
from privault.vault.tables import (
    record_fields,
    record_types,
    records,
    shredded_subjects,
    tenants,
    tokens,
)


@dataclass(frozen=True, slots=True)
class Tenant:
    """A client organisation of the MSP."""

    id: str
    slug: str
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record's metadata and its encrypted fields."""

    id: str
    record_type: str
    subject_id: str
    created_at: datetime
    updated_at: datetime
    fields: dict[str, tuple[bytes, str | None]]  # field -> (envelope, token)


# (record_id, field, ciphertext, blind_index, token), in FIELD_COLUMNS order
FieldRow = tuple[str, str, bytes, bytes | None, str | None]


# -- tenants ----------------------------------------------------------------
def add_tenant(conn: Connection, tenant: Tenant) -> None:
    """Insert a tenant."""
    conn.execute(
        insert(tenants).values(
            id=tenant.id, slug=tenant.slug, name=tenant.name, created_at=tenant.created_at
        )
    )


_TENANT = select(tenants).where(
    (tenants.c.id == bindparam("t")) | (tenants.c.slug == bindparam("t"))
)


def get_tenant(conn: Connection, id_or_slug: str) -> Tenant | None:
    """A tenant by id or slug."""
    row = conn.execute(_TENANT, {"t": id_or_slug}).first()
    return Tenant(**row._mapping) if row else None


def list_tenants(conn: Connection) -> list[Tenant]:
    """All tenants by slug."""
    return [Tenant(**r._mapping) for r in conn.execute(select(tenants).order_by(tenants.c.slug))]


# -- record types -------------------------------------------------------------
_RECORD_TYPE = select(record_types.c.version, record_types.c.definition).where(
    record_types.c.tenant_id == bindparam("tenant_id"), record_types.c.name == bindparam("name")
)


def get_record_type(conn: Connection, tenant_id: str, name: str) -> tuple[int, str] | None:
    """(version, definition) of a record type."""
    row = conn.execute(_RECORD_TYPE, {"tenant_id": tenant_id, "name": name}).first()
    return (int(row[0]), str(row[1])) if row else None


def put_record_type(
    conn: Connection, tenant_id: str, name: str, definition: str, now: datetime
) -> int:
    """Insert or update a record type; return its new version."""
    current = get_record_type(conn, tenant_id, name)
    if current is None:
        conn.execute(
            insert(record_types).values(
                tenant_id=tenant_id, name=name, version=1, definition=definition, updated_at=now
            )
        )
        return 1
    version = current[0] + 1
    conn.execute(
        update(record_types)
        .where(record_types.c.tenant_id == tenant_id, record_types.c.name == name)
        .values(version=version, definition=definition, updated_at=now)
    )
    return version


def list_record_types(conn: Connection, tenant_id: str) -> list[tuple[str, int, str]]:
    """(name, version, definition) of every record type of a tenant."""
    rows = conn.execute(
        select(record_types.c.name, record_types.c.version, record_types.c.definition)
        .where(record_types.c.tenant_id == tenant_id)
        .order_by(record_types.c.name)
    )
    return [(str(n), int(v), str(d)) for n, v, d in rows]


# -- records ------------------------------------------------------------------
def insert_records(
    conn: Connection, rows: Sequence[dict[str, Any]], fields: Sequence[FieldRow]
) -> None:
    """Insert record rows and their field rows (executemany)."""
    if rows:
        conn.execute(insert(records), list(rows))
    insert_rows(conn, record_fields, FIELD_COLUMNS, fields)


def replace_fields(
    conn: Connection, record_id: str, fields: Sequence[FieldRow], now: datetime
) -> None:
    """Overwrite the given fields of one record."""
    names = [f[1] for f in fields]
    conn.execute(
        delete(record_fields).where(
            record_fields.c.record_id == record_id, record_fields.c.field.in_(names)
        )
    )
    insert_rows(conn, record_fields, FIELD_COLUMNS, fields)
    conn.execute(update(records).where(records.c.id == record_id).values(updated_at=now))


# Built once (gated reads run them on every request); ``ids`` expands to the chunk.
_RECORDS = select(records).where(
    records.c.tenant_id == bindparam("tenant_id"),
    records.c.id.in_(bindparam("ids", expanding=True)),
)
_FIELDS = select(
    record_fields.c.record_id,
    record_fields.c.field,
    record_fields.c.ciphertext,
    record_fields.c.token,
).where(record_fields.c.record_id.in_(bindparam("ids", expanding=True)))


def load_records(conn: Connection, tenant_id: str, record_ids: Sequence[str]) -> list[StoredRecord]:
    """Records (with encrypted fields) of a tenant, in the order asked."""
    meta: dict[str, Any] = {}
    for i in range(0, len(record_ids), 500):
        chunk = list(record_ids[i : i + 500])
        for row in conn.execute(_RECORDS, {"tenant_id": tenant_id, "ids": chunk}):
            meta[row.id] = row
    values: dict[str, dict[str, tuple[bytes, str | None]]] = {rid: {} for rid in meta}
    ids = list(meta)
    for i in range(0, len(ids), 500):
        for rid, field, ct, tok in conn.execute(_FIELDS, {"ids": ids[i : i + 500]}):
            values[rid][field] = (bytes(ct), tok)
    return [
        StoredRecord(
            rid,
            meta[rid].record_type,
            meta[rid].subject_id,
            meta[rid].created_at,
            meta[rid].updated_at,
            values[rid],
        )
        for rid in record_ids
        if rid in meta
    ]


def page_record_ids(
    conn: Connection, tenant_id: str, record_type: str | None, after: str | None, limit: int
) -> list[str]:
    """Record ids of a tenant in id order, after ``after`` (keyset pagination)."""
    query = select(records.c.id).where(records.c.tenant_id == tenant_id)
    if record_type:
        query = query.where(records.c.record_type == record_type)
    if after:
        query = query.where(records.c.id > after)
    return [r for (r,) in conn.execute(query.order_by(records.c.id).limit(limit))]


def find_by_index(
    conn: Connection, tenant_id: str, record_type: str, field: str, index: bytes
) -> list[str]:
    """Record ids whose ``field`` has blind index ``index``."""
    rows = conn.execute(
        select(record_fields.c.record_id)
        .join(records, records.c.id == record_fields.c.record_id)
        .where(
            record_fields.c.field == field,
            record_fields.c.blind_index == index,
            records.c.tenant_id == tenant_id,
            records.c.record_type == record_type,
        )
        .order_by(record_fields.c.record_id)
    )
    return [r for (r,) in rows]


def subject_record_ids(conn: Connection, tenant_id: str, subject_id: str) -> list[str]:
    """Every record id of one data subject."""
    rows = conn.execute(
        select(records.c.id).where(
            records.c.tenant_id == tenant_id, records.c.subject_id == subject_id
        )
    )
    return [r for (r,) in rows]


def delete_records(conn: Connection, record_ids: Iterable[str]) -> int:
    """Delete records and their fields; return how many records went."""
    ids = list(record_ids)
    if not ids:
        return 0
    conn.execute(delete(record_fields).where(record_fields.c.record_id.in_(ids)))
    return int(conn.execute(delete(records).where(records.c.id.in_(ids))).rowcount or 0)


def count_records(conn: Connection, tenant_id: str) -> int:
    """How many records a tenant has."""
    return int(
        conn.execute(
            select(func.count()).select_from(records).where(records.c.tenant_id == tenant_id)
        ).scalar_one()
    )


# -- tokens and shredding -------------------------------------------------------
def stored_tokens(conn: Connection, tenant_id: str, wanted: Iterable[str]) -> set[str]:
    """Which of ``wanted`` are stored for ``tenant_id``."""
    unique = list(dict.fromkeys(wanted))
    if not unique:
        return set()
    where = (tokens.c.tenant_id == tenant_id, member_of(conn, tokens.c.token, unique))
    # Count first: a batch is usually all new or all known, and then no row travels.
    count = conn.execute(select(func.count()).select_from(tokens).where(*where)).scalar_one()
    if count == 0:
        return set()
    if count == len(unique):
        return set(unique)
    return set(conn.execute(select(tokens.c.token).where(*where)).scalars())


def put_tokens(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store token rows, skipping tokens already stored (deterministic ones repeat).

    Two writers may store the same deterministic token at once (the same value
    tokenized by two requests): the second insert is skipped, not an error,
    since either row opens to the same value.
    """
    fresh: dict[str, dict[str, Any]] = {}
    for row in rows:
        fresh.setdefault(row["token"], row)
    insert_new(conn, tokens, list(fresh.values()))


def get_tokens(conn: Connection, tenant_id: str, wanted: Iterable[str]) -> dict[str, Any]:
    """Stored token rows by token (tokens not stored are absent)."""
    ids = list(set(wanted))
    found: dict[str, Any] = {}
    for i in range(0, len(ids), 500):
        for row in conn.execute(
            select(tokens).where(
                tokens.c.tenant_id == tenant_id, tokens.c.token.in_(ids[i : i + 500])
            )
        ):
            found[row.token] = dict(row._mapping)
    return found


def get_token(conn: Connection, tenant_id: str, token: str) -> dict[str, Any] | None:
    """A stored token row."""
    row = conn.execute(
        select(tokens).where(tokens.c.tenant_id == tenant_id, tokens.c.token == token)
    ).first()
    return dict(row._mapping) if row else None


def delete_subject_tokens(conn: Connection, tenant_id: str, subject_id: str) -> int:
    """Delete a subject's stored tokens."""
    result = conn.execute(
        delete(tokens).where(tokens.c.tenant_id == tenant_id, tokens.c.subject_id == subject_id)
    )
    return int(result.rowcount or 0)


def mark_shredded(
    conn: Connection, tenant_id: str, subject_id: str, now: datetime, count: int
) -> None:
    """Record that a subject was crypto-shredded."""
    conn.execute(
        insert(shredded_subjects).values(
            tenant_id=tenant_id, subject_id=subject_id, shredded_at=now, records=count
        )
    )


def shredded(conn: Connection, tenant_id: str, subject_ids: Iterable[str]) -> set[str]:
    """Which of ``subject_ids`` were shredded."""
    ids = list(set(subject_ids))
    out: set[str] = set()
    for i in range(0, len(ids), 500):
        out |= {
            s
            for (s,) in conn.execute(
                select(shredded_subjects.c.subject_id).where(
                    shredded_subjects.c.tenant_id == tenant_id,
                    shredded_subjects.c.subject_id.in_(ids[i : i + 500]),
                )
            )
        }
    return out


def record_subjects(conn: Connection, tenant_id: str, record_ids: Sequence[str]) -> dict[str, str]:
    """Record id → data subject id, for records of a tenant."""
    out: dict[str, str] = {}
    for i in range(0, len(record_ids), 500):
        rows = conn.execute(
            select(records.c.id, records.c.subject_id).where(
                records.c.tenant_id == tenant_id, records.c.id.in_(list(record_ids[i : i + 500]))
            )
        )
        out.update({r: s for r, s in rows})
    return out
