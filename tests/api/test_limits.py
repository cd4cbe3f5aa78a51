"""Body-size limits, rate limits, security headers, and no values in logs."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from privault.interfaces.api import ApiConfig, create_app
from privault.interfaces.api.middleware import TokenBuckets


def test_oversized_bodies_are_413(client: TestClient, owner_key: dict[str, str]) -> None:
    big = {"text": "a" * (1024 * 1024 + 10)}
    r = client.post("/api/v1/detect", headers=owner_key, json=big)
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    # Imports may be larger (10 MiB): a 2 MiB import is parsed (and here rejected as invalid).
    rows = {"records": [{"notes": "x" * 1000}] * 2000}
    r = client.post("/api/v1/tenants/acme/records/customer/import", headers=owner_key, json=rows)
    assert r.status_code == 422


def test_streamed_body_over_limit(sqlite_platform: Platform) -> None:
    app = create_app(sqlite_platform, ApiConfig(body_limit=100))

    def chunks():  # no content-length: streamed
        yield b"{" + b" " * 200
        yield b"}"

    with TestClient(app) as c:
        r = c.post(
            "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
        )
    assert r.status_code == 413


def test_rate_limit_per_address_and_key(sqlite_platform: Platform) -> None:
    app = create_app(sqlite_platform, ApiConfig(address_rate=0.01, address_burst=3))
    with TestClient(app) as c:
        codes = [c.get("/api/v1/me").status_code for _ in range(5)]
        assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]
        r = c.get("/api/v1/me")
        assert int(r.headers["retry-after"]) >= 1
        assert r.json()["type"] == "urn:privault:problem:rate_limited"
    app = create_app(sqlite_platform, ApiConfig(key_rate=0.01, key_burst=2))
    with TestClient(app) as c:
        h = {"Authorization": "Bearer k1"}
        assert [c.get("/api/v1/me", headers=h).status_code for _ in range(3)] == [401, 401, 429]
        # another credential has its own bucket
        assert c.get("/api/v1/me", headers={"Authorization": "Bearer k2"}).status_code == 401


def test_token_bucket_refills() -> None:
    now = [0.0]
    b = TokenBuckets(rate=2.0, burst=1, clock=lambda: now[0])
    assert b.take("a") == 0
    assert b.take("a") == pytest.approx(0.5)
    now[0] = 0.5
    assert b.take("a") == 0


def test_security_headers(sqlite_platform: Platform) -> None:
    with TestClient(create_app(sqlite_platform)) as client:
        r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in r.headers
    with TestClient(create_app(sqlite_platform, ApiConfig(tls=True))) as c:
        r = c.get("/login")
        assert "max-age" in r.headers["strict-transport-security"]
        assert "secure" in r.headers["set-cookie"].lower()


def test_errors_and_logs_hold_no_values(
    client: TestClient, owner_key: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    canary = "canary-4111-person@example.test"
    caplog.set_level(logging.DEBUG)
    bodies = [
        ("post", "/api/v1/tenants/acme/records/customer", {"fields": {"email": canary}}),
        (
            "post",
            "/api/v1/tenants/acme/records/customer",
            {"fields": {"customer_id": "C1", "name": canary, "visits": canary}},
        ),
        (
            "post",
            "/api/v1/tenants/acme/records/customer/find",
            {"field": "notes", "value": canary, "purpose": "x"},
        ),
        ("post", "/api/v1/auth/login", {"username": "root", "password": canary}),
        ("post", "/api/v1/tenants", {"slug": canary}),
    ]
    for method, url, body in bodies:
        r = client.request(method, url, headers=owner_key, json=body)
        assert r.status_code >= 400
        assert canary not in r.text
    assert canary not in caplog.text


def test_api_docs_and_openapi(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/tenants/{tenant}/records/{record_id}" in spec["paths"]
    html = client.get("/api/docs").text
    assert "/api/v1/tenants/{tenant}/records" in html and "<script" not in html
