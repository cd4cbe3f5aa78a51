"""Sign-in and step-up with a security key (password first), on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from privault.app.bootstrap import Platform
from privault.core.clock import FixedClock
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied
from privault.core.secret import Secret
from tests.support.authenticator import SoftAuthenticator

PASSWORD = "-".join(["tangerine", "orbit", "walrus", "42"])
ANON = RequestContext(Principal("anonymous"), source="test:10.0.0.1")


def _enrolled(p: Platform, admin: RequestContext) -> SoftAuthenticator:
    p.identity.add_user(admin, "kim", password=Secret(PASSWORD))
    device = SoftAuthenticator(p.mfa.relying_party.id, p.mfa.relying_party.origin)
    options = p.mfa.webauthn_register_begin(admin, "kim")
    p.mfa.webauthn_register_finish(admin, "kim", device.register(options))
    return device


def test_password_then_key_opens_a_session_with_a_fresh_factor(
    platform: Platform, admin: RequestContext, clock: FixedClock
) -> None:
    device = _enrolled(platform, admin)
    signin = platform.signin
    with pytest.raises(AccessDenied):  # no challenge without the right password
        signin.webauthn_challenge(ANON, "kim", Secret("wrong"))
    options = signin.webauthn_challenge(ANON, "kim", Secret(PASSWORD))
    done = signin.login(ANON, "kim", Secret(PASSWORD), webauthn=device.assert_(options))
    assert done.principal.mfa_at == clock.now()
    with pytest.raises(AccessDenied):  # the password alone is no longer enough
        signin.login(ANON, "kim", Secret(PASSWORD))
    with pytest.raises(AccessDenied):  # an answer to a used challenge is refused
        signin.login(ANON, "kim", Secret(PASSWORD), webauthn=device.assert_(options))
    stranger = SoftAuthenticator(platform.mfa.relying_party.id, platform.mfa.relying_party.origin)
    options = signin.webauthn_challenge(ANON, "kim", Secret(PASSWORD))
    with pytest.raises(AccessDenied):
        signin.login(ANON, "kim", Secret(PASSWORD), webauthn=stranger.assert_(options))
    failed = [
        e for e in platform.trail.search(admin, action="auth.login", limit=20)
        if e.outcome == "failed"
    ]  # fmt: skip
    assert [e.detail["stage"] for e in failed] == ["mfa", "mfa", "mfa", "password"]


def test_step_up_with_a_key_and_adding_keys_needs_a_fresh_factor(
    platform: Platform, admin: RequestContext, clock: FixedClock
) -> None:
    device = _enrolled(platform, admin)
    signin = platform.signin
    options = signin.webauthn_challenge(ANON, "kim", Secret(PASSWORD))
    token = signin.login(ANON, "kim", Secret(PASSWORD), webauthn=device.assert_(options)).token
    clock.advance(timedelta(minutes=20))  # the factor is stale now (15 minutes)
    kim = RequestContext(signin.session(token))
    with pytest.raises(AccessDenied, match="second factor") as refused:
        platform.mfa.webauthn_register_begin(kim, "kim")
    assert refused.value.fields["rule"] == "mfa-required"
    with pytest.raises(AccessDenied):
        signin.step_up(ANON, token, "", webauthn="{}")
    fresh = signin.step_up(
        ANON, token, "", webauthn=device.assert_(platform.mfa.webauthn_auth_begin("kim"))
    )
    assert fresh.principal.mfa_at == clock.now()
    with pytest.raises(AccessDenied):  # the old session was rotated out
        signin.session(token)
    options = platform.mfa.webauthn_register_begin(RequestContext(fresh.principal), "kim")
    second = SoftAuthenticator(platform.mfa.relying_party.id, platform.mfa.relying_party.origin)
    platform.mfa.webauthn_register_finish(RequestContext(fresh.principal), "kim",
                                          second.register(options))  # fmt: skip
    assert platform.mfa.webauthn_count(admin, "kim") == 2
