"""API fixtures: an app over the `platform` fixture, users, keys and sessions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from privault.core.secret import Secret
from privault.interfaces.api import ApiConfig, create_app

PASSWORD = "Tr0ub4dor&3-horse-battery"
OPEN_LIMITS = ApiConfig(key_rate=1e6, key_burst=10**6, address_rate=1e6, address_burst=10**6)


def totp_now(platform: Platform, clock: FixedClock, seed_uri: str) -> str:
    """A fresh TOTP code at the fixed clock (advanced so codes never replay)."""
    clock.advance(timedelta(seconds=31))
    return pyotp.parse_uri(seed_uri).at(clock.now())


def make_user(
    platform: Platform, admin: RequestContext, name: str, role: str, tenant: str | None = None
) -> None:
    platform.identity.add_user(admin, name, password=Secret(PASSWORD))
    platform.access.grant(admin, name, role, tenant)


def make_key(
    platform: Platform, admin: RequestContext, user: str, scopes: list[str]
) -> dict[str, str]:
    _key, token = platform.identity.create_api_key(admin, user, "test", scopes=scopes)
    return {"Authorization": f"Bearer {token.reveal()}"}


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform, OPEN_LIMITS)) as c:
        yield c


@pytest.fixture
def owner_key(platform: Platform, admin: RequestContext, tenant: str) -> dict[str, str]:
    """An owner's API key with every scope (no step-up: keys carry no second factor)."""
    make_user(platform, admin, "root", "owner")
    return make_key(platform, admin, "root", ["*"])


@pytest.fixture
def owner_session(
    platform: Platform,
    admin: RequestContext,
    clock: FixedClock,
    client: TestClient,
    owner_key: dict[str, str],
) -> dict[str, str]:
    """A session of the owner with a second factor just proved (for step-up actions)."""
    uri = platform.mfa.enroll_totp(admin, "root").uri.reveal()
    platform.mfa.confirm_totp(admin, "root", totp_now(platform, clock, uri))
    code = totp_now(platform, clock, uri)
    r = client.post(
        "/api/v1/auth/login", json={"username": "root", "password": PASSWORD, "code": code}
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}
