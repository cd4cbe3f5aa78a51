"""Alerts and compliance over the API: auth, scopes, isolation, validation, flows."""

from __future__ import annotations

from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from privault.core.context import RequestContext
from tests.api.conftest import make_key, make_user
from tests.support.data import customer

PROBLEM = "application/problem+json"


def raise_alert(platform: Platform, admin: RequestContext, tenant: str) -> str:
    """Read a honeytoken: the monitor opens a critical alert; return its id."""
    platform.vault.put(admin, tenant, "customer", customer(1))
    (canary,) = platform.monitor.plant_honeytokens(admin, tenant, "customer")
    platform.gate.read(admin, tenant, [canary], purpose="support")
    (alert,) = [a for a in platform.monitor.alerts(admin) if a.rule == "honeytoken"]
    return alert.id


def test_alerts_list_filter_read_and_work(
    client: TestClient, platform: Platform, admin: RequestContext, tenant: str,
    owner_key: dict[str, str],
) -> None:  # fmt: skip
    alert_id = raise_alert(platform, admin, tenant)
    listed = client.get("/api/v1/alerts?min_severity=critical", headers=owner_key).json()
    assert [a["id"] for a in listed] == [alert_id]
    assert listed[0]["severity"] == "critical" and listed[0]["tenant"] == "acme"
    assert alert_id in str(client.get("/api/v1/alerts?tenant=acme", headers=owner_key).json())
    assert client.get("/api/v1/alerts?state=resolved", headers=owner_key).json() == []
    one = client.get(f"/api/v1/alerts/{alert_id}", headers=owner_key).json()
    assert one["state"] == "open"

    url = f"/api/v1/alerts/{alert_id}/state"
    r = client.post(url, headers=owner_key, json={"action": "acknowledge", "note": "looking"})
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    assert r.json()["updated_by"].startswith("user:root")
    r = client.post(url, headers=owner_key, json={"action": "resolve"})
    assert r.json()["state"] == "resolved"
    r = client.post(url, headers=owner_key, json={"action": "acknowledge"})
    assert r.status_code == 409 and r.headers["content-type"] == PROBLEM
    active = client.get("/api/v1/alerts", headers=owner_key).json()  # default: active only
    assert alert_id not in str(active)
    resolved = client.get("/api/v1/alerts?state=resolved", headers=owner_key).json()
    assert [a["id"] for a in resolved] == [alert_id]
    events = [e for e in platform.audit.search(limit=50) if e.action == "alert.acknowledged"]
    assert events and "looking" not in str(events[0].detail)  # the note is kept as an HMAC


def test_alert_routes_need_scopes_and_validate(
    client: TestClient, platform: Platform, admin: RequestContext, tenant: str,
    owner_key: dict[str, str],
) -> None:  # fmt: skip
    alert_id = raise_alert(platform, admin, tenant)
    reader = make_key(platform, admin, "root", ["audit.alert.list"])
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=reader).status_code == 200
    r = client.post(f"/api/v1/alerts/{alert_id}/state", headers=reader, json={"action": "resolve"})
    assert r.status_code == 403
    other = make_key(platform, admin, "root", ["scan.read"])
    assert client.get("/api/v1/alerts", headers=other).status_code == 403
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=other).status_code == 403
    # A client's technician cannot read alerts, and a foreign tenant filter is 404.
    platform.tenants.create(admin, "globex", "Globex")
    make_user(platform, admin, "tech", "technician", "globex")
    tech = make_key(platform, admin, "tech", ["*"])
    assert client.get("/api/v1/alerts?tenant=acme", headers=tech).status_code == 404
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=tech).status_code == 403
    assert client.get("/api/v1/alerts?tenant=nope", headers=owner_key).status_code == 404
    assert client.get("/api/v1/alerts/alr_nope", headers=owner_key).status_code == 404
    for bad in ("state=gone", "min_severity=huge", "limit=0"):
        assert client.get(f"/api/v1/alerts?{bad}", headers=owner_key).status_code == 422, bad
    for body in ({"action": "delete"}, {"action": "resolve", "note": "x" * 2001}, {}):
        r = client.post(f"/api/v1/alerts/{alert_id}/state", headers=owner_key, json=body)
        assert r.status_code == 422, body


def test_compliance_run_trend_and_reports(
    client: TestClient, owner_key: dict[str, str], tenant: str
) -> None:
    fws = client.get("/api/v1/compliance/frameworks", headers=owner_key).json()
    assert {f["id"] for f in fws} == {"gdpr", "ccpa", "hipaa", "pci-dss"}
    run = client.post("/api/v1/compliance/runs?framework=gdpr", headers=owner_key).json()
    assert 0 <= run["score"] <= 100 and run["framework"] == "gdpr" and run["audit_ref"]
    statuses = {c["status"] for c in run["controls"]}
    assert statuses <= {"pass", "fail", "not-applicable"} and run["controls"]
    assert sum(run["counts"].values()) == len(run["controls"])
    scoped = client.post("/api/v1/compliance/runs?tenant=acme", headers=owner_key).json()
    assert scoped["tenant"] == "acme"
    trend = client.get("/api/v1/compliance/trend?framework=gdpr", headers=owner_key).json()
    assert [p["audit_ref"] for p in trend] == [run["audit_ref"]]

    html = client.get("/api/v1/compliance/report?framework=gdpr", headers=owner_key)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "attachment" in html.headers["content-disposition"] and "<html" in html.text.lower()
    pdf = client.get("/api/v1/compliance/report?format=pdf", headers=owner_key)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_compliance_routes_need_scopes_and_hide_foreign_tenants(
    client: TestClient, platform: Platform, admin: RequestContext, tenant: str,
    owner_key: dict[str, str],
) -> None:  # fmt: skip
    reader = make_key(platform, admin, "root", ["compliance.read"])
    assert client.post("/api/v1/compliance/runs", headers=reader).status_code == 403
    assert client.get("/api/v1/compliance/report", headers=reader).status_code == 403
    assert client.get("/api/v1/compliance/trend", headers=reader).status_code == 200
    platform.tenants.create(admin, "globex", "Globex")
    make_user(platform, admin, "tech", "technician", "globex")
    tech = make_key(platform, admin, "tech", ["*"])
    for url in ("/api/v1/compliance/trend?tenant=acme", "/api/v1/compliance/report?tenant=acme"):
        assert client.get(url, headers=tech).status_code == 404, url
    assert client.post("/api/v1/compliance/runs?tenant=acme", headers=tech).status_code == 404
    for bad in ("framework=sox", "format=docx"):
        r = client.get(f"/api/v1/compliance/report?{bad}", headers=owner_key)
        assert r.status_code == 422, bad
