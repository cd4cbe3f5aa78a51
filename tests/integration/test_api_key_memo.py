"""API keys checked a moment ago are remembered for a second, and forgotten on any access change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from privault.app.bootstrap import Platform
from privault.app.signin import API_KEY_MEMO
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied
from privault.core.secret import Secret
from privault.store.uow import UnitOfWork


@contextmanager
def statements(data: UnitOfWork) -> Iterator[list[str]]:
    """The SQL statements run on ``data`` inside the block."""
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(data.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(data.engine, "before_cursor_execute", record)


def _key(platform: Platform, admin: RequestContext) -> Secret[str]:
    platform.identity.add_user(admin, "etl")
    platform.access.grant(admin, "etl", "analyst", "acme")
    _k, token = platform.identity.create_api_key(
        admin, "etl", "nightly", scopes=["record.read"], expires_in=timedelta(hours=1)
    )
    return token


def test_a_key_checked_a_moment_ago_is_answered_without_the_store(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    token = _key(platform, admin)
    first = platform.signin.api_key(token)
    with statements(platform.data) as seen:
        again = platform.signin.api_key(token)
    assert seen == [] and again == first
    clock.advance(API_KEY_MEMO)
    with statements(platform.data) as seen:
        assert platform.signin.remembered_api_key(token) is None
        platform.signin.api_key(token)
    assert any("api_keys" in s for s in seen)  # looked up again after the memo time


def test_a_wrong_secret_under_a_remembered_key_id_is_refused(
    platform: Platform, admin: RequestContext, tenant: str
) -> None:
    token = _key(platform, admin)
    platform.signin.api_key(token)
    forged = Secret(token.reveal()[:-3] + "abc")
    assert platform.signin.remembered_api_key(forged) is None
    with pytest.raises(AccessDenied, match="invalid API key"):
        platform.signin.api_key(forged)


@pytest.mark.parametrize("change", ["revoke", "disable", "grant"])
def test_an_access_change_in_this_process_takes_effect_at_once(
    platform: Platform, admin: RequestContext, tenant: str, change: str
) -> None:
    token = _key(platform, admin)
    before = platform.signin.api_key(token)
    if change == "revoke":
        platform.identity.revoke_api_key(admin, platform.identity.api_keys(admin, "etl")[0].id)
    elif change == "disable":
        platform.identity.disable(admin, "etl")
    else:
        platform.access.grant(admin, "etl", "analyst", "acme", revoke=True)
    assert platform.signin.remembered_api_key(token) is None
    if change == "grant":
        assert platform.signin.api_key(token).tenant_roles != before.tenant_roles
    else:
        with pytest.raises(AccessDenied):
            platform.signin.api_key(token)


def test_a_revocation_by_another_process_takes_effect_within_the_memo_time(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    token = _key(platform, admin)
    platform.signin.api_key(token)
    key_id = platform.identity.api_keys(admin, "etl")[0].id
    # Another server worker: its own services over the same store.
    from privault.app.bootstrap import open_platform
    from tests.conftest import PASSPHRASE

    other = open_platform(platform.settings, Secret(PASSPHRASE), clock)
    try:
        other.identity.revoke_api_key(admin, key_id)
    finally:
        other.close()
    clock.advance(API_KEY_MEMO - timedelta(milliseconds=1))
    assert platform.signin.api_key(token) is not None  # still remembered here
    clock.advance(timedelta(milliseconds=1))
    with pytest.raises(AccessDenied, match="invalid API key"):
        platform.signin.api_key(token)


def test_an_expired_key_is_refused_even_when_remembered(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    token = _key(platform, admin)
    clock.advance(timedelta(hours=1) - API_KEY_MEMO / 2)
    platform.signin.api_key(token)  # checked just before it expires
    clock.advance(API_KEY_MEMO / 2)
    assert platform.signin.remembered_api_key(token) is None
    with pytest.raises(AccessDenied, match="invalid API key"):
        platform.signin.api_key(token)
