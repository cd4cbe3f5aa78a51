"""Secure sharing end to end, on SQLite and PostgreSQL: links, secrets, lockout, purge."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from privault.app.bootstrap import Platform
from privault.app.sharing import SharingService
from privault.core.clock import FixedClock
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied, KeyDestroyed, NotFound
from privault.core.secret import Secret
from privault.sharing.mail import SmtpMailer
from privault.sharing.models import ShareOptions
from privault.sharing.storage import LocalStore

CANARY_EMAIL = "canary.zq8@example.org"
CANARY_TEXT = f"Customer list\nJane Canary, {CANARY_EMAIL}, card 4111 1111 1111 1111\n"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[_Inbox, int]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def sharing(platform: Platform, tenant: str, smtp: tuple[_Inbox, int]) -> SharingService:
    mailer = SmtpMailer("127.0.0.1", smtp[1], "privault@example.test")
    store = LocalStore(platform.settings.data_dir / "shares")
    return SharingService(
        platform.data, platform.keys, platform.tenants, platform.audit, platform.authz,
        platform.clock, store, mailer,
    )  # fmt: skip


RECIPIENT = RequestContext(Principal("anon:203.0.113.9"), source="test")


def _get(sharing: SharingService, token: Secret[str], **kw: object) -> bytes:
    return b"".join(sharing.get(RECIPIENT, token, **kw).chunks)  # type: ignore[arg-type]


def _actions(platform: Platform, action: str) -> list[tuple[str, str]]:
    return [(e.outcome, e.detail.get("reason", "")) for e in platform.audit.search(action=action)]


def test_upload_scan_download_and_canary(
    platform: Platform, sharing: SharingService, admin: RequestContext, tmp_path: Path
) -> None:
    shared = sharing.put(admin, "acme", "customers.csv", [CANARY_TEXT.encode()])
    assert shared.scan.kind == "text"
    assert shared.scan.counts["EMAIL_ADDRESS"] == 1 and shared.scan.counts["CREDIT_CARD"] == 1
    listed = sharing.files(admin, "acme")
    assert [(f.name, f.state, f.findings) for f in listed] == [
        ("customers.csv", "active", shared.scan.counts)
    ]
    assert sharing.view(RECIPIENT, shared.token).passphrase is False
    download = sharing.get(RECIPIENT, shared.token)
    assert download.name == "customers.csv"
    assert b"".join(download.chunks) == CANARY_TEXT.encode()
    # The canary never reaches the blob, the database files or the audit trail.
    for path in platform.settings.data_dir.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert CANARY_EMAIL.encode() not in raw, path
            assert b"customers.csv" not in raw, path
    trail = repr(platform.audit.search(limit=1000))
    assert CANARY_EMAIL not in trail and "customers.csv" not in trail
    assert shared.token.reveal() not in trail
    assert [o for o, _ in _actions(platform, "share.get")] == ["allowed"]
    assert _actions(platform, "share.put") and _actions(platform, "share.view")


def test_expired_revoked_and_exhausted_links_refuse(
    platform: Platform, sharing: SharingService, admin: RequestContext, clock: FixedClock
) -> None:
    opts = ShareOptions(expires_in=timedelta(hours=1), max_downloads=1)
    one = sharing.put(admin, "acme", "a.txt", [b"hello"], opts)
    assert _get(sharing, one.token) == b"hello"
    with pytest.raises(AccessDenied, match="exhausted"):
        _get(sharing, one.token)
    two = sharing.put(admin, "acme", "b.txt", [b"hello"])
    _extra_id, extra = sharing.link(admin, "acme", two.file_id, ShareOptions())
    sharing.revoke(admin, "acme", two.link_id)
    with pytest.raises(AccessDenied, match="revoked"):
        _get(sharing, two.token)
    assert _get(sharing, extra) == b"hello"  # only that link was revoked
    sharing.revoke(admin, "acme", two.file_id)
    with pytest.raises(AccessDenied, match="revoked"):
        _get(sharing, extra)
    three = sharing.put(admin, "acme", "c.txt", [b"hello"], opts)
    clock.advance(timedelta(hours=1))
    with pytest.raises(AccessDenied, match="expired"):
        _get(sharing, three.token)
    with pytest.raises(NotFound):
        _get(sharing, Secret(three.link_id + ".forged-secret"))
    reasons = {r for o, r in _actions(platform, "share.get") if o != "allowed"}
    assert {"exhausted", "revoked", "expired", "unknown-link"} <= reasons


def test_wrong_passphrase_is_rate_limited_and_audited(
    platform: Platform, sharing: SharingService, admin: RequestContext, clock: FixedClock
) -> None:
    good = Secret("blue-harbor-lantern")
    shared = sharing.put(admin, "acme", "p.txt", [b"secret"], ShareOptions(passphrase=good))
    for _ in range(5):
        with pytest.raises(AccessDenied, match="wrong passphrase"):
            _get(sharing, shared.token, passphrase=Secret("guess"))
    with pytest.raises(AccessDenied, match="wrong passphrase"):
        _get(sharing, shared.token)  # the 6th failure locks the link
    with pytest.raises(AccessDenied, match="too many failed attempts"):
        _get(sharing, shared.token, passphrase=good)  # even the right one, while locked
    outcomes = _actions(platform, "share.get")
    assert outcomes.count(("failed", "passphrase")) == 6
    assert ("denied", "locked") in outcomes
    assert "guess" not in repr(platform.audit.search(limit=100))
    clock.advance(timedelta(minutes=2))
    assert _get(sharing, shared.token, passphrase=good) == b"secret"


def test_named_recipient_confirms_emailed_code(
    platform: Platform,
    sharing: SharingService,
    admin: RequestContext,
    smtp: tuple[_Inbox, int],
) -> None:
    inbox = smtp[0]
    before = len(inbox.messages)
    shared = sharing.put(
        admin, "acme", "r.txt", [b"for bob"], ShareOptions(recipients=("Bob@Example.org",))
    )
    assert sharing.view(RECIPIENT, shared.token).recipients == 1
    sharing.request_code(RECIPIENT, shared.token, "mallory@example.org")
    assert len(inbox.messages) == before  # not a recipient: nothing sent, attempt audited
    with pytest.raises(AccessDenied):
        _get(sharing, shared.token)  # no code
    sharing.request_code(RECIPIENT, shared.token, "bob@example.org")
    message = inbox.messages[-1]
    assert message["To"] == "bob@example.org"
    code = re.search(r"\b(\d{6})\b", message.get_payload()).group(1)  # type: ignore[union-attr]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(AccessDenied):
        _get(sharing, shared.token, email="bob@example.org", code=Secret(wrong))
    assert _get(sharing, shared.token, email="BOB@example.org", code=Secret(code)) == b"for bob"
    with pytest.raises(AccessDenied):  # a code works once
        _get(sharing, shared.token, email="bob@example.org", code=Secret(code))
    outcomes = _actions(platform, "share.get")
    assert outcomes.count(("failed", "code")) == 3
    assert ("failed", "recipient") in _actions(platform, "share.code")
    assert "bob@example.org" not in repr(platform.audit.search(limit=100)).lower()


def test_purge_destroys_the_file_key(
    platform: Platform, sharing: SharingService, admin: RequestContext, clock: FixedClock
) -> None:
    keep = sharing.put(admin, "acme", "keep.txt", [b"k"])
    gone = sharing.put(admin, "acme", "gone.txt", [b"g"], ShareOptions(timedelta(hours=1)))
    revoked = sharing.put(admin, "acme", "revoked.txt", [b"r"])
    sharing.revoke(admin, "acme", revoked.file_id)
    clock.advance(timedelta(hours=2))
    # purge is a step-up action: the owner proves a second factor again
    fresh = RequestContext(Principal("user:admin", frozenset({"owner"}), mfa_at=clock.now()))
    assert sorted(sharing.purge(fresh)) == sorted([gone.file_id, revoked.file_id])
    assert sharing.purge(fresh) == []
    tenant_id = platform.tenants.get("acme").id
    left = platform.keys.subject_ciphers(
        tenant_id, [f"_file:{f}" for f in (keep.file_id, gone.file_id)], create=False
    )
    assert list(left) == [f"_file:{keep.file_id}"]
    assert not list((platform.settings.data_dir / "shares").rglob(f"{gone.file_id}*"))
    states = {f.id: (f.state, f.name) for f in sharing.files(admin, "acme")}
    assert states[gone.file_id] == ("destroyed", "(destroyed)")
    with pytest.raises(AccessDenied, match="destroyed"):
        _get(sharing, gone.token)
    assert len(_actions(platform, "share.purge")) == 2
    _ = KeyDestroyed  # the service raises it if a key vanishes between audit and decrypt


def test_other_tenants_cannot_share_or_list(
    platform: Platform, sharing: SharingService, admin: RequestContext
) -> None:
    platform.tenants.create(admin, "globex")
    tech = RequestContext(
        Principal(
            "user:tom", tenant_roles=frozenset({(platform.tenants.get("globex").id, "owner")})
        )
    )
    with pytest.raises(AccessDenied, match="tenant-scope"):
        sharing.put(tech, "acme", "x.txt", [b"x"])
    with pytest.raises(AccessDenied):
        sharing.files(tech, "acme")
