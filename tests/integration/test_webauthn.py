"""WebAuthn as a second factor, against a software authenticator."""

from __future__ import annotations

import json

import pytest

from privault.app.bootstrap import Platform
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied, InvalidInput
from privault.core.secret import Secret
from tests.support.authenticator import SoftAuthenticator


def test_register_authenticate_and_refuse_replays(
    sqlite_platform: Platform, admin: RequestContext
) -> None:
    p = sqlite_platform
    p.identity.add_user(admin, "alice", password=Secret("tangerine-orbit-walrus-42"))
    rp = p.mfa.relying_party
    device = SoftAuthenticator(rp.id, rp.origin)
    options = p.mfa.webauthn_register_begin(admin, "alice")
    assert json.loads(options)["rp"]["id"] == rp.id
    cred = p.mfa.webauthn_register_finish(admin, "alice", device.register(options))
    assert p.identity.user("alice").mfa_enrolled_at is not None
    with pytest.raises(AccessDenied, match="no pending"):  # the challenge was single use
        p.mfa.webauthn_register_finish(admin, "alice", device.register(options))

    options = p.mfa.webauthn_auth_begin("alice")
    assert p.mfa.webauthn_auth_finish("alice", device.assert_(options))
    replay = device.assert_(p.mfa.webauthn_auth_begin("alice"), counter=1)  # counter went back
    with pytest.raises(AccessDenied, match="refused"):
        p.mfa.webauthn_auth_finish("alice", replay)
    stranger = SoftAuthenticator(rp.id, rp.origin, credential_id=bytes.fromhex("00" * 16))
    with pytest.raises(AccessDenied, match="unknown WebAuthn credential"):
        p.mfa.webauthn_auth_finish("alice", stranger.assert_(p.mfa.webauthn_auth_begin("alice")))
    phishing = SoftAuthenticator(
        rp.id,
        "https://evil.example",
        key=device.key,
        credential_id=device.credential_id,
        counter=device.counter,
    )
    with pytest.raises(AccessDenied, match="refused"):
        p.mfa.webauthn_auth_finish("alice", phishing.assert_(p.mfa.webauthn_auth_begin("alice")))
    with pytest.raises(InvalidInput):
        p.mfa.webauthn_auth_begin("alice") and p.mfa.webauthn_auth_finish("alice", "not json")
    assert cred
