"""Data-subject requests end to end: access, rectification, restriction, opt-out, erasure."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from privault.app.bootstrap import Platform, open_platform
from privault.app.discovery import ScanService
from privault.app.lifecycle import Lifecycle, lifecycle_for
from privault.core.clock import FixedClock
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied, Conflict, InvalidInput, KeyDestroyed
from privault.core.secret import Secret
from tests.conftest import PASSPHRASE, PG_ENV, create_pg_database
from tests.support.data import CUSTOMER_SCHEMA, customer


@pytest.fixture
def life(platform: Platform) -> Lifecycle:
    return lifecycle_for(platform, ())


def _verified(life: Lifecycle, admin: RequestContext, tenant: str, kind: str, **kw: object) -> str:
    req = life.dsr.open(admin, tenant, "C00001", kind, **kw)  # type: ignore[arg-type]
    life.dsr.verify(admin, tenant, req.id, method="id-document", note="passport checked")
    return req.id


def test_access_bundle_through_the_gate(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext
) -> None:
    platform.vault.put_many(admin, tenant, "customer", [customer(1), customer(2)])
    life.consent.set(
        admin, tenant, "C00001", "marketing", "granted", method="form", source="signup"
    )
    req = life.dsr.open(admin, tenant, "C00001", "access")
    with pytest.raises(Conflict):  # identity first
        life.dsr.advance(admin, tenant, req.id)
    life.dsr.verify(admin, tenant, req.id, method="email-link")
    done = life.dsr.advance(admin, tenant, req.id)
    assert done.request.state == "completed" and done.bundle is not None
    [record] = done.bundle["records"]
    assert record["fields"]["email"] == "person1@example.test"
    assert done.bundle["consent"][0]["method"] == "form"
    json.dumps(done.bundle)  # machine-readable
    reads = platform.audit.search(action="record.read")
    assert reads[0].purpose == "dsr-access"
    steps = [s.action for s in life.dsr.steps(admin, tenant, req.id)]
    assert steps == ["open", "verify", "start", "complete"]
    actions = {e.action for e in platform.audit.search(limit=50)}
    assert {"dsr.open", "dsr.verify", "dsr.start", "dsr.complete"} <= actions


def test_rectification_restriction_and_opt_out(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext
) -> None:
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    other = platform.vault.put(admin, tenant, "customer", customer(2))
    dsr = _verified(life, admin, tenant, "rectification")
    with pytest.raises(InvalidInput):
        life.dsr.advance(admin, tenant, dsr, record_id=other, changes={"name": "X"})
    life.dsr.advance(admin, tenant, dsr, record_id=rid, changes={"name": "Corrected Name"})
    assert (
        life.gate.read(admin, tenant, [rid], purpose="support", view="plain")[0].fields["name"]
        == "Corrected Name"
    )
    life.dsr.advance(admin, tenant, _verified(life, admin, tenant, "opt-out-sale"))
    with pytest.raises(AccessDenied, match="consent-opt-out"):
        life.gate.read(admin, tenant, [rid], purpose="sale")
    life.gate.read(admin, tenant, [rid], purpose="support")
    life.dsr.advance(admin, tenant, _verified(life, admin, tenant, "restriction"))
    with pytest.raises(AccessDenied, match="consent-opt-out"):
        life.gate.read(admin, tenant, [rid], purpose="support")
    assert life.gate.read(admin, tenant, [rid], purpose="legal")  # exempt purposes still work
    assert life.gate.read(admin, tenant, [other], purpose="support")


def test_a_restriction_is_lifted_only_after_the_subject_was_told(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext
) -> None:
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    access = _verified(life, admin, tenant, "access")
    dsr = _verified(life, admin, tenant, "restriction")
    with pytest.raises(Conflict, match="not a completed restriction"):
        life.dsr.lift_restriction(admin, tenant, dsr, "dispute settled", informed=True)
    life.dsr.advance(admin, tenant, dsr)
    with pytest.raises(AccessDenied, match="consent-opt-out"):
        life.gate.read(admin, tenant, [rid], purpose="support")
    with pytest.raises(InvalidInput, match=r"Art\. 18\(3\)"):
        life.dsr.lift_restriction(admin, tenant, dsr, "dispute settled", informed=False)
    with pytest.raises(InvalidInput, match="reason"):
        life.dsr.lift_restriction(admin, tenant, dsr, " ", informed=True)
    with pytest.raises(Conflict):
        life.dsr.lift_restriction(admin, tenant, access, "wrong kind", informed=True)
    life.dsr.lift_restriction(admin, tenant, dsr, "dispute settled", informed=True)
    assert life.gate.read(admin, tenant, [rid], purpose="support")
    with pytest.raises(Conflict, match="lifted already"):
        life.dsr.lift_restriction(admin, tenant, dsr, "again", informed=True)
    steps = [(s.action, s.note) for s in life.dsr.steps(admin, tenant, dsr)]
    assert steps[-1] == ("lift_restriction", "dispute settled")
    assert platform.audit.search(action="dsr.lift_restriction")


def test_gpc_signal_is_honoured(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext
) -> None:
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    life.consent.set(admin, tenant, "C00001", "marketing", "opt-out", method="api")
    changes = life.consent.record_gpc(admin, tenant, "C00001")
    assert {(c.purpose, c.method) for c in changes} == {("sale", "gpc"), ("share", "gpc")}
    for purpose in ("marketing", "sale", "share"):
        with pytest.raises(AccessDenied):
            life.gate.read(admin, tenant, [rid], purpose=purpose)
    life.consent.set(admin, tenant, "C00001", "marketing", "granted", method="form")
    assert life.gate.read(admin, tenant, [rid], purpose="marketing")
    history = life.consent.history(admin, tenant, "C00001")
    assert [(h.purpose, h.decision) for h in history][-1] == ("marketing", "granted")
    assert len(history) == 4 and history[0].actor == "user:admin"


def test_deadlines_extension_register_and_reminders(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext, clock: FixedClock
) -> None:
    gdpr = life.dsr.open(admin, tenant, "C00001", "access", received_on=date(2026, 1, 31))
    assert gdpr.due_on == date(2026, 2, 28)
    assert life.dsr.extend(admin, tenant, gdpr.id, "complex request").due_on == date(2026, 4, 30)
    with pytest.raises(Conflict):
        life.dsr.extend(admin, tenant, gdpr.id, "again")
    ccpa = life.dsr.open(admin, tenant, "C00002", "erasure", law="ccpa")
    assert ccpa.due_on == clock.now().date() + timedelta(days=45)
    assert [r.id for r in life.dsr.list(admin, tenant, due_within=30)] == []
    clock.advance(timedelta(days=20))
    assert [r.id for r in life.dsr.list(admin, tenant, due_within=30)] == [ccpa.id]
    life.dsr.reject(admin, tenant, ccpa.id, "identity not proven")
    assert life.dsr.list(admin, tenant, due_within=30) == []
    csv_text = life.dsr.register(admin, tenant, fmt="csv")
    assert csv_text.splitlines()[0].startswith("id,tenant_id,subject_id,kind")
    rows = json.loads(life.dsr.register(admin, tenant))
    assert {r["state"] for r in rows} == {"verifying", "rejected"}


def _customers_table(conn_url: str, ids: list[str]) -> None:
    eng = create_engine(conn_url)
    with eng.begin() as conn:
        conn.execute(text("CREATE TABLE customers (cust_no VARCHAR(20), email VARCHAR(200))"))
        for i in ids:
            conn.execute(
                text("INSERT INTO customers VALUES (:c, :e)"), {"c": i, "e": f"{i}@example.test"}
            )
    eng.dispose()


def _count(url: str, subject: str) -> int:
    eng = create_engine(url)
    with eng.connect() as conn:
        n = conn.execute(
            text("SELECT count(*) FROM customers WHERE cust_no = :c"), {"c": subject}
        ).scalar_one()
    eng.dispose()
    return int(n)


def test_erasure_reaches_every_mapped_source(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext, tmp_path: Path
) -> None:
    ids = [f"C{i:05d}" for i in range(6)]
    platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(6)])
    urls = [f"sqlite:///{tmp_path / 'shop.sqlite'}"]
    if os.environ.get(PG_ENV):
        urls.append(create_pg_database(os.environ[PG_ENV], f"pv_src_{secrets.token_hex(4)}"))
    for url in urls:
        _customers_table(url, ids)
    report = ScanService(
        platform.data, platform.audit, platform.authz, platform.tenants, platform.clock
    ).scan(admin, urls, tenant=tenant)
    for d in report.datasets:
        life.dsr.map_source(admin, tenant, d.source, d.name, "cust_no")
    with pytest.raises(InvalidInput):
        life.dsr.map_source(
            admin, tenant, report.datasets[0].source, report.datasets[0].name, "nope"
        )
    dsr = _verified(life, admin, tenant, "erasure")
    done = life.dsr.advance(admin, tenant, dsr)
    result = json.loads(done.request.result)
    assert done.request.state == "completed"
    assert [s["status"] for s in result["sources"]] == ["deleted"] * len(urls)
    assert all(s["rows"] == 1 for s in result["sources"])
    assert result["vault"]["key_destroyed"] is True
    for url in urls:
        assert _count(url, "C00001") == 0 and _count(url, "C00002") == 1


def test_erasure_with_an_unreachable_source_stays_in_progress(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext, tmp_path: Path
) -> None:
    db = tmp_path / "crm.sqlite"
    _customers_table(f"sqlite:///{db}", ["C00001"])
    scan = ScanService(
        platform.data, platform.audit, platform.authz, platform.tenants, platform.clock
    )
    [d] = scan.scan(admin, [f"sqlite:///{db}"], tenant=tenant).datasets
    life.dsr.map_source(admin, tenant, d.source, d.name, "cust_no")
    dsr = _verified(life, admin, tenant, "erasure")
    moved = tmp_path / "moved.sqlite"
    db.rename(moved)
    db.mkdir()  # a directory where the database was: cannot be opened
    first = life.dsr.advance(admin, tenant, dsr)
    assert first.request.state == "in_progress"
    assert json.loads(first.request.result)["sources"][0]["status"] == "failed"
    db.rmdir()
    moved.rename(db)
    assert life.dsr.advance(admin, tenant, dsr).request.state == "completed"
    assert _count(f"sqlite:///{db}", "C00001") == 0


def test_backup_taken_before_erasure_cannot_be_decrypted(
    sqlite_platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    p = sqlite_platform
    p.tenants.create(admin, "acme")
    p.tenants.apply_schema(admin, "acme", CUSTOMER_SCHEMA)
    victim = p.vault.put(admin, "acme", "customer", customer(1))
    other = p.vault.put(admin, "acme", "customer", customer(2))
    db = Path(p.settings.resolved_database_url.removeprefix("sqlite:///"))
    src, dst = sqlite3.connect(db), sqlite3.connect(tmp_path / "backup.db")
    src.backup(dst)
    src.close()
    dst.close()
    life = lifecycle_for(p, ())
    dsr = _verified(life, admin, "acme", "erasure")
    assert life.dsr.advance(admin, "acme", dsr).request.state == "completed"
    p.close()
    shutil.copy(tmp_path / "backup.db", db)
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    restored = open_platform(p.settings, Secret(PASSPHRASE), FixedClock())
    try:
        assert restored.gate.read(admin, "acme", [other], purpose="restore")
        with pytest.raises(KeyDestroyed):
            restored.gate.read(admin, "acme", [victim], purpose="restore", view="plain")
    finally:
        restored.close()


def test_consent_import_is_all_or_nothing_and_keeps_its_origin(
    platform: Platform, life: Lifecycle, tenant: str, admin: RequestContext
) -> None:
    rows = [
        {"subject": "C00001", "purpose": "marketing", "decision": "granted", "method": "form"},
        {"subject": "C00002", "purpose": "sale", "decision": "opt-out"},
    ]
    assert life.consent.import_rows(admin, tenant, rows, source="crm-export.csv") == 2
    history = sorted(life.consent.history(admin, tenant), key=lambda h: h.subject_id)
    assert [(h.subject_id, h.method, h.source) for h in history] == [
        ("C00001", "form", "crm-export.csv"),
        ("C00002", "import", "crm-export.csv"),
    ]  # one import: the same instant, so sorted by subject here
    assert history[1].decision == "withdrawn"
    with pytest.raises(InvalidInput, match="row 2"):
        life.consent.import_rows(
            admin, tenant, [rows[0], {"subject": "C00003", "purpose": "marketing"}], source="x"
        )
    assert len(life.consent.history(admin, tenant)) == 2
    assert platform.audit.search(action="consent.import")[0].detail["rows"] == 2
