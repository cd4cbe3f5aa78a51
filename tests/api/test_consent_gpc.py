"""The Global Privacy Control signal through the API: the gate then refuses sale reads."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.data import customer


def test_gpc_header_opts_the_subject_out_of_sale_and_share(
    client: TestClient, owner_key: dict[str, str]
) -> None:
    base = "/api/v1/tenants/acme"
    r = client.post(f"{base}/records/customer", headers=owner_key, json={"fields": customer(1)})
    rid = r.json()["ids"][0]
    assert (
        client.get(
            f"{base}/records/{rid}", headers=owner_key, params={"purpose": "sale"}
        ).status_code
        == 200
    )
    r = client.post(f"{base}/subjects/C00001/gpc", headers=owner_key)  # no header: nothing
    assert r.status_code == 201 and r.json() == {"recorded": [], "gpc": False}
    r = client.post(
        f"{base}/subjects/C00001/consent",
        headers={**owner_key, "Sec-GPC": "1"},
        json={"purpose": "marketing", "decision": "granted"},
    )
    assert r.status_code == 201 and r.json()["gpc"] is True
    recorded = {(c["purpose"], c["decision"], c["method"]) for c in r.json()["recorded"]}
    assert ("sale", "withdrawn", "gpc") in recorded and ("marketing", "granted", "api") in recorded
    refused = client.get(f"{base}/records/{rid}", headers=owner_key, params={"purpose": "sale"})
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:privault:problem:access_denied"
    assert "consent-opt-out" in refused.json()["detail"]
    assert (
        client.get(
            f"{base}/records/{rid}", headers=owner_key, params={"purpose": "marketing"}
        ).status_code
        == 200
    )
    r = client.post(
        f"{base}/subjects/C00001/consent",
        headers=owner_key,
        json={"purpose": "marketing", "decision": "maybe"},
    )
    assert r.status_code == 422
    r = client.post(
        "/api/v1/tenants/ghost/subjects/C00001/gpc", headers={**owner_key, "Sec-GPC": "1"}
    )
    assert r.status_code == 404
