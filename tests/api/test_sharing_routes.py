"""Sharing routes: upload (multipart, size limit), list, revoke; the public download rules."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from tests.api.conftest import make_key, make_user

BASE = "/api/v1/tenants/acme/shares"
GET = "/api/v1/shares/download"
BODY = b"order 4711 for person1@example.test\n" * 100


def upload(client: TestClient, headers: dict[str, str], **form: str) -> dict[str, object]:
    r = client.post(BASE, headers=headers, files={"file": ("order.txt", BODY)}, data=form)
    assert r.status_code == 201, r.text
    got: dict[str, object] = r.json()
    return got


def test_share_upload_download_and_count(
    client: TestClient, platform: Platform, admin: RequestContext, tenant: str,
    owner_key: dict[str, str],
) -> None:  # fmt: skip
    shared = upload(client, owner_key, max_downloads="2", passphrase="correct horse")
    assert shared["size"] == len(BODY)
    assert shared["scan"] == {"kind": "text", "findings": {"EMAIL_ADDRESS": 100}}
    token = str(shared["token"])
    # No login: the token and passphrase are the credentials.
    r = client.post(GET, json={"token": token})
    assert r.status_code == 403 and r.json()["detail"] == "wrong passphrase, recipient or code"
    r = client.post(GET, json={"token": token, "passphrase": "correct horse"})
    assert r.status_code == 200 and r.content == BODY
    assert r.headers["content-disposition"] == "attachment; filename*=UTF-8''order.txt"
    [listed] = client.get(BASE, headers=owner_key).json()["items"]
    assert listed["name"] == "order.txt" and listed["links"][0]["downloads"] == 1
    assert token not in str(listed)
    assert client.post(GET, json={"token": token, "passphrase": "correct horse"}).status_code == 200
    used_up = client.post(GET, json={"token": token, "passphrase": "correct horse"})
    assert used_up.status_code == 410 and "exhausted" in used_up.json()["detail"]
    unknown = client.post(GET, json={"token": token[:-4] + "AAAA", "passphrase": "x"})
    assert unknown.status_code == 404
    assert client.post(GET, json={"token": "nonsense"}).status_code == 404
    gets = platform.trail.search(admin, action="share.get", limit=50)
    assert {e.outcome for e in gets} >= {"allowed", "failed", "denied"}


def test_expired_and_revoked_links_are_gone(
    client: TestClient, clock: FixedClock, tenant: str, owner_key: dict[str, str]
) -> None:
    short = upload(client, owner_key, expires_in_hours="1")
    clock.advance(timedelta(hours=1, seconds=1))
    r = client.post(GET, json={"token": short["token"]})
    assert r.status_code == 410 and r.json()["type"] == "urn:privault:problem:gone"
    assert client.get(BASE, headers=owner_key).json()["items"][0]["state"] == "expired"
    live = upload(client, owner_key)
    assert client.post(GET, json={"token": live["token"]}).status_code == 200
    r = client.delete(f"{BASE}/{live['link_id']}", headers=owner_key)
    assert r.status_code == 204
    assert client.post(GET, json={"token": live["token"]}).status_code == 410
    assert client.delete(f"{BASE}/shl_nope", headers=owner_key).status_code == 404


def test_upload_limits_and_validation(
    client: TestClient, tenant: str, owner_key: dict[str, str]
) -> None:
    big = b"x" * (1024 * 1024 + 1)
    r = client.post(BASE, headers=owner_key, files={"file": ("big.bin", big)})
    assert r.status_code == 413
    r = client.post(BASE, headers=owner_key, files={"file": ("a.txt", b"hi")},
                    data={"expires_in_hours": "0"})  # fmt: skip
    assert r.status_code == 422
    r = client.post(BASE, headers=owner_key, files={"file": ("a.txt", b"hi")},
                    data={"passphrase": "short"})  # fmt: skip
    assert r.status_code == 422
    assert client.post(BASE, headers=owner_key, data={"x": "1"}).status_code == 422
    assert client.post(GET, json={"token": ""}).status_code == 422


def test_scopes_and_tenant_isolation(
    client: TestClient, platform: Platform, admin: RequestContext, tenant: str,
    owner_key: dict[str, str],
) -> None:  # fmt: skip
    platform.tenants.create(admin, "globex")
    foreign = client.post(
        "/api/v1/tenants/globex/shares", headers=owner_key, files={"file": ("g.txt", b"globex")}
    ).json()
    make_user(platform, admin, "tech", "technician", "acme")
    tech = make_key(platform, admin, "tech", ["*"])
    assert client.get("/api/v1/tenants/globex/shares", headers=tech).status_code == 404
    r = client.delete(f"/api/v1/tenants/globex/shares/{foreign['file_id']}", headers=tech)
    assert r.status_code == 404
    r = client.delete(f"{BASE}/{foreign['file_id']}", headers=tech)
    assert r.status_code == 404  # a foreign file through the own tenant: not found
    assert client.get(BASE, headers=tech).json()["items"] == []
    lister = make_key(platform, admin, "tech", ["share.list"])
    assert client.get(BASE, headers=lister).status_code == 200
    r = client.post(BASE, headers=lister, files={"file": ("a.txt", b"hi")})
    assert r.status_code == 403
    assert client.get(BASE).status_code == 401
