"""The audit chain catches edits, deletions, insertions and reordering; reads fail closed."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from privault.app.bootstrap import Platform
from privault.core.context import RequestContext
from privault.core.errors import AuditUnavailable
from tests.support.data import customer


def _events(platform: Platform, tenant: str, admin: RequestContext, n: int = 4) -> list[str]:
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(3)])
    for _ in range(n):
        platform.gate.read(admin, tenant, ids, purpose="support")
    return ids


def _chain(platform: Platform, tenant: str) -> str:
    return platform.tenants.get(tenant).id


def test_untouched_trail_verifies(platform: Platform, tenant: str, admin: RequestContext) -> None:
    _events(platform, tenant, admin)
    report = platform.trail.verify(admin)
    assert report.ok and report.events >= 7 and report.chains >= 1
    assert platform.trail.verify(admin).chains == 2  # the first verify was audited too


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # an admin with database access edits who read the data
        ("UPDATE audit_events SET actor = 'user:nobody' WHERE chain = :c AND seq = 3", "edited"),
        # …changes the purpose recorded
        ("UPDATE audit_events SET purpose = 'marketing' WHERE chain = :c AND seq = 4", "edited"),
        # …deletes an event in the middle
        ("DELETE FROM audit_events WHERE chain = :c AND seq = 3", "missing"),
        # …deletes the newest event and rolls the head back to hide it
        (
            "DELETE FROM audit_events WHERE chain = :c AND seq = (SELECT max(seq) FROM "
            "audit_events WHERE chain = :c)",
            "chain head says",
        ),
        # …swaps two events' positions (three steps around the primary key)
        (
            "UPDATE audit_events SET seq = -2 WHERE chain = :c AND seq = 2;"
            "UPDATE audit_events SET seq = 2 WHERE chain = :c AND seq = 3;"
            "UPDATE audit_events SET seq = 3 WHERE chain = :c AND seq = -2",
            "link broken",
        ),
    ],
)
def test_tampering_is_detected_and_located(
    platform: Platform, tenant: str, admin: RequestContext, sql: str, expected: str
) -> None:
    _events(platform, tenant, admin)
    chain = _chain(platform, tenant)
    with platform.data.engine.begin() as conn:
        for statement in sql.split(";"):
            conn.execute(text(statement), {"c": chain})
    report = platform.audit.verify()
    assert not report.ok
    assert any(expected in p.problem and p.chain == chain for p in report.problems), report


def test_inserted_event_is_detected(platform: Platform, tenant: str, admin: RequestContext) -> None:
    _events(platform, tenant, admin)
    chain = _chain(platform, tenant)
    with platform.data.engine.begin() as conn:
        row = (
            conn.execute(
                text("SELECT * FROM audit_events WHERE chain = :c AND seq = 2"), {"c": chain}
            )
            .mappings()
            .one()
        )
        forged = {**row, "seq": 1000, "id": "evt_forged"}
        cols = ", ".join(forged)
        conn.execute(
            text(
                f"INSERT INTO audit_events ({cols}) VALUES ({', '.join(':' + k for k in forged)})"
            ),
            forged,
        )
    assert not platform.audit.verify().ok


def test_reads_fail_closed_when_the_trail_cannot_be_written(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(1)])
    with platform.data.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_events RENAME TO audit_events_gone"))
    with pytest.raises(AuditUnavailable):
        platform.gate.read(admin, tenant, ids, purpose="support", view="plain")
    with pytest.raises(AuditUnavailable):
        platform.vault.put(admin, tenant, "customer", customer(2))
