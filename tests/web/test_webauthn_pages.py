"""Security keys in the dashboard, in Chromium with its virtual authenticator (CDP).

The server runs at http://localhost:PORT: a WebAuthn relying-party id must be
a domain name (``localhost`` is one, and a secure context), never an IP address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from privault.core.context import Principal, RequestContext
from privault.core.secret import Secret
from privault.credentials.items import ItemMeta, ItemSecrets, NewItem
from privault.interfaces.api import ApiConfig, create_app
from tests.support.net import free_port
from tests.web.conftest import PASSWORD, Live, seeded, serve
from tests.web.test_dashboard import sign_in

CANARY = "-".join(["Key", "Canary", "9034"])


@pytest.fixture
def key_live(tmp_path: Path) -> Iterator[Live]:
    port = free_port()
    origin = f"http://localhost:{port}"
    platform, totp = seeded(tmp_path, webauthn_rp_id="localhost", webauthn_origin=origin)
    app = create_app(platform, ApiConfig())
    _url, server, thread = serve(app, port)
    yield Live(origin, platform, app, totp)
    server.should_exit = True
    thread.join(timeout=10)
    platform.close()


def virtual_key(page: Page) -> tuple[Any, str]:
    """A CTAP2 platform authenticator with user verification, inside this browser."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
               "hasUserVerification": True, "isUserVerified": True}  # fmt: skip
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    return cdp, str(found["authenticatorId"])


def key_sign_in(page: Page, live: Live, user: str, password: str = PASSWORD) -> None:
    page.goto(f"{live.url}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("#webauthn-login")


def test_register_step_up_and_sign_in_with_a_security_key(page: Page, key_live: Live) -> None:
    live = key_live
    errors: list[Any] = []
    page.on("console", lambda m: errors.append(m.text) if "Refused" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    cdp, authenticator = virtual_key(page)
    owner = RequestContext(Principal("user:setup", frozenset({"owner"}), mfa_at=datetime.now(UTC)))
    item = NewItem(ItemMeta("core-switch", "admin"), ItemSecrets(Secret(CANARY)),
                   share_roles=("technician",))  # fmt: skip
    live.platform.credentials.add(owner, "acme", item)

    # tom has no second factor yet: he signs in with his password and registers a key.
    sign_in(page, live, user="tom", code="")
    page.click("nav >> text=MFA")
    expect(page.locator("#key-count")).to_have_text("No security keys registered.")
    page.click("#webauthn-register")
    expect(page.locator("#key-added")).to_be_visible()
    expect(page.locator("#key-count")).to_have_text("1 security key registered.")
    creds = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(creds) == 1
    live.shot(page, "30-security-key-registered")

    # His session has no fresh factor: a reveal asks for step-up; the key answers it.
    page.click("nav >> text=Credentials")
    page.fill("input[name=purpose]", "ticket 5")
    page.click("button:has-text('Reveal')")
    expect(page.locator("#stepup")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(CANARY)
    live.shot(page, "31-step-up-with-key")
    page.click("button:has-text('Use a security key')")
    expect(page).to_have_url(re.compile(r"/credentials\?tenant=acme$"))
    page.fill("input[name=purpose]", "ticket 5")
    page.click("button:has-text('Reveal')")
    expect(page.locator("#secret")).to_have_text(CANARY)

    # Sign out; a wrong password gets no challenge; password + key signs in.
    page.click("button:has-text('Sign out')")
    key_sign_in(page, live, "tom", password="not-his-password")
    expect(page.locator(".webauthn-error")).to_have_text("invalid username, password or code")
    key_sign_in(page, live, "tom")
    expect(page.locator("h1")).to_have_text("Overview")
    live.shot(page, "32-signed-in-with-key")
    # Now enrolled, tom's password alone no longer opens a session.
    page.click("button:has-text('Sign out')")
    sign_in(page, live, user="tom", code="")
    expect(page.locator(".note.bad")).to_contain_text("invalid username, password or code")
    audit = RequestContext(Principal("user:t", frozenset({"owner"})))
    logins = live.platform.trail.search(audit, action="auth.login", limit=50)
    mine = [(e.outcome, e.detail.get("mfa")) for e in logins if e.resource == "users/tom"]
    assert mine[:2] == [("failed", None), ("allowed", True)]  # newest first: the key sign-in
    steps = live.platform.trail.search(audit, action="auth.step_up", limit=5)
    assert not [e for e in steps if e.outcome == "failed"]
    assert not errors, errors


def test_adding_a_key_to_an_enrolled_account_needs_a_fresh_factor(
    page: Page, key_live: Live
) -> None:
    live = key_live
    virtual_key(page)
    sign_in(page, live)  # alice, with her TOTP code: a fresh factor
    page.click("nav >> text=MFA")
    page.click("#webauthn-register")
    expect(page.locator("#key-count")).to_have_text("1 security key registered.")
    page.click("#webauthn-stepup")  # the key verifies her again
    expect(page.locator("#mfa-status")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/mfa$"))
