"""End to end in the system Chromium: sign in with TOTP, browse, reveal, audit, admin pages."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from privault.core.context import Principal, RequestContext
from tests.web.conftest import PASSWORD, Live


def sign_in(page: Page, live: Live, user: str = "alice", code: str | None = None) -> None:
    page.goto(f"{live.url}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", code if code is not None else live.code())
    page.click("button.primary")


def test_sign_in_browse_reveal_audit(page: Page, live: Live) -> None:
    errors: list[Any] = []
    page.on("console", lambda m: errors.append(m.text) if "Refused" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live.url}/")
    expect(page).to_have_url(re.compile(r"/login$"))
    live.shot(page, "01-login")

    sign_in(page, live, code="000000")  # a wrong code: refused, one generic message
    expect(page.locator(".note.bad")).to_contain_text("invalid username, password or code")

    sign_in(page, live)
    expect(page.locator("h1")).to_have_text("Overview")
    expect(page.locator("#chain-status")).to_have_text("Intact")
    expect(page.locator("text=Acme Ltd").first).to_be_visible()
    expect(page.locator("svg.chart[aria-label='gated reads per day']")).to_be_visible()
    live.shot(page, "02-overview")

    page.click("nav >> text=Vault")
    rows = page.locator("#records tbody tr")
    expect(rows).to_have_count(25)
    expect(page.locator("#records")).not_to_contain_text("person1@example.test")
    expect(page.locator("#records")).to_contain_text("@example.test")  # masked: p***@…
    page.click("text=Next page")
    expect(rows).to_have_count(5)
    live.shot(page, "03-vault")

    page.locator("#records tbody tr a").first.click()
    expect(page.locator("h2").first).to_contain_text("Masked record")
    live.shot(page, "04-record-masked")
    page.fill("input[name=purpose]", "billing-dispute")
    page.click("button:has-text('Reveal')")
    expect(page.locator(".note.warn")).to_contain_text("billing-dispute")
    expect(page.locator("#fields")).to_contain_text(re.compile(r"person\d+@example\.test"))
    live.shot(page, "05-record-revealed")

    page.click("nav >> text=Audit trail")
    expect(page.locator("#chain-status")).to_have_text("Intact")
    page.fill("input[name=action]", "record.read")
    page.click("button:has-text('Search')")
    first = page.locator("#events tbody tr").first
    expect(first).to_contain_text("billing-dispute")
    expect(first).to_contain_text("user:alice")
    live.shot(page, "06-audit")

    for nav, name, marker in (
        ("Users", "07-users", "#users"),
        ("Roles", "08-roles", "#roles"),
        ("API keys", "09-apikeys", "#keys"),
        ("MFA", "10-mfa", "#mfa-status"),
    ):
        page.click(f"nav >> text={nav}")
        expect(page.locator(marker)).to_be_visible()
        live.shot(page, name)
    assert not errors, errors  # no CSP violations or script errors


def test_admin_actions_and_csrf(page: Page, live: Live) -> None:
    sign_in(page, live)
    page.click("nav >> text=API keys")
    page.fill("input[name=name]", "billing-sync")
    page.fill("input[name=scopes]", "record.read record.find")
    page.click("button:has-text('Issue key')")
    expect(page.locator("#new-token")).to_contain_text("pvk_")
    token = page.locator("#new-token").inner_text().strip()
    live.shot(page, "11-apikey-created")
    api = page.request.get(
        f"{live.url}/api/v1/tenants/acme/records?purpose=sync&limit=1",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status == 200 and api.json()["items"]

    page.click("nav >> text=Users")
    page.fill("form[action='/users'] input[name=username]", "nina")
    page.fill("form[action='/users'] input[name=password]", PASSWORD)
    page.click("button:has-text('Add user')")
    expect(page.locator("#users")).to_contain_text("nina")

    # A forged post without the CSRF token is refused, and nothing changes.
    forged = page.request.post(f"{live.url}/users/nina/disable", form={"csrf": "forged"})
    assert forged.status == 403
    ctx = RequestContext(Principal("user:t", frozenset({"owner"})))
    assert {u.username: u.status for u in live.platform.identity.list_users(ctx)}[
        "nina"
    ] == "active"


def test_technician_sees_only_its_client(page: Page, live: Live) -> None:
    sign_in(page, live, user="tom", code="")
    page.goto(f"{live.url}/vault?tenant=globex")
    expect(page.locator(".note.bad")).to_contain_text("404")
    page.goto(f"{live.url}/vault")
    expect(page.locator("#records tbody tr")).to_have_count(25)
    expect(page.locator("#records")).to_contain_text("@example.test")


def test_first_start_setup_and_totp_enrolment(page: Page, empty_live: Live) -> None:
    live = empty_live
    services = live.app.state.services
    ctx = RequestContext(Principal("cli:op", frozenset({"owner"})))
    token = services.setup.create_setup_token(ctx).reveal()
    page.goto(f"{live.url}/setup?token={token}")
    live.shot(page, "12-setup")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Create owner')")
    expect(page.locator(".note.ok")).to_contain_text("Owner created")
    sign_in(page, live, user="owner", code="")
    page.click("nav >> text=MFA")
    page.click("button:has-text('Enrol an authenticator app')")
    expect(page.locator("#qr svg")).to_be_visible()
    live.shot(page, "13-mfa-enrol")
    uri = (page.locator("details pre").text_content() or "").strip()
    import pyotp

    live.totp = pyotp.parse_uri(uri)
    page.fill("input[name=code]", live.code())
    page.click("button:has-text('Confirm')")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    live.shot(page, "14-mfa-recovery-codes")
    # The link worked once.
    page.goto(f"{live.url}/setup?token={token}")
    page.fill("input[name=username]", "intruder")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Create owner')")
    expect(page.locator(".note.bad")).to_contain_text("not valid")
