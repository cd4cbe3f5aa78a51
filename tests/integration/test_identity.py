"""Identity through the services: passwords, lockout, TOTP, sessions, API keys,
break-glass, role-capped gated reads, and the least-privilege report."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from privault.access import totp
from privault.app.bootstrap import Platform
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied, Conflict, InvalidInput
from privault.core.secret import Secret
from tests.support.data import customer

GOOD = Secret("tangerine-orbit-walrus-42")


def _ctx(source: str = "10.0.0.1") -> RequestContext:
    from privault.core.context import Principal

    return RequestContext(Principal("anonymous"), source=source)


def _owner(clock: FixedClock) -> RequestContext:
    """The owner with a second factor proved now (the clock moves in these tests)."""
    from privault.core.context import Principal

    return RequestContext(Principal("user:admin", frozenset({"owner"}), mfa_at=clock.now()))


def _user(
    p: Platform,
    admin: RequestContext,
    name: str = "alice",
    role: str = "technician",
    tenant: str | None = "acme",
) -> None:
    p.identity.add_user(admin, name, password=GOOD)
    p.access.grant(admin, name, role, tenant)


def _enroll(
    p: Platform, admin: RequestContext, clock: FixedClock, name: str = "alice"
) -> Secret[str]:
    enrollment = p.mfa.enroll_totp(admin, name)
    seed = Secret(enrollment.uri.reveal().split("secret=")[1].split("&")[0])
    assert "█" in enrollment.qr_text or "▀" in enrollment.qr_text  # a QR code to scan
    p.mfa.confirm_totp(admin, name, totp.current_code(seed, clock.now()))
    return seed


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1A!", "at least 12"),  # too short
        ("password1234", "breached"),  # on the breached list
        ("aaaaaaaaaaaaaaaa", "too easy"),  # long but trivially guessable
        ("alice-alice-alice", "too easy"),  # built from the username
    ],
)
def test_password_policy(
    platform: Platform, admin: RequestContext, password: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as info:
        platform.identity.add_user(admin, "alice", password=Secret(password))
    assert password not in str(info.value)


def test_no_reuse_of_recent_passwords(
    platform: Platform, admin: RequestContext, tenant: str
) -> None:
    _user(platform, admin)
    newer = Secret("cobalt-harbour-lantern-97")
    platform.identity.set_password(admin, "alice", newer)
    for old in (GOOD, newer):
        with pytest.raises(InvalidInput, match="used recently"):
            platform.identity.set_password(admin, "alice", old)


def test_lockout_and_backoff_with_a_fixed_clock(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    _user(platform, admin)
    wrong = Secret("not-the-password-at-all")
    for _ in range(5):  # five free attempts
        with pytest.raises(AccessDenied, match="invalid username"):
            platform.signin.login(_ctx(), "alice", wrong)
    with pytest.raises(AccessDenied, match="invalid username"):
        platform.signin.login(_ctx(), "alice", wrong)  # sixth: counted, now locked 1 min
    with pytest.raises(AccessDenied, match="too many failed attempts; try again in 60 s"):
        platform.signin.login(_ctx(), "alice", GOOD)  # even the right password waits
    clock.advance(timedelta(seconds=61))
    with pytest.raises(AccessDenied, match="invalid username"):
        platform.signin.login(_ctx(), "alice", wrong)  # seventh: locked 2 min
    clock.advance(timedelta(seconds=119))
    with pytest.raises(AccessDenied, match="try again in 1 s"):
        platform.signin.login(_ctx(), "alice", GOOD)
    clock.advance(timedelta(seconds=1))
    assert platform.signin.login(_ctx(), "alice", GOOD).principal.id == "user:alice"
    # per source address too: a spray over many accounts from one address locks it
    for n in range(6):
        with pytest.raises(AccessDenied):
            platform.signin.login(_ctx("10.9.9.9"), f"ghost{n}", wrong)
    with pytest.raises(AccessDenied, match="too many failed"):
        platform.signin.login(_ctx("10.9.9.9"), "alice", GOOD)


def test_totp_login_replay_and_recovery_codes(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    _user(platform, admin)
    seed = _enroll(platform, admin, clock)
    with pytest.raises(AccessDenied):
        platform.signin.login(_ctx(), "alice", GOOD)  # password alone no longer enough
    clock.advance(timedelta(seconds=30))
    code = totp.current_code(seed, clock.now())
    login = platform.signin.login(_ctx(), "alice", GOOD, code=code)
    assert login.principal.mfa_at == clock.now()
    with pytest.raises(AccessDenied):  # the same code again: replay refused
        platform.signin.login(_ctx(), "alice", GOOD, code=code)
    previous = totp.current_code(seed, clock.now() - timedelta(seconds=30))
    with pytest.raises(AccessDenied):  # an older code inside the drift window: refused too
        platform.signin.login(_ctx(), "alice", GOOD, code=previous)
    platform.mfa.reset(admin, "alice")  # an admin removes the factor: password alone again
    assert platform.signin.login(_ctx(), "alice", GOOD).principal.mfa_at is None


def test_recovery_codes_are_single_use(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    _user(platform, admin)
    enrollment = platform.mfa.enroll_totp(admin, "alice")
    seed = Secret(enrollment.uri.reveal().split("secret=")[1].split("&")[0])
    codes = platform.mfa.confirm_totp(admin, "alice", totp.current_code(seed, clock.now()))
    assert len(codes) == 10
    first = codes[0].reveal()
    assert platform.signin.login(_ctx(), "alice", GOOD, code=first.upper())
    with pytest.raises(AccessDenied):
        platform.signin.login(_ctx(), "alice", GOOD, code=first)


def test_sessions_expire_rotate_and_revoke(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    _user(platform, admin, role="security_officer", tenant=None)
    seed = _enroll(platform, admin, clock)
    clock.advance(timedelta(seconds=30))
    login = platform.signin.login(_ctx(), "alice", GOOD, code=totp.current_code(seed, clock.now()))
    assert platform.signin.session(login.token).id == "user:alice"
    clock.advance(timedelta(minutes=29))
    platform.signin.session(login.token)  # activity keeps it alive
    clock.advance(timedelta(minutes=31))
    with pytest.raises(AccessDenied, match="sign in again"):  # idle expiry
        platform.signin.session(login.token)
    clock.advance(timedelta(seconds=30))
    login = platform.signin.login(_ctx(), "alice", GOOD, code=totp.current_code(seed, clock.now()))
    for _ in range(30):  # active for 14.5 h, but the absolute limit is 12 h
        clock.advance(timedelta(minutes=29))
        try:
            platform.signin.session(login.token)
        except AccessDenied:
            break
    else:
        pytest.fail("session outlived its absolute expiry")
    clock.advance(timedelta(seconds=30))
    login = platform.signin.login(_ctx(), "alice", GOOD, code=totp.current_code(seed, clock.now()))
    clock.advance(timedelta(minutes=20))  # MFA now stale for sensitive actions
    stale = RequestContext(platform.signin.session(login.token))
    with pytest.raises(AccessDenied, match="mfa-required"):
        platform.key_admin.rotate(stale)
    clock.advance(timedelta(seconds=30))
    fresh = platform.signin.step_up(_ctx(), login.token, totp.current_code(seed, clock.now()))
    with pytest.raises(AccessDenied):
        platform.signin.session(login.token)  # the old session id was rotated away
    platform.key_admin.rotate(RequestContext(platform.signin.session(fresh.token)))
    platform.access.grant(_owner(clock), "alice", "auditor", None)  # privilege change
    with pytest.raises(AccessDenied):
        platform.signin.session(fresh.token)


def test_api_keys(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    _user(platform, admin, role="analyst")
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    key, token = platform.identity.create_api_key(
        admin, "alice", "etl", scopes=["record.read"], expires_in=timedelta(days=1)
    )
    assert token.reveal().startswith("pvk_") and token.reveal() not in repr(key)
    ctx = RequestContext(platform.signin.api_key(token), source="api")
    rows = platform.gate.read(ctx, tenant, [rid], purpose="etl", view="plain")
    assert rows[0].fields["name"].startswith("T*") and rows[0].views["name"] == "masked"
    with pytest.raises(AccessDenied, match="apikey-scope"):
        platform.vault.put(ctx, tenant, "customer", customer(2))
    forged = Secret(token.reveal()[:-2] + "xx")
    with pytest.raises(AccessDenied, match="invalid API key"):
        platform.signin.api_key(forged)
    clock.advance(timedelta(days=2))
    with pytest.raises(AccessDenied, match="invalid API key"):
        platform.signin.api_key(token)  # expired
    owner = _owner(clock)
    _, second = platform.identity.create_api_key(owner, "alice", "b", scopes=["record.*"])
    platform.identity.revoke_api_key(owner, platform.identity.api_keys(owner, "alice")[-1].id)
    with pytest.raises(AccessDenied):
        platform.signin.api_key(second)


def test_technician_sees_only_contact_details_of_assigned_clients(
    platform: Platform, admin: RequestContext, tenant: str
) -> None:
    _user(platform, admin)
    platform.tenants.create(admin, "other")
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    tech = RequestContext(platform.identity.principal_for(platform.identity.user("alice")))
    row = platform.gate.read(tech, tenant, [rid], purpose="support", view="plain")[0]
    assert row.fields["email"] == "person1@example.test"  # contact detail: plain
    assert row.fields["card"] != "4111 1111 1111 1111" and row.views["card"] == "token"
    assert "ssn" not in row.fields  # hidden
    event = platform.audit.search(actor="user:alice", action="record.read")[0]
    assert event.detail["views"]["customer.ssn"] == "none"
    with pytest.raises(AccessDenied, match="tenant-scope"):
        platform.gate.page(tech, "other", purpose="support")
    assert [t.slug for t in platform.tenants.visible(tech)] == ["acme"]


def test_break_glass(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    _user(platform, admin, role="security_officer", tenant=tenant)
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    officer = platform.identity.principal_for(platform.identity.user("alice"), clock.now())
    ctx = RequestContext(officer)
    assert (
        platform.gate.read(ctx, tenant, [rid], purpose="x", view="plain")[0].views["ssn"]
        == "masked"
    )
    with pytest.raises(InvalidInput, match="justification"):
        platform.access.break_glass(ctx, tenant, "because")
    ends = platform.access.break_glass(
        ctx, tenant, "incident 42: verify identity of caller", minutes=30
    )
    assert ends == clock.now() + timedelta(minutes=30)
    row = platform.gate.read(ctx, tenant, [rid], purpose="incident-42", view="plain")[0]
    assert row.fields["ssn"] == "123-45-6789" and row.views["ssn"] == "plain"
    alert = platform.audit.search(action="breakglass.open")[0]
    assert alert.outcome == "alert" and alert.detail["severity"] == "critical"
    assert "incident 42" not in repr(alert)  # the justification only as an HMAC
    clock.advance(timedelta(minutes=31))
    assert (
        platform.gate.read(ctx, tenant, [rid], purpose="x", view="plain")[0].views["ssn"]
        == "masked"
    )


def test_least_privilege_report(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    _user(platform, admin, "alice", "technician", tenant)
    _user(platform, admin, "bob", "analyst", tenant)
    clock.advance(timedelta(days=100))
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    bob = RequestContext(platform.identity.principal_for(platform.identity.user("bob")))
    platform.gate.read(bob, tenant, [rid], purpose="report")
    findings = {(f.kind, f.user) for f in platform.access.report(admin, days=90)}
    assert ("unused-grant", "alice") in findings and ("unused-grant", "bob") not in findings
    assert ("no-mfa", "alice") in findings and ("stale-account", "alice") in findings


def test_duplicate_user_and_unknown_role(
    platform: Platform, admin: RequestContext, tenant: str
) -> None:
    _user(platform, admin)
    with pytest.raises(Conflict):
        platform.identity.add_user(admin, "alice")
    with pytest.raises(InvalidInput, match="unknown role"):
        platform.access.grant(admin, "alice", "superuser")


def test_no_secret_reaches_logs_or_errors(
    platform: Platform,
    admin: RequestContext,
    tenant: str,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _user(platform, admin)
    enrollment = platform.mfa.enroll_totp(admin, "alice")
    seed = enrollment.uri.reveal().split("secret=")[1].split("&")[0]
    codes = platform.mfa.confirm_totp(admin, "alice", totp.current_code(Secret(seed), clock.now()))
    _, token = platform.identity.create_api_key(admin, "alice", "k", scopes=["record.read"])
    errors = []
    for call in (
        lambda: platform.signin.login(_ctx(), "alice", GOOD, code="000000"),
        lambda: platform.signin.api_key(Secret(token.reveal() + "x")),
        lambda: platform.identity.add_user(admin, "bob", password=Secret("hunter2")),
    ):
        with pytest.raises(Exception) as info:
            call()
        errors.append(repr(info.value) + str(info.value))
    events = repr(platform.audit.search(limit=500))
    with platform.data.engine.connect() as conn:
        dump = "\n".join(
            str(r)
            for t in ("users", "api_keys", "recovery_codes", "sessions")
            for r in conn.exec_driver_sql(f"select * from {t}")
        )
    for secret in (
        GOOD.reveal(),
        seed,
        token.reveal(),
        token.reveal().split("_")[-1],
        codes[0].reveal(),
        "hunter2",
    ):
        assert secret not in caplog.text
        assert secret not in events
        assert all(secret not in e for e in errors)
        assert secret not in dump


def test_failed_logins_record_the_stage_that_failed(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    _user(platform, admin)
    _enroll(platform, admin, clock)
    with pytest.raises(AccessDenied, match="invalid username"):
        platform.signin.login(_ctx(), "alice", Secret("not-the-password-at-all"))
    with pytest.raises(AccessDenied, match="invalid username"):  # same message to the user
        platform.signin.login(_ctx(), "alice", GOOD, code="000000")
    stages = [e.detail.get("stage") for e in platform.audit.search(action="auth.login")]
    assert stages[:2] == ["mfa", "password"]  # newest first
