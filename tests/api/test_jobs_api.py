"""Scans and masking jobs over the API: auth, scopes, isolation, path restriction, flows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from tests.api.conftest import make_key, make_user
from tests.api.jobs_support import data_root, wait_done, write_customers

PROBLEM = "application/problem+json"
SCANS = "/api/v1/tenants/acme/scans"
MASKS = "/api/v1/tenants/acme/masking-jobs"
POLICY = (
    "entities:\n  EMAIL_ADDRESS: {operator: mask, keep_last: 4}\n  PERSON: {operator: redact}\n"
)


def start_scan(client: TestClient, headers: dict[str, str], target: str) -> dict[str, str]:
    r = client.post(SCANS, headers=headers, json={"targets": [target]})
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"{SCANS}/{r.json()['id']}"
    return dict(r.json())


def test_scan_runs_in_background_and_lists_findings(
    client: TestClient, platform: Platform, owner_key: dict[str, str]
) -> None:
    write_customers(data_root(platform) / "crm" / "customers.csv")
    job = start_scan(client, owner_key, "crm")
    assert job["status"] == "queued" and job["params"]["targets"] == ["crm"]
    done = wait_done(client, f"{SCANS}/{job['id']}", owner_key)
    assert done["status"] == "done", done
    assert done["progress"] == 1.0 and done["summary"]["pii_columns"] >= 2
    assert {"EMAIL_ADDRESS", "PHONE_NUMBER"} <= set(done["summary"]["types"])
    assert str(data_root(platform)) not in str(done)  # server paths never leave the server

    results = client.get(f"{SCANS}/{job['id']}/results", headers=owner_key).json()
    by_column = {f["column"]: f for f in results["items"]}
    assert by_column["email"]["pii_type"] == "EMAIL_ADDRESS"
    assert by_column["email"]["source"] == "crm"
    assert by_column["email"]["table"] == "customers.csv"
    assert by_column["email"]["category"] == "master"
    assert "person1@example.test" not in str(results)  # names and types, never values

    first = client.get(f"{SCANS}/{job['id']}/results?limit=1", headers=owner_key).json()
    assert len(first["items"]) == 1 and first["next"]
    second = client.get(first["next"], headers=owner_key).json()
    assert second["items"][0]["key"] > first["items"][0]["key"]
    only = client.get(f"{SCANS}/{job['id']}/results?pii_type=PHONE_NUMBER", headers=owner_key)
    assert [f["column"] for f in only.json()["items"]] == ["phone"]

    listed = client.get(SCANS, headers=owner_key).json()["items"]
    assert [j["id"] for j in listed] == [job["id"]]
    # The scan updated the tenant's data map and is in the trail.
    assert platform.discovery.data_map(platform_owner(platform), "acme")
    actions = {e.action for e in platform.audit.search(limit=50)}
    assert {"scan.start", "scan.run"} <= actions


def platform_owner(platform: Platform) -> RequestContext:
    from privault.core.context import Principal

    return RequestContext(Principal("user:admin", frozenset({"owner"})), source="test")


@pytest.mark.parametrize(
    "target",
    [
        "../outside.csv",  # climbs out of the root
        "crm/../../outside.csv",  # climbs out after going in
        "/etc/passwd",  # an absolute server path
        "escape/outside.csv",  # a symlink inside the root pointing out of it
        "postgresql://u:pw@db.example/crm",  # a URL not on the allow-list
        "file:///etc/passwd",  # a URL scheme for local files
        "",  # nothing
    ],
)
def test_scan_targets_stay_inside_the_data_root(
    client: TestClient, platform: Platform, owner_key: dict[str, str], target: str, tmp_path: Path
) -> None:
    root = data_root(platform)
    write_customers(root / "crm" / "customers.csv")
    outside = write_customers(root.parent / "outside.csv")
    (root / "escape").mkdir(exist_ok=True)
    if not (root / "escape" / "outside.csv").exists():
        os.symlink(outside, root / "escape" / "outside.csv")
    r = client.post(SCANS, headers=owner_key, json={"targets": [target]})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    if target:
        assert target not in r.text  # the refusal does not echo the path or URL
    assert client.get(SCANS, headers=owner_key).json()["items"] == []  # no job was queued


def test_allow_listed_database_url_is_scanned(
    tmp_path: Path, clock: FixedClock, admin: RequestContext
) -> None:
    import sqlite3

    from fastapi.testclient import TestClient as Client

    from privault.app.bootstrap import init_platform
    from privault.core.secret import Secret
    from tests.api.conftest import OPEN_LIMITS
    from tests.conftest import PASSPHRASE, make_settings
    from tests.support.data import CUSTOMER_SCHEMA

    db = tmp_path / "crm.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE people (name TEXT, email TEXT)")
        conn.executemany(
            "INSERT INTO people VALUES (?, ?)",
            [(f"Testname Person{i}", f"person{i}@example.test") for i in range(30)],
        )
    url = f"sqlite:///{db}"
    settings = make_settings(tmp_path / "pv", "sqlite", job_sql_urls=(url,))
    p = init_platform(settings, Secret(PASSPHRASE), clock)
    try:
        p.tenants.create(admin, "acme", "Acme")
        p.tenants.apply_schema(admin, "acme", CUSTOMER_SCHEMA)
        make_user(p, admin, "root", "owner")
        key = make_key(p, admin, "root", ["*"])
        from privault.interfaces.api import create_app

        with Client(create_app(p, OPEN_LIMITS)) as c:
            r = c.post(SCANS, headers=key, json={"targets": [url]})
            assert r.status_code == 202, r.text
            done = wait_done(c, f"{SCANS}/{r.json()['id']}", key)
            assert done["status"] == "done" and "EMAIL_ADDRESS" in done["summary"]["types"]
            other = c.post(SCANS, headers=key, json={"targets": [url + "x"]})
            assert other.status_code == 422
    finally:
        p.close()


def test_scan_routes_need_scopes_and_hide_foreign_tenants(
    client: TestClient, platform: Platform, admin: RequestContext, owner_key: dict[str, str]
) -> None:
    write_customers(data_root(platform) / "a.csv")
    job = start_scan(client, owner_key, "a.csv")
    wait_done(client, f"{SCANS}/{job['id']}", owner_key)
    reader = make_key(platform, admin, "root", ["scan.read"])
    assert client.post(SCANS, headers=reader, json={"targets": ["a.csv"]}).status_code == 403
    assert client.get(f"{SCANS}/{job['id']}", headers=reader).status_code == 200
    masker = make_key(platform, admin, "root", ["mask.run"])
    for url in (SCANS, f"{SCANS}/{job['id']}", f"{SCANS}/{job['id']}/results"):
        assert client.get(url, headers=masker).status_code == 403, url
    # Another client's tech sees neither acme nor its jobs: 404, never data.
    platform.tenants.create(admin, "globex", "Globex")
    make_user(platform, admin, "tech", "technician", "globex")
    tech = make_key(platform, admin, "tech", ["*"])
    for url in (SCANS, f"{SCANS}/{job['id']}", f"{SCANS}/{job['id']}/results"):
        r = client.get(url, headers=tech)
        assert r.status_code == 404 and "unknown tenant" in r.json()["detail"], url
    assert client.post(SCANS, headers=tech, json={"targets": ["a.csv"]}).status_code == 404
    # An acme job asked for under globex's path does not exist there.
    r = client.get(f"/api/v1/tenants/globex/scans/{job['id']}", headers=owner_key)
    assert r.status_code == 404
    assert client.get(f"{SCANS}/job_nope", headers=owner_key).status_code == 404


def test_scan_input_validation(client: TestClient, owner_key: dict[str, str]) -> None:
    for body in (
        {"targets": []},
        {"targets": ["a"] * 21},
        {"targets": ["a"], "sample_size": 0},
        {"targets": ["a"], "bogus": 1},
        {},
    ):
        r = client.post(SCANS, headers=owner_key, json=body)
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, body
    r = client.get(f"{SCANS}?limit=0", headers=owner_key)
    assert r.status_code == 422


def test_masking_job_copies_under_a_validated_policy(
    client: TestClient, platform: Platform, owner_key: dict[str, str]
) -> None:
    root = data_root(platform)
    write_customers(root / "in" / "customers.csv")
    (root / "out").mkdir()
    body = {"source": "in/customers.csv", "dest": "out/masked.csv", "policy": POLICY}
    r = client.post(MASKS, headers=owner_key, json=body)
    assert r.status_code == 202, r.text
    done = wait_done(client, f"{MASKS}/{r.json()['id']}", owner_key)
    assert done["status"] == "done", done
    assert done["summary"]["rows_in"] == 40 and done["summary"]["dest"] == "out/masked.csv"
    masked = (root / "out" / "masked.csv").read_text()
    assert "person1@example.test" not in masked and "****************test" in masked
    assert str(root) not in str(done)
    assert [j["id"] for j in client.get(MASKS, headers=owner_key).json()["items"]] == [done["id"]]

    again = client.post(MASKS, headers=owner_key, json=body)
    assert again.status_code == 409  # the destination exists
    assert (
        client.post(MASKS, headers=owner_key, json={**body, "overwrite": True}).status_code == 202
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"policy": "entities: [unclosed"}, "not valid YAML"),
        ({"policy": {"entities": {"EMAIL_ADDRESS": {"operator": "nope"}}}}, "policy"),
        ({"source": "../customers.csv"}, "outside the data root"),
        ({"dest": "/tmp/masked.csv"}, "outside the data root"),
        ({"dest": "in/customers.csv", "overwrite": True}, "overwrite its source"),
        ({"dest": "out/masked.exe"}, "unsupported table format"),
        ({"source": "in/missing.csv"}, "no such file"),
    ],
)
def test_masking_input_is_refused_before_the_job_starts(
    client: TestClient,
    platform: Platform,
    owner_key: dict[str, str],
    change: dict[str, object],
    reason: str,
) -> None:
    root = data_root(platform)
    write_customers(root / "in" / "customers.csv")
    (root / "out").mkdir(exist_ok=True)
    body = {"source": "in/customers.csv", "dest": "out/m.csv", "policy": POLICY, **change}
    r = client.post(MASKS, headers=owner_key, json=body)
    assert r.status_code == 422, r.text
    assert reason in r.json()["detail"]
    assert client.get(MASKS, headers=owner_key).json()["items"] == []


def test_masking_scopes_and_isolation(
    client: TestClient, platform: Platform, admin: RequestContext, owner_key: dict[str, str]
) -> None:
    root = data_root(platform)
    write_customers(root / "c.csv")
    body = {"source": "c.csv", "dest": "m.csv", "policy": POLICY}
    scanner = make_key(platform, admin, "root", ["scan.*"])
    assert client.post(MASKS, headers=scanner, json=body).status_code == 403
    assert client.get(MASKS, headers=scanner).status_code == 403
    job = client.post(MASKS, headers=owner_key, json=body).json()
    platform.tenants.create(admin, "globex", "Globex")
    make_user(platform, admin, "tech", "technician", "globex")
    tech = make_key(platform, admin, "tech", ["*"])
    assert client.get(f"{MASKS}/{job['id']}", headers=tech).status_code == 404
    assert client.post(MASKS, headers=tech, json=body).status_code == 404


def test_a_failing_job_reports_a_clean_error(
    client: TestClient, platform: Platform, owner_key: dict[str, str]
) -> None:
    root = data_root(platform)
    write_customers(root / "c.csv")
    # A keyed operator without a project key: valid policy, refused when the copy runs.
    policy = {"entities": {"EMAIL_ADDRESS": {"operator": "hash"}}}
    body = {"source": "c.csv", "dest": "h.csv", "policy": policy}
    r = client.post(MASKS, headers=owner_key, json=body)
    assert r.status_code == 202, r.text
    job = wait_done(client, f"{MASKS}/{r.json()['id']}", owner_key)
    assert job["status"] == "failed" and job["error_code"] == "invalid_input", job
    assert job["error"] and "person1" not in job["error"]
    assert not (root / "h.csv").exists()
