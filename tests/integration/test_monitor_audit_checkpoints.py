"""Signed checkpoints: forged, altered or outrun checkpoints are caught by verify."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from privault.app.bootstrap import Platform
from privault.core.context import RequestContext
from privault.crypto._primitives import ed25519_sign
from tests.support.data import customer


def _trail(platform: Platform, tenant: str, admin: RequestContext) -> str:
    platform.audit.checkpoint_every = 3
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(3)])
    for _ in range(5):
        platform.gate.read(admin, tenant, ids, purpose="support")
    return platform.tenants.get(tenant).id


def _run(platform: Platform, sql: str, **params: object) -> None:
    with platform.data.engine.begin() as conn:
        for statement in sql.split(";"):
            conn.execute(text(statement), params)


def test_checkpoints_are_signed_periodically_and_verify(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    chain = _trail(platform, tenant, admin)
    checkpoints = [cp for cp in platform.audit.checkpoints() if cp.chain == chain]
    assert [cp.seq for cp in checkpoints] == [3, 6]  # every 3 events on this chain
    report = platform.trail.verify(admin)
    assert report.ok and report.checkpoints == 2
    assert len(platform.trail.public_key(admin)) == 32


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # a forged signature
        (
            "UPDATE audit_checkpoints SET signature = :junk WHERE chain = :c AND seq = 6",
            "signature is invalid",
        ),
        # a checkpoint moved to another seq keeps its signature: no longer valid
        (
            "UPDATE audit_checkpoints SET seq = 5 WHERE chain = :c AND seq = 6",
            "signature is invalid",
        ),
        # the event a checkpoint covers was rewritten with another (old) hash
        (
            "UPDATE audit_events SET hash = (SELECT hash FROM audit_events WHERE chain = :c "
            "AND seq = 1) WHERE chain = :c AND seq = 6",
            "no longer matches the hash its signed checkpoint covers",
        ),
        # the tail is cut and the head rolled back to a consistent earlier pair
        (
            "DELETE FROM audit_events WHERE chain = :c AND seq > 5;"
            "UPDATE audit_heads SET seq = 5, hash = (SELECT hash FROM audit_events "
            "WHERE chain = :c AND seq = 5) WHERE chain = :c",
            "truncated chain",
        ),
    ],
)
def test_checkpoint_tampering_is_caught(
    platform: Platform, tenant: str, admin: RequestContext, sql: str, expected: str
) -> None:
    chain = _trail(platform, tenant, admin)
    _run(platform, sql, c=chain, junk=bytes(64))
    report = platform.audit.verify()
    assert not report.ok
    assert any(expected in p.problem and p.chain == chain for p in report.problems), report


def test_a_checkpoint_signed_with_another_key_is_rejected(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    chain = _trail(platform, tenant, admin)
    from privault.audit.chain import checkpoint_payload

    with platform.data.engine.begin() as conn:
        row = conn.execute(
            text(
                "SELECT seq, hash, ts, key_id FROM audit_checkpoints WHERE chain = :c AND seq = 6"
            ),
            {"c": chain},
        ).one()
    cp = next(c for c in platform.audit.checkpoints() if c.chain == chain and c.seq == 6)
    forged = ed25519_sign(
        b"\x01" * 32, checkpoint_payload(chain, 6, bytes(row.hash), cp.ts, cp.key_id)
    )
    _run(
        platform,
        "UPDATE audit_checkpoints SET signature = :s WHERE chain = :c AND seq = 6",
        s=forged,
        c=chain,
    )
    problems = platform.audit.verify().problems
    assert [p.seq for p in problems] == [6] and "forged" in problems[0].problem
