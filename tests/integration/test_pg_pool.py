"""PostgreSQL pool: a connection killed while idle in the pool is replaced unseen."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from privault.core.errors import ConfigurationError
from privault.store import engine as engine_mod
from privault.store.uow import UnitOfWork
from tests.conftest import create_pg_database, pg_admin_url


def test_a_connection_dropped_while_idle_is_replaced_before_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import secrets

    url = create_pg_database(pg_admin_url(), f"pv_pool_{secrets.token_hex(4)}")
    engine = engine_mod.make_engine(url)
    uow = UnitOfWork(engine)
    with uow.read() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    # The server (or a firewall) ends the session while it sits in the pool.
    with engine_mod.make_engine(url).connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    # Within the idle threshold the pool trusts the connection and the use fails.
    with pytest.raises(ConfigurationError), uow.read() as conn:
        conn.execute(text("SELECT 1"))
    with uow.read() as conn:  # the failure invalidated it: a fresh one works
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with engine_mod.make_engine(url).connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    # Past the threshold the pool pings first and replaces the dead connection.
    monkeypatch.setattr(engine_mod, "PING_AFTER_IDLE_S", 0.0)
    with uow.read() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    engine.dispose()
