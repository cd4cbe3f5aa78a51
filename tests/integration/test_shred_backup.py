"""Crypto-shredding reaches backups: a copy of the data store taken before the
shred can never be decrypted for that subject afterwards."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from privault.app.bootstrap import Platform, open_platform
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from privault.core.errors import KeyDestroyed
from privault.core.secret import Secret
from tests.conftest import PASSPHRASE, create_pg_database, pg_admin_url
from tests.support.data import CUSTOMER_SCHEMA, customer


def _seed(platform: Platform, admin: RequestContext) -> tuple[str, str]:
    platform.tenants.create(admin, "acme")
    platform.tenants.apply_schema(admin, "acme", CUSTOMER_SCHEMA)
    victim = platform.vault.put(admin, "acme", "customer", customer(1))
    other = platform.vault.put(admin, "acme", "customer", customer(2))
    return victim, other


def _restore_and_read(settings_kwargs: dict, admin: RequestContext, ids: list[str]) -> None:
    restored = open_platform(settings_kwargs["settings"], Secret(PASSPHRASE), FixedClock())
    try:
        ok = restored.gate.read(admin, "acme", [ids[1]], purpose="restore", view="plain")
        assert ok[0].fields["name"] == "Testname Person2"  # others survive the restore
        with pytest.raises(KeyDestroyed):
            restored.gate.read(admin, "acme", [ids[0]], purpose="restore", view="plain")
    finally:
        restored.close()


def test_sqlite_backup_copy_cannot_be_decrypted_after_shred(
    sqlite_platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    p = sqlite_platform
    ids = _seed(p, admin)
    db = Path(p.settings.resolved_database_url.removeprefix("sqlite:///"))
    # A consistent online backup, as an operator takes it (sqlite3 backup API).
    src, dst = sqlite3.connect(db), sqlite3.connect(tmp_path / "backup.db")
    src.backup(dst)
    src.close()
    dst.close()
    p.vault.shred(admin, "acme", "C00001")
    p.close()
    shutil.copy(tmp_path / "backup.db", db)  # restore the pre-shred backup
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    _restore_and_read({"settings": p.settings}, admin, list(ids))


def test_postgres_backup_copy_cannot_be_decrypted_after_shred(
    tmp_path: Path, admin: RequestContext, clock: FixedClock
) -> None:
    from privault.app.bootstrap import init_platform
    from tests.conftest import make_settings

    admin_url = pg_admin_url()
    settings = make_settings(tmp_path, "postgres")
    p = init_platform(settings, Secret(PASSPHRASE), clock)
    ids = _seed(p, admin)
    p.close()
    source = settings.resolved_database_url.rsplit("/", 1)[1]
    backup_url = create_pg_database(admin_url, source + "_bak", template=source)
    p = open_platform(settings, Secret(PASSPHRASE), clock)
    p.vault.shred(admin, "acme", "C00001")
    p.close()
    restored = settings.model_copy(update={"database_url": backup_url})
    _restore_and_read({"settings": restored}, admin, list(ids))
    from sqlalchemy import create_engine

    eng = create_engine(backup_url)
    with eng.connect() as conn:  # the ciphertext is still in the backup…
        assert conn.execute(text("select count(*) from record_fields")).scalar_one() > 0
    eng.dispose()
