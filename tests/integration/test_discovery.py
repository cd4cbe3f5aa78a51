"""Discovery end to end: the data map per tenant on both stores, SQL sources, canaries."""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from faker import Faker
from sqlalchemy import text

from privault.app.bootstrap import Platform
from privault.app.discovery import ScanService
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied, InvalidInput
from privault.store.engine import make_engine
from tests.conftest import create_pg_database, pg_admin_url

fake = Faker("en_US")
Faker.seed(5)
N = 120


def _service(p: Platform) -> ScanService:
    return ScanService(p.data, p.audit, p.authz, p.tenants, p.clock)


def _write_customers(path: Path, with_phone: bool) -> None:
    head = "id,email,name" + (",phone" if with_phone else "")
    rows = [
        f"{i},{fake.email()},{fake.name()}" + (f",{fake.phone_number()}" if with_phone else "")
        for i in range(N)
    ]
    path.write_text("\n".join([head, *rows]) + "\n")


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """A folder of sources apart from the platform's own data dir."""
    (tmp_path / "src").mkdir()
    return tmp_path / "src"


def test_data_map_and_rescan_changes(platform: Platform, admin: RequestContext, src: Path) -> None:
    tmp_path = src
    platform.tenants.create(admin, "acme", "Acme")
    service = _service(platform)
    _write_customers(tmp_path / "customers.csv", with_phone=False)
    first = service.scan(admin, [str(tmp_path)], tenant="acme")
    assert [c.kind for c in first.changes] == ["new_dataset"] and first.scan_id
    platform.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    _write_customers(tmp_path / "customers.csv", with_phone=True)
    second = service.scan(admin, [str(tmp_path)], tenant="acme")
    assert [(c.kind, c.column, c.after) for c in second.changes] == [
        ("new_pii_column", "phone", "PHONE_NUMBER")
    ]
    (tmp_path / "customers.csv").unlink()
    third = service.scan(admin, [str(tmp_path)], tenant="acme")
    assert [c.kind for c in third.changes] == ["dataset_missing"]
    [dataset] = service.data_map(admin, "acme")
    assert dataset.category == "master" and dataset.sensitivity == "medium"
    assert dataset.first_seen < dataset.last_seen
    cols = {c.name: c for c in dataset.columns}
    assert (
        cols["phone"].pii_type == "PHONE_NUMBER" and cols["email"].first_seen == dataset.first_seen
    )
    assert cols["phone"].first_seen > dataset.first_seen
    events = platform.audit.search(action="scan.run")
    assert len(events) == 3 and all(e.outcome == "allowed" for e in events)


def test_scan_without_tenant_is_audited_not_stored(
    platform: Platform, admin: RequestContext, src: Path
) -> None:
    tmp_path = src
    _write_customers(tmp_path / "c.csv", with_phone=True)
    report = _service(platform).scan(admin, [str(tmp_path)])
    assert report.scan_id is None and report.types >= {"EMAIL_ADDRESS", "PERSON", "PHONE_NUMBER"}
    with platform.data.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM discovery_datasets")).scalar_one() == 0
    assert platform.audit.search(action="scan.run")[0].tenant_id is None


def test_scan_is_authorized(platform: Platform, src: Path) -> None:
    tmp_path = src
    nobody = RequestContext(Principal("user:nobody"), source="test")
    with pytest.raises(AccessDenied):
        _service(platform).scan(nobody, [str(tmp_path)])
    assert platform.audit.search(action="scan.run")[0].outcome == "denied"


def test_sqlite_database_file(platform: Platform, admin: RequestContext, src: Path) -> None:
    tmp_path = src
    db = tmp_path / "shop.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, iban TEXT)")
        conn.executemany(
            "INSERT INTO customers (email, iban) VALUES (?, ?)",
            [(fake.email(), fake.iban()) for _ in range(N)],
        )
    report = _service(platform).scan(admin, [f"sqlite:///{db}", str(db)])
    names = {d.name: {c.name: c.pii_type for c in d.columns} for d in report.datasets}
    expected = {"id": None, "email": "EMAIL_ADDRESS", "iban": "IBAN_CODE"}
    assert names == {
        f"sqlite:///{db}::main.customers": expected,
        "shop.sqlite::customers": expected,
    }


@pytest.mark.postgres
def test_postgres_schemas_and_tables(admin: RequestContext, platform: Platform) -> None:
    url = create_pg_database(pg_admin_url(), f"pv_scan_{secrets.token_hex(4)}")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA crm"))
        conn.execute(text("CREATE TABLE crm.people (id serial primary key, mail text, born date)"))
        conn.execute(text("CREATE TABLE public.orders (id serial primary key, total numeric(8,2))"))
        for _ in range(N):
            conn.execute(
                text("INSERT INTO crm.people (mail, born) VALUES (:m, :b)"),
                {"m": fake.email(), "b": fake.date_of_birth()},
            )
            conn.execute(text("INSERT INTO public.orders (total) VALUES (12.5)"))
    engine.dispose()
    report = _service(platform).scan(admin, [url], sample_size=50)
    names = {
        d.name.split("::")[1]: {c.name: c.pii_type for c in d.columns} for d in report.datasets
    }
    assert names == {
        "crm.people": {"id": None, "mail": "EMAIL_ADDRESS", "born": "DATE_TIME"},
        "public.orders": {"id": None, "total": None},
    }
    assert report.datasets[0].row_count == N


def test_bad_credentials_are_one_clear_line(platform: Platform, admin: RequestContext) -> None:
    with pytest.raises(InvalidInput) as info:
        _service(platform).scan(admin, ["postgresql://scanner:Hunter2-Canary@127.0.0.1:9/none"])
    assert "Hunter2-Canary" not in str(info.value) and "\n" not in str(info.value)


CANARIES = {
    "email": "zorblatt.canary@example.test",
    "phone": "+44 20 7946 0958",
    "card": "4111 1111 1111 1111",
    "name": "Zorblatt Quixotic",
}


def test_canaries_never_reach_the_map_logs_or_reports(
    sqlite_platform: Platform,
    admin: RequestContext,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    p = sqlite_platform
    p.tenants.create(admin, "acme")
    rows = ["email,phone,card,name,notes"] + [
        f"{CANARIES['email']},{CANARIES['phone']},{CANARIES['card']},{CANARIES['name']},"
        f"call {CANARIES['name']} on {CANARIES['phone']}"
    ] * 30
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "leak.csv").write_text("\n".join(rows) + "\n")
    caplog.set_level(logging.DEBUG)
    report = _service(p).scan(admin, [str(tmp_path / "src")], tenant="acme")
    assert {c.pii_type for c in report.datasets[0].columns} >= {"EMAIL_ADDRESS", "CREDIT_CARD"}
    dumps = [json.dumps(report.to_json()), json.dumps(report.to_sarif()), caplog.text, repr(report)]
    p.close()
    dumps.append((tmp_path / "privault.db").read_bytes().decode("latin-1"))
    wal = tmp_path / "privault.db-wal"
    dumps.append(wal.read_bytes().decode("latin-1") if wal.exists() else "")
    for canary in CANARIES.values():
        for part in (canary, canary.replace(" ", "")):
            assert not any(part in d for d in dumps), part
