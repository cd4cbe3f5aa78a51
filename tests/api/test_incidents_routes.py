"""Incident routes: open, list, detail (timeline, team, clocks), advance, assess, notices."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from privault.core.clock import FixedClock
from privault.core.context import Principal, RequestContext
from tests.api.conftest import make_key, make_user
from tests.support.data import customer

BASE = "/api/v1/incidents"


def test_incident_case_end_to_end(
    client: TestClient, platform: Platform, admin: RequestContext, clock: FixedClock,
    tenant: str, owner_key: dict[str, str],
) -> None:  # fmt: skip
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(3)])
    start = clock.now()
    mallory = RequestContext(
        Principal("user:mallory", frozenset({"owner"}), mfa_at=start), source="10.0.0.9"
    )
    clock.advance(timedelta(minutes=5))
    platform.gate.read(mallory, tenant, ids[:2], purpose="support", view="plain")
    clock.advance(timedelta(hours=2))
    r = client.post(BASE, headers=owner_key, json={"title": "Stolen login", "severity": "high",
                                                   "breach_start": start.isoformat()})  # fmt: skip
    assert r.status_code == 201
    inc = r.json()
    assert inc["state"] == "detected" and inc["severity"] == "high"
    url = f"{BASE}/{inc['id']}"
    r = client.post(f"{url}/advance", headers=owner_key, json={"state": "contained"})
    assert r.status_code == 409  # one step at a time
    assert (
        client.post(f"{url}/advance", headers=owner_key, json={"state": "triaged"}).json()["state"]
        == "triaged"
    )
    platform.incidents.add_member(admin, inc["id"], "user:dora", "lead")
    since, until = start.isoformat(), clock.now().isoformat()
    r = client.post(f"{url}/assess", headers=owner_key, json={"since": since, "until": until})
    assert r.status_code == 422  # whose activity? nobody named
    r = client.post(f"{url}/assess", headers=owner_key,
                    json={"since": since, "until": until, "principal": "user:mallory"})  # fmt: skip
    impact = r.json()
    assert impact["subjects"] == 2 and impact["exposed_subjects"] == 2
    assert "affected" not in impact and "C00001" not in r.text  # counts, not subject ids
    detail = client.get(url, headers=owner_key, params={"tz": "Europe/Berlin"}).json()
    assert [t["kind"] for t in detail["timeline"]] == ["open", "advance", "team", "assess"]
    assert detail["team"] == [
        {"member": "user:dora", "role": "lead", "added_at": detail["team"][0]["added_at"]}
    ]
    clocks = {c["rule"]: c for c in detail["clocks"]}
    art33 = clocks["gdpr-art33"]
    assert art33["applies"] and art33["status"] == "open"
    assert 0 < art33["remaining_seconds"] <= 72 * 3600 and art33["due"].endswith("+01:00")
    r = client.post(f"{url}/notified", headers=owner_key, json={"rule": "nope"})
    assert r.status_code == 422
    r = client.post(f"{url}/notified", headers=owner_key,
                    json={"rule": "gdpr-art33", "reference": "DPA-1"})  # fmt: skip
    assert r.status_code == 204
    after = {c["rule"]: c for c in client.get(f"{url}/clocks", headers=owner_key).json()}
    assert after["gdpr-art33"]["status"] == "done"
    q = {"contact": "dpo@acme.test", "organisation": "Acme"}
    notice = client.get(f"{url}/notices/authority", headers=owner_key, params=q)
    assert notice.status_code == 200 and "attachment" in notice.headers["content-disposition"]
    assert "Acme" in notice.text and "Testname" not in notice.text
    assert client.get(f"{url}/notices/poem", headers=owner_key, params=q).status_code == 422
    [entry] = client.get(f"{BASE}/register", headers=owner_key).json()
    assert entry["incident"] == inc["id"] and entry["notified"]["gdpr-art33"]
    r = client.post(f"{url}/advance", headers=owner_key, json={"state": "closed"})
    assert r.status_code == 422  # a post-incident review is required
    r = client.post(f"{url}/advance", headers=owner_key,
                    json={"state": "closed", "review": "MFA for all operators"})  # fmt: skip
    assert r.json()["state"] == "closed"
    page = client.get(BASE, headers=owner_key, params={"state": "closed", "limit": 1}).json()
    assert [i["id"] for i in page["items"]] == [inc["id"]]
    assert client.get(BASE, headers=owner_key, params={"state": "detected"}).json()["items"] == []


def test_scopes_unknown_ids_and_validation(
    client: TestClient, platform: Platform, admin: RequestContext, tenant: str,
    owner_key: dict[str, str],
) -> None:  # fmt: skip
    inc = platform.incidents.open(admin, "Lost laptop", "low")
    assert client.get(f"{BASE}/inc_nope", headers=owner_key).status_code == 404
    assert client.post(f"{BASE}/inc_nope/advance", headers=owner_key,
                       json={"state": "triaged"}).status_code == 404  # fmt: skip
    assert client.post(BASE, headers=owner_key, json={"severity": "apocalyptic"}).status_code == 422
    assert client.post(BASE, headers=owner_key, json={"tenant": "nope"}).status_code == 404
    make_user(platform, admin, "aud", "auditor")
    auditor = make_key(platform, admin, "aud", ["*"])
    assert client.get(f"{BASE}/{inc.id}", headers=auditor).status_code == 200
    assert client.get(f"{BASE}/register", headers=auditor).status_code == 200
    assert client.post(BASE, headers=auditor, json={"title": "x"}).status_code == 403
    r = client.post(f"{BASE}/{inc.id}/advance", headers=auditor, json={"state": "triaged"})
    assert r.status_code == 403
    reader = make_key(platform, admin, "root", ["incident.list"])
    assert client.get(BASE, headers=reader).status_code == 200
    assert client.get(f"{BASE}/{inc.id}", headers=reader).status_code == 403
    # Incidents are platform-wide cases: a role on one tenant does not open them.
    make_user(platform, admin, "tech", "technician", tenant)
    tech = make_key(platform, admin, "tech", ["*"])
    r = client.get(f"{BASE}/{inc.id}", headers=tech)
    assert r.status_code == 403 and "Lost laptop" not in r.text


def test_acknowledge_escalation_and_containment(
    client: TestClient, platform: Platform, admin: RequestContext, tenant: str,
    owner_key: dict[str, str],
) -> None:  # fmt: skip
    inc = platform.incidents.open(admin, "Exfiltration", "critical")
    url = f"{BASE}/{inc.id}"
    state = client.get(f"{url}/escalation", headers=owner_key)
    assert state.status_code == 200 and state.json()["acknowledged_by"] is None
    r = client.post(f"{url}/ack", headers=owner_key)
    assert r.status_code == 200 and r.json()["by"].startswith("user:root")
    assert client.post(f"{url}/ack", headers=owner_key).status_code == 409  # once
    assert client.get(f"{url}/escalation", headers=owner_key).json()["acknowledged_by"]
    r = client.post(f"{url}/contain", headers=owner_key,
                    json={"action": "freeze-exports", "target": tenant})  # fmt: skip
    assert r.status_code == 200 and "froze" in r.json()["done"].lower()
    assert platform.incidents.is_frozen(platform.tenants.get(tenant).id)
    bad = client.post(f"{url}/contain", headers=owner_key, json={"action": "nuke", "target": "x"})
    assert bad.status_code == 422
    kinds = [t["kind"] for t in client.get(url, headers=owner_key).json()["timeline"]]
    assert kinds == ["open", "ack", "containment"]
    make_user(platform, admin, "aud", "auditor")
    auditor = make_key(platform, admin, "aud", ["*"])
    assert client.post(f"{url}/ack", headers=auditor).status_code == 403
    r = client.post(f"{url}/contain", headers=auditor,
                    json={"action": "freeze-exports", "target": tenant})  # fmt: skip
    assert r.status_code == 403
    assert client.post(f"{BASE}/inc_nope/ack", headers=owner_key).status_code == 404
