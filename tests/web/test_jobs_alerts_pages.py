"""End to end in the system Chromium: run a scan and watch it finish, see its findings;
see an alert and acknowledge it; start a masking job; run compliance checks.

Screenshots of each new page land in tests/web/artifacts (20-…).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from privault.core.context import Principal, RequestContext
from tests.api.jobs_support import write_customers
from tests.web.conftest import Live
from tests.web.test_dashboard import sign_in

DONE_WITHIN = 60_000  # ms: the page refreshes itself every 2 s while the job runs


def watch_errors(page: Page) -> list[Any]:
    errors: list[Any] = []
    page.on("console", lambda m: errors.append(m.text) if "Refused" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def raise_honeytoken_alert(live: Live) -> None:
    """Someone reads a canary record: the monitor opens a critical alert."""
    op = RequestContext(Principal("user:setup", frozenset({"owner"}), mfa_at=datetime.now(UTC)))
    (canary,) = live.platform.monitor.plant_honeytokens(op, "acme", "customer")
    live.platform.gate.read(op, "acme", [canary], purpose="support")


def test_run_a_scan_and_see_findings_and_the_data_map(page: Page, live: Live) -> None:
    errors = watch_errors(page)
    write_customers(live.platform.jobs.sources.root / "crm" / "customers.csv", 60)
    sign_in(page, live)
    page.click("nav >> text=Scans")
    expect(page.locator("h1")).to_have_text("Scans")
    page.fill("textarea[name=targets]", "../../etc/passwd")  # outside the data root: refused
    page.click("button:has-text('Start scan')")
    expect(page.locator("#form-error")).to_contain_text("outside the data root")

    page.fill("textarea[name=targets]", "crm")
    page.click("button:has-text('Start scan')")
    expect(page.locator("h1")).to_contain_text("Scan")
    expect(page.locator("#job-status")).to_have_text("done", timeout=DONE_WITHIN)
    findings = page.locator("#findings")
    expect(findings).to_contain_text("EMAIL_ADDRESS")
    expect(findings).to_contain_text("email")
    expect(findings).not_to_contain_text("person1@example.test")
    expect(page.locator("svg.chart")).to_be_visible()
    live.shot(page, "40-scan-findings")
    page.select_option("select[name=type]", "PHONE_NUMBER")
    page.click("button:has-text('Filter')")
    expect(page.locator("#findings tbody tr")).to_have_count(1)

    page.click("text=← All scans")
    expect(page.locator("#jobs tbody tr")).to_have_count(1)
    expect(page.locator("#jobs")).to_contain_text("done")
    live.shot(page, "41-scans")

    page.click("nav >> text=Overview")
    expect(page.locator("#data-map svg.chart")).to_be_visible()
    expect(page.locator("#data-map")).to_contain_text("master")
    live.shot(page, "42-overview-data-map")
    assert not errors, errors


def test_see_an_alert_and_acknowledge_it(page: Page, live: Live) -> None:
    errors = watch_errors(page)
    raise_honeytoken_alert(live)
    sign_in(page, live)
    expect(page.locator("#open-alerts")).to_contain_text("critical")
    page.click("nav >> text=Alerts")
    # The same read may also raise off-hours (at night), with the same time:
    # look for the row, not at a position.
    honeytoken = page.locator("#alerts tbody tr", has_text="honeytoken")
    expect(honeytoken).to_have_count(1)
    expect(honeytoken).to_contain_text("critical")
    expect(page.locator("#open-total")).not_to_have_text("0 open")
    live.shot(page, "43-alerts")
    page.locator("#alerts tbody tr", has_text="honeytoken").locator("a").first.click()
    expect(page.locator("#alert-state")).to_have_text("open")
    page.fill("textarea[name=note]", "checked with the client")
    page.click("button:has-text('Acknowledge')")
    expect(page.locator("#alert-state")).to_have_text("acknowledged")
    expect(page.locator("text=by user:alice")).to_be_visible()
    live.shot(page, "44-alert-acknowledged")
    # A forged post without the CSRF token changes nothing.
    alert_id = page.url.rsplit("/", 1)[-1]
    forged = page.request.post(
        f"{live.url}/alerts/{alert_id}", form={"csrf": "forged", "action": "resolve"}
    )
    assert forged.status == 403
    page.reload()
    expect(page.locator("#alert-state")).to_have_text("acknowledged")
    assert not errors, errors


def test_start_a_masking_job_and_run_compliance_checks(page: Page, live: Live) -> None:
    errors = watch_errors(page)
    root = live.platform.jobs.sources.root
    write_customers(root / "crm" / "customers.csv", 50)
    sign_in(page, live)
    page.click("nav >> text=Masking jobs")
    page.fill("input[name=source]", "crm/customers.csv")
    page.fill("input[name=dest]", "crm/customers.masked.csv")
    page.fill("textarea[name=policy]", "entities: [broken")  # refused before any job starts
    page.click("button:has-text('Start masking')")
    expect(page.locator("#form-error")).to_contain_text("not valid YAML")
    live.shot(page, "45-masking-refused")
    page.fill("textarea[name=policy]", "entities:\n  EMAIL_ADDRESS: {operator: redact}\n")
    page.click("button:has-text('Start masking')")
    expect(page.locator("#job-status")).to_have_text("done", timeout=DONE_WITHIN)
    expect(page.locator("#report")).to_contain_text("email")
    live.shot(page, "46-masking-job")
    masked = (root / "crm" / "customers.masked.csv").read_text()
    assert "person1@example.test" not in masked and 'C00001,Testname Person1,"",' in masked

    page.click("nav >> text=Compliance")
    page.click("button:has-text('Run GDPR checks now')")
    expect(page.locator("#score")).to_contain_text("/100")
    expect(page.locator("#controls tbody tr").first).to_be_visible()
    live.shot(page, "47-compliance")
    with page.expect_download() as download:
        page.click("text=Report (PDF)")
    path = download.value.path()
    assert path is not None and Path(path).read_bytes()[:4] == b"%PDF"
    assert not errors, errors


def test_a_technician_sees_only_its_clients_jobs_and_no_alerts(page: Page, live: Live) -> None:
    write_customers(live.platform.jobs.sources.root / "a.csv", 10)
    sign_in(page, live, user="tom", code="")
    page.goto(f"{live.url}/scans?tenant=globex")
    expect(page.locator(".note.bad")).to_contain_text("404")
    page.goto(f"{live.url}/scans")
    expect(page.locator("select[name=tenant]")).not_to_contain_text("Globex")
    page.goto(f"{live.url}/alerts")
    expect(page.locator(".note.bad")).to_contain_text("403")
    page.goto(f"{live.url}/")
    expect(page.locator("#open-alerts")).to_contain_text("Not available to your role")
