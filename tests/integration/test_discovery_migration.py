"""Migration d0002 creates exactly the data-map tables discovery declares."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData

from privault.app.bootstrap import Platform
from privault.discovery.tables import metadata as discovery_meta
from privault.vault.tables import metadata as vault_meta

OURS = set(discovery_meta.tables)


def _table(diff: Any) -> str | None:
    """The table a compare_metadata diff is about."""
    op = diff[0] if isinstance(diff, list) else diff  # modify_* diffs come as lists
    kind = op[0]
    if kind in ("add_table", "remove_table"):
        return str(op[1].name)
    if kind in ("add_column", "remove_column") or kind.startswith("modify_"):
        return str(op[2])
    target = getattr(op[1], "table", None)
    return str(target.name) if target is not None else None


def test_discovery_tables_match_the_migration(platform: Platform) -> None:
    merged = MetaData()
    for meta in (vault_meta, discovery_meta):  # vault: the tenants the foreign keys point to
        for table in meta.tables.values():
            table.to_metadata(merged)
    with platform.data.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, merged)
    mine = [d for d in diff if _table(d) in OURS]
    assert mine == [], mine
