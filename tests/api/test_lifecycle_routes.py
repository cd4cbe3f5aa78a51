"""Lifecycle routes: retention (step-up), holds, certificates, data-subject requests."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from privault.app.lifecycle import lifecycle_for
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from privault.interfaces.api import create_app
from privault.lifecycle.retention import parse_policies
from tests.api.conftest import OPEN_LIMITS, make_key, make_user
from tests.api.stepup import fresh_session, root_totp
from tests.support.data import CUSTOMER_SCHEMA, customer

__all__ = ["root_totp"]
SHORT = parse_policies("policies:\n  - {record_type: customer, keep: 30d}\n")
BASE = "/api/v1/tenants/acme"


@pytest.fixture
def life_client(platform: Platform) -> Iterator[TestClient]:
    """The app over the platform with a 30-day retention rule for customers."""
    with_rules = dataclasses.replace(platform, lifecycle=lifecycle_for(platform, SHORT))
    with TestClient(create_app(with_rules, OPEN_LIMITS)) as c:
        yield c


def test_retention_preview_run_and_certificates(
    life_client: TestClient,
    platform: Platform,
    admin: RequestContext,
    clock: FixedClock,
    tenant: str,
    owner_key: dict[str, str],
    root_totp: str,
) -> None:
    old = platform.vault.put(admin, tenant, "customer", customer(1))
    clock.advance(timedelta(days=31))
    new = platform.vault.put(admin, tenant, "customer", customer(2))
    run = f"{BASE}/retention/run"
    # An API key carries no second factor: even the preview needs step-up.
    r = life_client.post(run, headers=owner_key, json={})
    assert r.status_code == 403 and "second factor" in r.json()["detail"]
    session = fresh_session(life_client, platform, clock, root_totp)
    preview = life_client.post(run, headers=session, json={"dry_run": True}).json()
    assert [d["record_id"] for d in preview["due"]] == [old] and preview["destroyed"] == 0
    assert "C00001" not in str(preview)  # ids of records, never subject ids or values
    assert len(platform.gate.read(admin, tenant, [old, new], purpose="support")) == 2
    done = life_client.post(run, headers=session, json={"dry_run": False}).json()
    assert done["destroyed"] == 1 and done["certificate_id"]
    assert len(platform.gate.read(admin, tenant, [new], purpose="support")) == 1
    certs = life_client.get(f"{BASE}/certificates", headers=session).json()["items"]
    assert [c["id"] for c in certs] == [done["certificate_id"]]
    body = life_client.get(f"{BASE}/certificates/{certs[0]['id']}", headers=session)
    assert body.status_code == 200 and "attachment" in body.headers["content-disposition"]
    assert body.json()["records"] == [old] and body.json()["signature"]
    assert platform.lifecycle.certificates.verify(body.json())
    pdf = life_client.get(f"{BASE}/certificates/{certs[0]['id']}/pdf", headers=session)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    missing = life_client.get(f"{BASE}/certificates/dcert_nope", headers=session)
    assert missing.status_code == 404


def test_holds_place_list_lift_and_block_destruction(
    life_client: TestClient,
    platform: Platform,
    admin: RequestContext,
    clock: FixedClock,
    tenant: str,
    root_totp: str,
) -> None:
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    clock.advance(timedelta(days=31))
    session = fresh_session(life_client, platform, clock, root_totp)
    r = life_client.post(f"{BASE}/holds", headers=session, json={"reason": "  "})
    assert r.status_code == 422
    r = life_client.post(
        f"{BASE}/holds", headers=session, json={"reason": "matter 7", "subject_id": "C00001"}
    )
    assert r.status_code == 201 and r.json()["subject_id"] == "C00001"
    holds = life_client.get(f"{BASE}/holds", headers=session).json()["items"]
    assert [h["reason"] for h in holds] == ["matter 7"]
    done = life_client.post(f"{BASE}/retention/run", headers=session, json={"dry_run": False})
    assert done.json()["destroyed"] == 0 and done.json()["held"] == 1
    assert platform.gate.read(admin, tenant, [rid], purpose="support")
    lifted = life_client.post(
        f"{BASE}/holds/release", headers=session, json={"subject_id": "C00001"}
    )
    assert lifted.json() == {"released": 1}
    assert life_client.get(f"{BASE}/holds", headers=session).json()["items"] == []


def test_dsr_access_request_end_to_end(
    client: TestClient,
    platform: Platform,
    admin: RequestContext,
    clock: FixedClock,
    tenant: str,
    owner_key: dict[str, str],
) -> None:
    platform.vault.put(admin, tenant, "customer", customer(7))
    r = client.post(f"{BASE}/dsr", headers=owner_key, json={"subject_id": "C00007", "kind": "x"})
    assert r.status_code == 422
    r = client.post(
        f"{BASE}/dsr", headers=owner_key, json={"subject_id": "C00007", "kind": "access"}
    )
    assert r.status_code == 201
    dsr = r.json()
    due, today = date.fromisoformat(dsr["due_on"]), clock.now().date()
    assert dsr["state"] == "verifying" and dsr["received_on"] == today.isoformat()
    assert 28 <= dsr["days_left"] == (due - today).days <= 31  # GDPR: one month
    url = f"{BASE}/dsr/{dsr['id']}"
    assert client.get(f"{url}/bundle", headers=owner_key).status_code == 409  # not verified
    r = client.post(f"{url}/verify", headers=owner_key, json={"method": "telepathy"})
    assert r.status_code == 422
    r = client.post(f"{url}/verify", headers=owner_key, json={"method": "id-document"})
    assert r.json()["state"] == "verified"
    clock.advance(timedelta(days=3))
    r = client.post(f"{url}/advance", headers=owner_key, json={})
    assert r.json()["state"] == "completed"
    got = client.get(url, headers=owner_key).json()
    assert got["days_left"] == dsr["days_left"] - 3
    assert [s["action"] for s in got["steps"]] == ["open", "verify", "start", "complete"]
    bundle = client.get(f"{url}/bundle", headers=owner_key)
    assert "attachment" in bundle.headers["content-disposition"]
    [record] = bundle.json()["records"]
    assert record["fields"]["email"] == "person7@example.test"  # plain: the subject's own data
    events = platform.trail.search(admin, action="dsr.export", limit=5)
    assert len(events) == 1
    listed = client.get(f"{BASE}/dsr", headers=owner_key, params={"limit": 1}).json()
    assert [d["id"] for d in listed["items"]] == [dsr["id"]]
    open_only = client.get(f"{BASE}/dsr", headers=owner_key, params={"open_only": True}).json()
    assert open_only["items"] == []


def test_dsr_extend_and_reject(client: TestClient, tenant: str, owner_key: dict[str, str]) -> None:
    dsr = client.post(
        f"{BASE}/dsr", headers=owner_key, json={"subject_id": "C1", "kind": "erasure"}
    ).json()
    url = f"{BASE}/dsr/{dsr['id']}"
    r = client.post(f"{url}/extend", headers=owner_key, json={"reason": "complex request"})
    assert r.json()["extended"] is True and r.json()["days_left"] > dsr["days_left"]
    again = client.post(f"{url}/extend", headers=owner_key, json={"reason": "again"})
    assert again.status_code == 409
    r = client.post(f"{url}/reject", headers=owner_key, json={"reason": "identity not proved"})
    assert r.json()["state"] == "rejected" and r.json()["closed_at"]


def test_scopes_and_tenant_isolation(
    client: TestClient, platform: Platform, admin: RequestContext, tenant: str
) -> None:
    platform.tenants.create(admin, "globex")
    platform.tenants.apply_schema(admin, "globex", CUSTOMER_SCHEMA)
    foreign = platform.lifecycle.dsr.open(admin, "globex", "G42", "access")
    platform.lifecycle.retention.hold(admin, "globex", "secret matter")
    make_user(platform, admin, "sec", "security_officer", "acme")
    officer = make_key(platform, admin, "sec", ["*"])
    for url in (
        "/api/v1/tenants/globex/dsr",
        f"/api/v1/tenants/globex/dsr/{foreign.id}",
        f"{BASE}/dsr/{foreign.id}",
        f"{BASE}/dsr/{foreign.id}/bundle",
        "/api/v1/tenants/globex/holds",
        "/api/v1/tenants/globex/certificates",
    ):
        r = client.get(url, headers=officer)
        assert r.status_code == 404, url
        assert "G42" not in r.text and "secret matter" not in r.text
    assert client.get(f"{BASE}/holds", headers=officer).json()["items"] == []
    reader = make_key(platform, admin, "sec", ["dsr.read"])
    assert client.get(f"{BASE}/dsr", headers=reader).status_code == 200
    r = client.post(f"{BASE}/dsr", headers=reader, json={"subject_id": "C1", "kind": "access"})
    assert r.status_code == 403 and r.json()["type"] == "urn:privault:problem:access_denied"
    r = client.post(f"{BASE}/holds", headers=reader, json={"reason": "x"})
    assert r.status_code == 403
    make_user(platform, admin, "aud", "auditor")
    auditor = make_key(platform, admin, "aud", ["*"])
    assert client.get(f"{BASE}/dsr", headers=auditor).status_code == 200
    r = client.post(f"{BASE}/holds", headers=auditor, json={"reason": "x"})
    assert r.status_code == 403  # auditors read the lifecycle, they do not act on it
