"""Credential routes: lists without secrets, reveal (step-up, purpose, audit), health, generator."""

from __future__ import annotations

from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from privault.core.secret import Secret
from privault.credentials.items import ItemMeta, ItemSecrets, NewItem
from tests.api.conftest import make_key, make_user
from tests.api.stepup import fresh_session, root_totp

__all__ = ["root_totp"]
BASE = "/api/v1/tenants/acme/credentials"
# Assembled at run time: no literal credential in the source.
CANARY = "-".join(["Canary", "Pw", "7731", "zq"])


def _item(title: str, password: str) -> NewItem:
    return NewItem(ItemMeta(title, "admin", f"https://{title}.test"), ItemSecrets(Secret(password)))


def test_list_reveal_and_step_up(
    client: TestClient, platform: Platform, admin: RequestContext, clock: FixedClock,
    tenant: str, owner_key: dict[str, str], root_totp: str,
) -> None:  # fmt: skip
    item = platform.credentials.add(admin, tenant, _item("firewall", CANARY))
    page = client.get(BASE, headers=owner_key)
    assert page.status_code == 200 and CANARY not in page.text
    [listed] = page.json()["items"]
    assert listed["id"] == item and listed["title"] == "firewall" and "password" not in listed
    url = f"{BASE}/{item}/reveal"
    r = client.post(url, headers=owner_key, json={"purpose": "ticket 12"})
    assert r.status_code == 403 and "second factor" in r.json()["detail"]
    assert CANARY not in r.text
    session = fresh_session(client, platform, clock, root_totp)
    assert client.post(url, headers=session, json={"purpose": ""}).status_code == 422
    assert client.post(url, headers=session, json={}).status_code == 422
    r = client.post(url, headers=session, json={"purpose": "ticket 12"})
    assert r.status_code == 200 and r.json()["value"] == CANARY
    events = platform.trail.search(admin, action="cred.reveal", limit=5)
    assert sorted(e.outcome for e in events) == ["allowed", "denied"]  # the refusal too
    assert all(e.purpose == "ticket 12" and CANARY not in str(e) for e in events)
    r = client.post(f"{BASE}/crd_nope/reveal", headers=session, json={"purpose": "x"})
    assert r.status_code == 404


def test_health_and_generator(
    client: TestClient, platform: Platform, admin: RequestContext, tenant: str,
    owner_key: dict[str, str],
) -> None:  # fmt: skip
    weak = "pass" + "word1"
    platform.credentials.add(admin, tenant, _item("a", weak))
    platform.credentials.add(admin, tenant, _item("b", weak))
    r = client.get(f"{BASE}/health", headers=owner_key)
    assert r.status_code == 200 and weak not in r.text
    rep = r.json()
    assert rep["healthy"] is False and rep["counts"]["reused"] == 2
    assert {i["title"] for i in rep["items"] if "weak" in i["issues"]} == {"a", "b"}
    gen = "/api/v1/credentials/generate"
    one = client.post(gen, headers=owner_key, json={"length": 32, "classes": ["digits"]}).json()
    assert len(one["value"]) == 32 and one["value"].isdigit() and one["bits"] > 100
    two = client.post(gen, headers=owner_key, json={"kind": "passphrase", "words": 5}).json()
    assert len(two["value"].split("-")) == 5
    assert client.post(gen, headers=owner_key, json={"length": 4}).status_code == 422
    assert client.post(gen, headers=owner_key, json={"classes": ["emoji"]}).status_code == 422
    assert client.post(gen, json={}).status_code == 401


def test_scopes_and_tenant_isolation(
    client: TestClient, platform: Platform, admin: RequestContext, tenant: str
) -> None:
    platform.tenants.create(admin, "globex")
    foreign = platform.credentials.add(admin, "globex", _item("globex-vpn", CANARY))
    make_user(platform, admin, "tech", "technician", "acme")
    tech = make_key(platform, admin, "tech", ["*"])
    for method, url in (
        ("GET", "/api/v1/tenants/globex/credentials"),
        ("GET", "/api/v1/tenants/globex/credentials/health"),
        ("POST", f"/api/v1/tenants/globex/credentials/{foreign}/reveal"),
    ):
        r = client.request(method, url, headers=tech, json={"purpose": "x"})
        assert r.status_code == 404, url
        assert "globex-vpn" not in r.text and CANARY not in r.text
    assert client.get(BASE, headers=tech).json()["items"] == []
    health_only = make_key(platform, admin, "tech", ["cred.health"])
    assert client.get(f"{BASE}/health", headers=health_only).status_code == 200
    assert client.get(BASE, headers=health_only).status_code == 403
