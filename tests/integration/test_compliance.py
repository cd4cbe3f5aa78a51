"""Compliance checks on a live platform (SQLite and PostgreSQL): runs, trend, reports."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import update

from privault.app.bootstrap import Platform
from privault.app.compliance import ComplianceService
from privault.compliance import render
from privault.compliance.facts import Settings
from privault.compliance.scoring import Assessment
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from privault.vault.tables import record_fields
from tests.support.data import customer


def _status(a: Assessment, check: str) -> str:
    return next(r.result.status for r in a.rows if r.control.check == check)


def test_checks_pass_then_fail_on_the_live_system_and_trend(
    platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock
) -> None:
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    svc = ComplianceService(platform, Settings(tls_enabled=True))
    first = svc.check(admin, "pci-dss", tenant)
    assert _status(first, "vault-fields-encrypted") == "pass"
    assert _status(first, "audit-chain-verifies") == "pass"
    assert _status(first, "keys-rotated") == "pass"
    assert _status(first, "mfa-privileged-users") == "not-applicable"
    assert _status(first, "incident-clocks") == "pass"  # incidents wired; none open
    assert _status(first, "retention-covers-categories") == "fail"  # no rule yet
    # a plaintext row slips into the vault; a privileged user has no MFA
    with platform.data.transaction() as conn:
        conn.execute(
            update(record_fields)
            .where(record_fields.c.record_id == rid, record_fields.c.field == "notes")
            .values(ciphertext=b"called about order 1")
        )
    platform.identity.add_user(admin, "bob")
    platform.access.grant(admin, "bob", "admin")
    clock.advance(timedelta(minutes=1))
    second = svc.check(admin, "pci-dss", tenant)
    enc = next(r.result for r in second.rows if r.control.check == "vault-fields-encrypted")
    assert enc.status == "fail" and enc.evidence["unencrypted_fields"] == [f"{rid}.notes"]
    assert "called about" not in str(enc.evidence)
    assert _status(second, "mfa-privileged-users") == "fail"
    assert second.score < first.score and "PV-ENC-01" in second.failing
    trend = svc.trend(admin, "pci-dss", tenant)
    assert [p.score for p in trend] == [first.score, second.score]
    assert [p.audit_ref for p in trend] == [first.audit_ref, second.audit_ref]
    pdf = render.report_pdf(second, trend)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "PV-ENC-01" in text and str(second.audit_ref) in text


def test_transparency_states_only_what_checks_confirm(
    platform: Platform, admin: RequestContext, tenant: str
) -> None:
    platform.vault.put(admin, tenant, "customer", customer(2))
    svc = ComplianceService(platform, Settings(contact="privacy@acme.test"))
    facts = svc.transparency(admin, tenant)
    assert facts.organisation == "Acme Ltd" and facts.contact == "privacy@acme.test"
    (ctype,) = facts.collected
    assert ctype.name == "customer" and "US_SSN" in ctype.pii_types and ctype.retention is None
    assert any("encrypted (AES-256-GCM)" in p for p in facts.protections)
    assert not any("TLS" in p for p in facts.protections)  # not serving: not claimed
    html = render.transparency_html(facts)
    assert "Testname" not in html and "123-45-6789" not in html
