"""Sessions with a second factor proved now (step-up) for the API tests of sensitive routes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from tests.api.conftest import PASSWORD, totp_now


@pytest.fixture
def root_totp(
    platform: Platform, admin: RequestContext, clock: FixedClock, owner_key: dict[str, str]
) -> str:
    """The owner ``root`` (see ``owner_key``) with TOTP enrolled; returns its seed URI."""
    uri = platform.mfa.enroll_totp(admin, "root").uri.reveal()
    platform.mfa.confirm_totp(admin, "root", totp_now(platform, clock, uri))
    return uri


def fresh_session(
    client: TestClient, platform: Platform, clock: FixedClock, uri: str, user: str = "root"
) -> dict[str, str]:
    """Sign in with password and a TOTP code at the clock's current time."""
    code = totp_now(platform, clock, uri)
    body = {"username": user, "password": PASSWORD, "code": code}
    r = client.post("/api/v1/auth/login", json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}
