"""Rows of the credential vault. Never commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from privault.core.clock import aware_row
from privault.credentials.tables import cred_items


@dataclass(frozen=True, slots=True)
class ItemRow:
    """A stored item (both parts still sealed)."""

    id: str
    tenant_id: str
    meta_sealed: bytes
    secret_sealed: bytes
    pw_fingerprint: str | None
    honeytoken: bool
    share_users: str
    share_roles: str
    rotate_days: int
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    password_changed_at: datetime

    @property
    def users(self) -> list[str]:
        """Named users the item is shared with."""
        loaded: list[str] = json.loads(self.share_users)
        return loaded

    @property
    def roles(self) -> list[str]:
        """Roles the item is shared with."""
        loaded: list[str] = json.loads(self.share_roles)
        return loaded


def add_items(conn: Connection, rows: list[ItemRow]) -> None:
    """Insert items."""
    if rows:
        conn.execute(insert(cred_items), [_values(r) for r in rows])


def _values(row: ItemRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__slots__}


def get_item(conn: Connection, tenant_id: str, item_id: str) -> ItemRow | None:
    """One item of a tenant."""
    found = conn.execute(
        select(cred_items).where(cred_items.c.tenant_id == tenant_id, cred_items.c.id == item_id)
    ).first()
    return ItemRow(**aware_row(found._mapping)) if found else None


def list_items(conn: Connection, tenant_id: str) -> list[ItemRow]:
    """Every item of a tenant, oldest first."""
    rows = conn.execute(
        select(cred_items).where(cred_items.c.tenant_id == tenant_id).order_by(cred_items.c.id)
    )
    return [ItemRow(**aware_row(r._mapping)) for r in rows]


def replace_item(conn: Connection, row: ItemRow, expected_version: int) -> bool:
    """Store a new version of an item; False if someone else changed it first."""
    values = _values(row)
    del values["id"], values["tenant_id"], values["created_at"], values["created_by"]
    result = conn.execute(
        update(cred_items)
        .where(cred_items.c.id == row.id, cred_items.c.version == expected_version)
        .values(**values)
    )
    return result.rowcount == 1


def delete_item(conn: Connection, tenant_id: str, item_id: str) -> int:
    """Delete an item row."""
    return conn.execute(
        delete(cred_items).where(cred_items.c.tenant_id == tenant_id, cred_items.c.id == item_id)
    ).rowcount
