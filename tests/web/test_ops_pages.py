"""Lifecycle, sharing, credential and incident pages, end to end in the system Chromium."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from privault.core.context import Principal, RequestContext
from privault.core.secret import Secret
from privault.credentials.items import ItemMeta, ItemSecrets, NewItem
from tests.web.conftest import Live
from tests.web.test_dashboard import sign_in

# Assembled at run time: no literal credential in the source.
CANARY = "-".join(["Web", "Canary", "5521"])


def _owner() -> RequestContext:
    return RequestContext(Principal("user:setup", frozenset({"owner"}), mfa_at=datetime.now(UTC)))


def _watch(page: Page) -> list[Any]:
    errors: list[Any] = []
    page.on("console", lambda m: errors.append(m.text) if "Refused" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_lifecycle_page_dsr_holds_retention(page: Page, live: Live, tmp_path: Path) -> None:
    errors = _watch(page)
    sign_in(page, live)
    page.click("nav >> text=Lifecycle")
    expect(page.locator("h1")).to_have_text("Data lifecycle")
    form = page.locator("#requests form")
    form.locator("input[name=subject_id]").fill("C00003")
    form.locator("select[name=kind]").select_option("access")
    form.locator("button").click()
    expect(page.locator("#dsr-state")).to_have_text("verifying")
    expect(page.locator("#dsr-deadline")).to_have_text(re.compile(r"^in (2[89]|3[01]) d$"))
    page.select_option("select[name=method]", "id-document")
    page.click("button:has-text('Record verification')")
    page.click("button:has-text('Carry out and complete')")
    expect(page.locator("#dsr-state")).to_have_text("completed")
    expect(page.locator("#dsr-steps li")).to_have_count(4)
    live.shot(page, "20-dsr")
    with page.expect_download() as got:
        page.click("#bundle")
    bundle = json.loads(Path(got.value.path()).read_text())
    assert [r["fields"]["email"] for r in bundle["records"]] == ["person3@example.test"]

    page.click("text=All requests")
    expect(page.locator("#requests tbody tr")).to_have_count(1)
    expect(page.locator("#open-dsr")).to_have_text("0")
    holds = page.locator("#holds form").first
    holds.locator("input[name=reason]").fill("matter 2026-17")
    holds.locator("button").click()
    expect(page.locator("#holds tbody")).to_contain_text("matter 2026-17")
    page.click("button:has-text('Preview')")
    expect(page.locator("#retention-report")).to_contain_text("Preview: 0 record(s) due")
    live.shot(page, "21-lifecycle")
    assert not errors, errors


def test_sharing_page_and_public_download(page: Page, browser: Browser, live: Live) -> None:
    errors = _watch(page)
    sign_in(page, live)
    page.click("nav >> text=Sharing")
    page.set_input_files(
        "input[name=file]",
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"call person9@example.test"},
    )
    page.fill("input[name=max_downloads]", "1")
    page.fill("input[name=passphrase]", "open sesame 42")
    page.click("button:has-text('Encrypt and share')")
    expect(page.locator("#new-share")).to_contain_text("EMAIL_ADDRESS \u00d7 1")
    expect(page.locator("#shares tbody tr")).to_have_count(1)
    link = (page.locator("#share-link").text_content() or "").strip()
    live.shot(page, "22-shares")

    stranger = browser.new_context()  # no session: the link is the credential
    recipient = stranger.new_page()
    recipient.goto(link)
    token = link.partition("#")[2]
    assert token and "?" not in link  # the token rides in the fragment, never sent in a URL
    expect(recipient.locator("input[name=token]")).to_have_value(token)
    assert recipient.url.endswith("/share")  # and leaves the address bar and history
    recipient.fill("input[name=passphrase]", "wrong passphrase")
    recipient.click("button:has-text('Download')")
    expect(recipient.locator(".note.bad")).to_contain_text("wrong passphrase")
    recipient.fill("input[name=passphrase]", "open sesame 42")
    with recipient.expect_download() as got:
        recipient.click("button:has-text('Download')")
    assert Path(got.value.path()).read_bytes() == b"call person9@example.test"
    assert got.value.suggested_filename == "notes.txt"
    recipient.goto(link)
    recipient.fill("input[name=passphrase]", "open sesame 42")
    recipient.click("button:has-text('Download')")
    expect(recipient.locator(".note.bad")).to_contain_text("exhausted")
    live.shot(recipient, "23-share-download-used-up")
    stranger.close()
    page.reload()
    expect(page.locator("#shares")).to_contain_text("1/1 downloads")
    assert not errors, errors


def test_credentials_page_health_reveal_and_step_up(page: Page, live: Live) -> None:
    errors = _watch(page)
    owner, creds = _owner(), live.platform.credentials
    weak = "pass" + "word1"
    for title, pw in (("router", weak), ("nas", weak), ("vpn", CANARY)):
        creds.add(owner, "acme", NewItem(ItemMeta(title, "admin"), ItemSecrets(Secret(pw)),
                                         share_roles=("technician",)))  # fmt: skip
    sign_in(page, live)
    page.click("nav >> text=Credentials")
    expect(page.locator("#items tbody tr")).to_have_count(3)
    expect(page.locator("#items")).not_to_contain_text(CANARY)
    # weak, reused and breached ("password1" is in the shipped breach list); none old
    expect(page.locator("svg.health rect.issue")).to_have_count(3)
    expect(page.locator("svg.health title").nth(2)).to_have_text("old: 0 of 3")
    expect(page.locator("#health-status")).to_contain_text("issue(s) across 3 item(s)")
    page.click("button:has-text('Generate')")
    expect(page.locator("#generated")).to_have_text(re.compile(r"^\S{20}$"))
    live.shot(page, "24-credentials")
    row = page.locator("#items tbody tr", has_text="vpn")
    row.locator("input[name=purpose]").fill("ticket 881")
    row.locator("button").click()
    expect(page.locator("#secret")).to_have_text(CANARY)
    live.shot(page, "25-credential-revealed")
    assert not errors, errors


def test_reveal_without_fresh_factor_asks_for_step_up(page: Page, live: Live) -> None:
    item = NewItem(
        ItemMeta("switch", "admin"), ItemSecrets(Secret(CANARY)), share_roles=("technician",)
    )
    live.platform.credentials.add(_owner(), "acme", item)
    sign_in(page, live, user="tom", code="")  # a technician without a second factor
    page.click("nav >> text=Credentials")
    page.fill("input[name=purpose]", "ticket 9")
    page.click("button:has-text('Reveal')")
    expect(page.locator("#stepup")).to_contain_text("needs a second factor")
    expect(page.locator("body")).not_to_contain_text(CANARY)
    live.shot(page, "26-step-up")


def test_incident_pages(page: Page, live: Live) -> None:
    errors = _watch(page)
    sign_in(page, live)
    page.click("nav >> text=Incidents")
    page.fill("input[name=title]", "Phished admin account")
    page.select_option("select[name=severity]", "high")
    page.click("button:has-text('Open incident')")
    expect(page.locator("h1")).to_have_text("Phished admin account")
    page.select_option("select[name=state]", "triaged")
    page.click("button:has-text('Advance')")
    expect(page.locator("#incident-state")).to_have_text("triaged")
    page.fill("input[name=principal]", "user:alice")
    page.click("button:has-text('Assess impact')")
    expect(page.locator("#timeline li")).to_have_count(3)
    expect(page.locator("#impact-subjects")).to_have_text(re.compile(r"^\d+$"))
    live.shot(page, "27-incident")
    page.click("text=All incidents")
    expect(page.locator("#incidents tbody tr")).to_have_count(1)
    live.shot(page, "28-incidents")
    assert not errors, errors


def test_technician_cannot_open_another_clients_pages(page: Page, live: Live) -> None:
    live.platform.credentials.add(
        _owner(), "globex", NewItem(ItemMeta("globex-fw", "root"), ItemSecrets(Secret(CANARY)))
    )
    sign_in(page, live, user="tom", code="")
    for path in ("/credentials", "/shares", "/lifecycle"):
        page.goto(f"{live.url}{path}?tenant=globex")
        expect(page.locator(".note.bad")).to_contain_text("404")
        expect(page.locator("body")).not_to_contain_text("globex-fw")
    page.goto(f"{live.url}/credentials")
    expect(page.locator("#items")).to_contain_text("No item you may open.")
    page.goto(f"{live.url}/incidents")  # platform-wide cases: not for a client technician
    expect(page.locator(".note.bad")).to_contain_text("403")
