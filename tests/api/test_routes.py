"""Every API route: authentication, scopes, tenant isolation, validation, happy paths."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from privault.core.context import RequestContext
from tests.api.conftest import PASSWORD, make_key, make_user
from tests.support.data import customer

PROBLEM = "application/problem+json"
# No login: sign-in itself, and the share download (the link token is the credential).
PUBLIC = {"/api/v1/auth/login", "/api/v1/shares/download"}


def api_routes(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/api/openapi.json").json()
    return [(m.upper(), path) for path, item in spec["paths"].items() for m in item]


def test_every_route_needs_authentication(client: TestClient) -> None:
    routes = api_routes(client)
    assert len(routes) >= 25
    for method, path in routes:
        if path in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "x", path)
        r = client.request(method, url, json={})
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.headers["content-type"] == PROBLEM
        assert r.json()["type"] == "urn:privault:problem:unauthenticated"
        assert r.headers["www-authenticate"] == "Bearer"


def test_bad_credentials_are_401(client: TestClient, owner_key: dict[str, str]) -> None:
    for token in ("pvk_nope_nope", "not-a-session", owner_key["Authorization"][7:] + "x"):
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401


def test_records_flow(client: TestClient, owner_key: dict[str, str]) -> None:
    base = "/api/v1/tenants/acme/records"
    r = client.post(f"{base}/customer", headers=owner_key, json={"fields": customer(1)})
    assert r.status_code == 201
    rid = r.json()["ids"][0]
    r = client.post(
        f"{base}/customer/import",
        headers=owner_key,
        json={"records": [customer(i) for i in range(2, 7)]},
    )
    assert r.status_code == 201 and len(r.json()["ids"]) == 5
    masked = client.get(f"{base}/{rid}", headers=owner_key, params={"purpose": "support"}).json()
    assert masked["fields"]["email"] != "person1@example.test"
    plain = client.get(
        f"{base}/{rid}", headers=owner_key, params={"purpose": "support", "view": "plain"}
    ).json()
    assert plain["fields"]["email"] == "person1@example.test"
    page = client.get(base, headers=owner_key, params={"purpose": "x", "limit": 4}).json()
    assert len(page["items"]) == 4 and page["next"]
    rest = client.get(page["next"], headers=owner_key).json()
    assert len(rest["items"]) == 2 and rest["next"] is None
    found = client.post(
        f"{base}/customer/find",
        headers=owner_key,
        json={"field": "email", "value": "person3@example.test", "purpose": "support"},
    )
    assert found.status_code == 200 and len(found.json()) == 1
    r = client.patch(f"{base}/{rid}", headers=owner_key, json={"fields": {"visits": 9}})
    assert r.status_code == 204
    assert client.delete(f"{base}/{rid}", headers=owner_key).status_code == 204
    r = client.get(f"{base}/{rid}", headers=owner_key, params={"purpose": "support"})
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM


def test_scopes_narrow_the_key(
    client: TestClient, platform: Platform, admin: RequestContext, owner_key: dict[str, str]
) -> None:
    reader = make_key(platform, admin, "root", ["record.read"])
    assert client.get("/api/v1/tenants/acme/records?purpose=s", headers=reader).status_code == 200
    r = client.post("/api/v1/tenants", headers=reader, json={"slug": "other"})
    assert r.status_code == 403 and r.json()["type"] == "urn:privault:problem:access_denied"
    r = client.post(
        "/api/v1/tenants/acme/tokens/tokenize", headers=reader, json={"values": ["a"], "scope": "s"}
    )
    assert r.status_code == 403
    assert client.get("/api/v1/audit", headers=reader).status_code == 403


def test_tenant_isolation(
    client: TestClient, platform: Platform, admin: RequestContext, owner_key: dict[str, str]
) -> None:
    from tests.support.data import CUSTOMER_SCHEMA

    platform.tenants.create(admin, "globex")
    platform.tenants.apply_schema(admin, "globex", CUSTOMER_SCHEMA)
    secret_id = platform.vault.put(admin, "globex", "customer", customer(42))
    mine = platform.vault.put(admin, "acme", "customer", customer(1))
    make_user(platform, admin, "tech", "technician", "acme")
    tech = make_key(platform, admin, "tech", ["*"])
    q = {"purpose": "support"}
    for url in (
        f"/api/v1/tenants/globex/records/{secret_id}",
        "/api/v1/tenants/globex/records",
        "/api/v1/tenants/globex",
        "/api/v1/tenants/globex/schemas",
        f"/api/v1/tenants/acme/records/{secret_id}",
    ):
        r = client.get(url, headers=tech, params=q)
        assert r.status_code == 404, url
        assert "person42" not in r.text and "Person42" not in r.text
    r = client.get(f"/api/v1/tenants/acme/records/{mine}", headers=tech, params=q)
    assert r.status_code == 200
    slugs = [t["slug"] for t in client.get("/api/v1/tenants", headers=tech).json()["items"]]
    assert slugs == ["acme"]
    r = client.post(
        "/api/v1/tenants/globex/records/customer/find",
        headers=tech,
        json={"field": "email", "value": "person42@example.test", "purpose": "support"},
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/tenants/acme/records", None),  # purpose missing
        ("get", "/api/v1/tenants/acme/records?purpose=s&view=weird", None),
        ("get", "/api/v1/tenants/acme/records?purpose=s&limit=0", None),
        ("post", "/api/v1/tenants", {"slug": "Bad Slug!"}),
        ("post", "/api/v1/tenants", {"slug": "ok", "surprise": 1}),
        ("post", "/api/v1/tenants/acme/records/customer", {"fields": {"nope": 1}}),
        ("post", "/api/v1/tenants/acme/records/customer", {"fields": "x"}),
        ("post", "/api/v1/tenants/acme/tokens/tokenize", {"values": [], "scope": "s"}),
        (
            "post",
            "/api/v1/tenants/acme/tokens/tokenize",
            {"values": ["a"], "scope": "s", "kind": "x"},
        ),
        ("put", "/api/v1/tenants/acme/schemas", {"record_type": "x"}),
        ("post", "/api/v1/detect", {"text": 5}),
        ("post", "/api/v1/detect", {"text": "a", "entities": ["NOT_A_TYPE"]}),
    ],
)
def test_validation_errors_are_problems(
    client: TestClient, owner_key: dict[str, str], method: str, url: str, body: object
) -> None:
    r = client.request(method, url, headers=owner_key, json=body)
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"] == PROBLEM
    doc = r.json()
    assert {"type", "title", "status", "detail"} <= set(doc)
    assert doc["status"] == r.status_code
    assert "Bad Slug!" not in r.text


def test_malformed_json_is_422(client: TestClient, owner_key: dict[str, str]) -> None:
    r = client.post(
        "/api/v1/tenants",
        headers={**owner_key, "content-type": "application/json"},
        content=b"{not json",
    )
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM


def test_tokens_batch(
    client: TestClient, owner_key: dict[str, str], owner_session: dict[str, str]
) -> None:
    values = [f"v{i}@example.test" for i in range(50)]
    r = client.post(
        "/api/v1/tenants/acme/tokens/tokenize",
        headers=owner_key,
        json={"values": values, "scope": "emails", "kind": "deterministic"},
    )
    assert r.status_code == 200
    tokens = r.json()["values"]
    assert len(tokens) == 50 and not set(tokens) & set(values)
    body = {"tokens": tokens, "purpose": "support"}
    # API keys carry no second factor: detokenize (a step-up action) is refused.
    r = client.post("/api/v1/tenants/acme/tokens/detokenize", headers=owner_key, json=body)
    assert r.status_code == 403
    r = client.post("/api/v1/tenants/acme/tokens/detokenize", headers=owner_session, json=body)
    assert r.status_code == 200 and r.json()["values"] == values


def test_detect(client: TestClient, owner_key: dict[str, str]) -> None:
    r = client.post("/api/v1/detect", headers=owner_key, json={"text": "mail jane@example.com"})
    assert r.status_code == 200
    assert r.json()[0]["type"] == "EMAIL_ADDRESS"
    assert "jane" not in r.text


def test_users_roles_keys_mfa(
    client: TestClient, owner_key: dict[str, str], owner_session: dict[str, str]
) -> None:
    s = owner_session
    r = client.post("/api/v1/users", headers=s, json={"username": "bob", "password": PASSWORD})
    assert r.status_code == 201
    assert (
        client.post("/api/v1/users", headers=owner_key, json={"username": "eve"}).status_code == 403
    )
    r = client.post(
        "/api/v1/users/bob/grants", headers=s, json={"role": "analyst", "tenant": "acme"}
    )
    assert r.status_code == 204
    users = client.get("/api/v1/users", headers=s).json()["items"]
    bob = next(u for u in users if u["username"] == "bob")
    assert bob["tenant_roles"][0][1] == "analyst"
    assert (
        client.delete("/api/v1/users/bob/grants/analyst?tenant=acme", headers=s).status_code == 204
    )
    roles = client.get("/api/v1/roles", headers=s).json()
    assert {r["name"] for r in roles} >= {"owner", "technician"}
    policy = "roles:\n  - name: helpdesk\n    allow: [record.read]\n    views: {'*': masked}\n"
    assert client.put("/api/v1/roles", headers=s, json={"policy": policy}).json() == ["helpdesk"]
    r = client.post(
        "/api/v1/apikeys", headers=s, json={"user": "bob", "name": "k", "scopes": ["record.read"]}
    )
    assert r.status_code == 201 and r.json()["token"].startswith("pvk_")
    kid = r.json()["id"]
    keys = client.get("/api/v1/apikeys", headers=s, params={"user": "bob"}).json()["items"]
    assert [k["id"] for k in keys] == [kid] and "token" not in keys[0]
    assert client.delete(f"/api/v1/apikeys/{kid}", headers=s).status_code == 204
    r = client.post("/api/v1/users/bob/mfa/totp", headers=s)
    assert r.status_code == 201 and r.json()["qr_svg"].startswith("<svg")
    r = client.post("/api/v1/users/bob/mfa/totp/confirm", headers=s, json={"code": "000000"})
    assert r.status_code == 422
    assert client.delete("/api/v1/users/bob/mfa", headers=s).status_code == 204
    r = client.put("/api/v1/users/bob/password", headers=s, json={"password": PASSWORD + "-new"})
    assert r.status_code == 204
    assert client.post("/api/v1/users/bob/disable", headers=s).status_code == 204
    assert client.post("/api/v1/users/nobody/disable", headers=s).status_code == 404


def test_login_logout_me(client: TestClient, owner_session: dict[str, str]) -> None:
    me = client.get("/api/v1/me", headers=owner_session).json()
    assert me["id"] == "user:root" and me["mfa"] is True
    bad = client.post("/api/v1/auth/login", json={"username": "root", "password": "wrong"})
    assert bad.status_code == 403 and "wrong" not in bad.text
    assert client.post("/api/v1/auth/logout", headers=owner_session).status_code == 204
    assert client.get("/api/v1/me", headers=owner_session).status_code == 401


def test_audit_search_and_verify(client: TestClient, owner_key: dict[str, str]) -> None:
    client.post(
        "/api/v1/tenants/acme/records/customer", headers=owner_key, json={"fields": customer(1)}
    )
    client.get("/api/v1/tenants/acme/records", headers=owner_key, params={"purpose": "billing"})
    events = client.get(
        "/api/v1/audit", headers=owner_key, params={"action": "record.read", "tenant": "acme"}
    ).json()
    assert events and events[0]["purpose"] == "billing"
    r = client.post("/api/v1/audit/verify", headers=owner_key)
    assert r.status_code == 200 and r.json()["ok"] is True
    assert client.get("/api/v1/audit?tenant=nope", headers=owner_key).status_code == 404


def test_tenants_and_schemas(client: TestClient, owner_key: dict[str, str]) -> None:
    r = client.post(
        "/api/v1/tenants", headers=owner_key, json={"slug": "initech", "name": "Initech"}
    )
    assert r.status_code == 201
    assert (
        client.post("/api/v1/tenants", headers=owner_key, json={"slug": "initech"}).status_code
        == 409
    )
    schema = {
        "record_type": "lead",
        "category": "master",
        "subject_field": "lead_id",
        "fields": {"lead_id": {"required": True}, "email": {"pii": "EMAIL_ADDRESS"}},
    }
    r = client.put("/api/v1/tenants/initech/schemas", headers=owner_key, json=schema)
    assert r.status_code == 200 and r.json()["version"] == 1
    got = client.get("/api/v1/tenants/initech/schemas", headers=owner_key).json()
    assert got[0]["record_type"] == "lead"
    assert client.get("/api/v1/tenants/initech", headers=owner_key).json()["name"] == "Initech"
