"""The schema comes from migrations, and it matches the tables the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData

from privault.access.tables import metadata as access_meta
from privault.app.bootstrap import Platform, upgrade_databases
from privault.audit.tables import metadata as audit_meta
from privault.credentials.tables import metadata as cred_meta
from privault.discovery.tables import metadata as discovery_meta
from privault.incidents.tables import metadata as incidents_meta
from privault.jobs.tables import metadata as jobs_meta
from privault.keys.tables import metadata as keys_meta
from privault.lifecycle.tables import metadata as lifecycle_meta
from privault.monitor.tables import metadata as monitor_meta
from privault.sharing.tables import metadata as share_meta
from privault.store.migrate import current_revision, head_revision
from privault.tracing.tables import metadata as tracing_meta
from privault.vault.tables import metadata as vault_meta


def _merged(*metas: MetaData) -> MetaData:
    merged = MetaData()
    for meta in metas:
        for table in meta.tables.values():
            table.to_metadata(merged)
    return merged


def test_migrated_schema_matches_declared_tables(platform: Platform) -> None:
    for uow, meta in (
        (
            platform.data,
            _merged(
                vault_meta,
                audit_meta,
                access_meta,
                monitor_meta,
                share_meta,
                cred_meta,
                discovery_meta,
                lifecycle_meta,
                incidents_meta,
                jobs_meta,
                tracing_meta,
            ),
        ),
        (platform.keystore, keys_meta),
    ):
        with uow.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = [
                d
                for d in compare_metadata(ctx, meta)
                if not (
                    isinstance(d, tuple)
                    and d[0] == "remove_table"
                    and d[1].name == "alembic_version"
                )
            ]
        assert diff == [], diff


def test_upgrade_is_idempotent(platform: Platform) -> None:
    results = upgrade_databases(platform.settings)
    assert [(s, b == a) for s, b, a in results] == [("data", True), ("keys", True)]
    assert current_revision(platform.data.engine) == head_revision("data")
