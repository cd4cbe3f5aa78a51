"""Shared fixtures: a platform on SQLite and on PostgreSQL (started by `make test`)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from privault.app.bootstrap import Platform, init_platform
from privault.core.clock import FixedClock
from privault.core.context import Principal, RequestContext
from privault.core.secret import Secret
from privault.core.settings import Settings
from tests.support.data import CUSTOMER_SCHEMA

PASSPHRASE = "correct horse battery staple"
PG_ENV = "PRIVAULT_TEST_PG_URL"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's PRIVAULT_* settings."""
    for name in list(os.environ):
        if name.startswith("PRIVAULT_") and name not in (PG_ENV, "PRIVAULT_REQUIRE_PG"):
            monkeypatch.delenv(name)


def pg_admin_url() -> str:
    """The URL of the throwaway server, or skip/fail when there is none."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("PRIVAULT_REQUIRE_PG"):
            pytest.fail(f"{PG_ENV} is not set but PostgreSQL is required")
        pytest.skip("PostgreSQL is not running here (use `make test`)")
    return url


def create_pg_database(admin_url: str, name: str, template: str | None = None) -> str:
    """Create a database on the test server; return its URL."""
    import psycopg

    dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        suffix = f" TEMPLATE {template}" if template else ""
        conn.execute(f"CREATE DATABASE {name}{suffix}")
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def make_settings(tmp: Path, backend: str, **extra: Any) -> Settings:
    """Settings for a fresh installation on ``backend``."""
    urls: dict[str, str] = {}
    if backend == "postgres":
        admin = pg_admin_url()
        tag = secrets.token_hex(4)
        urls = {
            "database_url": create_pg_database(admin, f"pv_data_{tag}"),
            "keystore_url": create_pg_database(admin, f"pv_keys_{tag}"),
        }
    return Settings(
        data_dir=tmp,
        kdf_memory_kib=8192,
        kdf_iterations=1,
        **urls,
        **extra,
    )


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on both stores."""
    return str(request.param)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def platform(tmp_path: Path, backend: str, clock: FixedClock) -> Iterator[Platform]:
    """A fresh installation on the chosen backend."""
    p = init_platform(make_settings(tmp_path, backend), Secret(PASSPHRASE), clock)
    yield p
    p.close()


@pytest.fixture
def sqlite_platform(tmp_path: Path, clock: FixedClock) -> Iterator[Platform]:
    """A fresh installation on SQLite only (file-level tests)."""
    p = init_platform(make_settings(tmp_path, "sqlite"), Secret(PASSPHRASE), clock)
    yield p
    p.close()


@pytest.fixture
def admin(clock: FixedClock) -> RequestContext:
    """The platform owner, with a second factor proved just now."""
    return RequestContext(
        Principal("user:admin", frozenset({"owner"}), mfa_at=clock.now()), source="test"
    )


@pytest.fixture
def tenant(platform: Platform, admin: RequestContext) -> str:
    """A tenant with the customer schema applied; returns its slug."""
    platform.tenants.create(admin, "acme", "Acme Ltd")
    platform.tenants.apply_schema(admin, "acme", CUSTOMER_SCHEMA)
    return "acme"
