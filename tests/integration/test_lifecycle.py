"""Retention runs: boundaries, legal holds, resumed runs, certificates (both stores)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader

from privault.app.bootstrap import Platform
from privault.app.lifecycle import Lifecycle, lifecycle_for
from privault.core.clock import FixedClock
from privault.core.context import Principal, RequestContext
from privault.core.errors import NotFound
from privault.lifecycle import certificate as certs
from privault.lifecycle.retention import parse_policies
from tests.support.data import customer

SHORT = parse_policies("policies:\n  - {record_type: customer, keep: 30d}\n")


def now_ctx(clock: FixedClock) -> RequestContext:
    """The owner with a fresh second factor (the clock moves in these tests)."""
    return RequestContext(
        Principal("user:admin", frozenset({"owner"}), mfa_at=clock.now()), source="test"
    )


@pytest.fixture
def life(platform: Platform) -> Lifecycle:
    return lifecycle_for(platform, SHORT)


def _seed(platform: Platform, admin: RequestContext, tenant: str, clock: FixedClock) -> list[str]:
    """Records last active on day 0, 1 and 2 (due on day 30, 31, 32)."""
    ids = []
    for i in range(3):
        ids.append(platform.vault.put(admin, tenant, "customer", customer(i)))
        clock.advance(timedelta(days=1))
    return ids


def test_retention_boundaries(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext, clock: FixedClock
) -> None:
    start = clock.now()
    ids = _seed(platform, admin, tenant, clock)
    clock.current = start + timedelta(days=30)  # record 0 due today, 1 tomorrow, 2 in 2 days
    dry = life.retention.run(now_ctx(clock), tenant, dry_run=True)
    assert [d.record_id for d in dry.due] == [ids[0]]
    assert dry.due[0].due_on == (start + timedelta(days=30)).date()
    report = life.retention.run(now_ctx(clock), tenant)
    assert report.destroyed == 1 and report.certificate is not None
    assert report.certificate["records"] == [ids[0]]
    with pytest.raises(NotFound):
        platform.gate.read(admin, tenant, [ids[0]], purpose="support")
    assert len(platform.gate.read(admin, tenant, ids[1:], purpose="support")) == 2
    clock.advance(timedelta(days=1))  # record 1 due on its day; record 2 one day before
    assert life.retention.run(now_ctx(clock), tenant).certificate["records"] == [ids[1]]  # type: ignore[index]
    clock.advance(timedelta(days=2))  # one day after record 2's due day
    assert life.retention.run(now_ctx(clock), tenant).destroyed == 1
    tenant_id = platform.tenants.get(tenant).id  # a wholly expired subject is crypto-shredded
    assert platform.keys.subject_ciphers(tenant_id, ["C00002"], create=False) == {}


def test_legal_hold_overrides_and_release(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext, clock: FixedClock
) -> None:
    ids = _seed(platform, admin, tenant, clock)
    life.retention.hold(admin, tenant, "case 2026-17", subject_id="C00000")
    clock.advance(timedelta(days=60))
    report = life.retention.run(now_ctx(clock), tenant)
    assert report.destroyed == 2 and report.held == 1
    assert platform.gate.read(admin, tenant, [ids[0]], purpose="support")
    life.retention.hold(now_ctx(clock), tenant, "tenant-wide litigation")
    assert life.retention.release(now_ctx(clock), tenant, subject_id="C00000") == 1
    assert life.retention.run(now_ctx(clock), tenant).held == 1  # the tenant hold still wins
    assert life.retention.release(now_ctx(clock), tenant) == 1
    assert life.retention.run(now_ctx(clock), tenant).destroyed == 1


def test_interrupted_run_resumes(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext, clock: FixedClock
) -> None:
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(5)])
    clock.advance(timedelta(days=31))

    def stop(_n: int) -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        life.retention.run(now_ctx(clock), tenant, batch_size=2, on_batch=stop)
    # the first batch (two records) went; the other three are still there
    assert len(platform.gate.read(admin, tenant, sorted(ids)[2:], purpose="support")) == 3
    with pytest.raises(NotFound):
        platform.gate.read(admin, tenant, sorted(ids)[:1], purpose="support")
    report = life.retention.run(now_ctx(clock), tenant, batch_size=2)
    assert report.resumed and report.destroyed == 5
    assert report.certificate is not None and report.certificate["counts"]["destroyed"] == 5
    assert len(report.certificate["audit_event_ids"]) == 3  # one per batch
    again = life.retention.run(now_ctx(clock), tenant)  # idempotent: nothing left
    assert not again.resumed and again.destroyed == 0


def test_certificate_signed_json_and_pdf(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext, clock: FixedClock
) -> None:
    platform.vault.put(admin, tenant, "customer", customer(7))
    clock.advance(timedelta(days=40))
    cert = life.retention.run(now_ctx(clock), tenant).certificate
    assert cert is not None and life.certificates.verify(cert)
    stored = life.certificates.get(admin, tenant, cert["run_id"])
    assert stored == cert and certs.verify(json.loads(json.dumps(stored)))
    forged = {**cert, "counts": {**cert["counts"], "destroyed": 0}}
    assert not life.certificates.verify(forged)
    events = {e.id for e in platform.audit.search(action="lifecycle.destroy")}
    assert set(cert["audit_event_ids"]) <= events
    text = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(life.certificates.pdf(admin, tenant, cert["id"]))).pages
    )
    assert "Certificate of data destruction" in text and cert["id"] in text
    assert "Ed25519" in text and "policy:1" in text
    blob = json.dumps(cert) + text
    assert "Testname" not in blob and "example.test" not in blob and "C00007" not in blob
