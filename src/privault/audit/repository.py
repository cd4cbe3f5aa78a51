"""Append to and verify the audit chain. Never commits: the caller's unit of work does."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from privault.audit.chain import (
    GENESIS,
    AuditEvent,
    ChainProblem,
    VerifyReport,
    detail_json,
    link,
)
from privault.audit.tables import audit_events, audit_heads


def _lock_head(conn: Connection, chain: str) -> tuple[int, bytes]:
    query = select(audit_heads.c.seq, audit_heads.c.hash).where(audit_heads.c.chain == chain)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        conn.execute(insert(audit_heads).values(chain=chain, seq=0, hash=GENESIS))
        return 0, GENESIS
    return int(row[0]), bytes(row[1])


def append(conn: Connection, key: bytes, events: Sequence[AuditEvent]) -> list[int]:
    """Chain and insert ``events``; return their sequence numbers.

    Serialised per chain by the head row (``FOR UPDATE`` on PostgreSQL; SQLite
    has one writer at a time).
    """
    by_chain: dict[str, list[AuditEvent]] = {}
    for event in events:
        by_chain.setdefault(event.chain, []).append(event)
    seqs: dict[str, int] = {}
    for chain, chain_events in sorted(by_chain.items()):
        seq, prev = _lock_head(conn, chain)
        rows = []
        for event in chain_events:
            seq += 1
            digest = link(key, prev, event, seq)
            rows.append(_row(event, seq, prev, digest))
            seqs[event.id] = seq
            prev = digest
        conn.execute(insert(audit_events), rows)
        conn.execute(
            update(audit_heads).where(audit_heads.c.chain == chain).values(seq=seq, hash=prev)
        )
    return [seqs[e.id] for e in events]


def _row(event: AuditEvent, seq: int, prev: bytes, digest: bytes) -> dict[str, Any]:
    return {
        "chain": event.chain,
        "seq": seq,
        "id": event.id,
        "ts": event.ts,
        "tenant_id": event.tenant_id,
        "actor": event.actor,
        "action": event.action,
        "resource": event.resource,
        "purpose": event.purpose,
        "outcome": event.outcome,
        "rule": event.rule,
        "request_id": event.request_id,
        "detail": detail_json(event.detail),
        "prev_hash": prev,
        "hash": digest,
    }


def _event_from_row(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        ts=_aware(row.ts),
        tenant_id=row.tenant_id,
        actor=row.actor,
        action=row.action,
        resource=row.resource,
        outcome=row.outcome,
        rule=row.rule,
        request_id=row.request_id,
        purpose=row.purpose,
        detail=json.loads(row.detail),
    )


def _aware(ts: datetime) -> datetime:
    from datetime import UTC

    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def verify(conn: Connection, key: bytes) -> VerifyReport:
    """Recompute every chain; report edited, deleted, inserted or reordered events."""
    heads = {c: (int(s), bytes(h)) for c, s, h in conn.execute(select(audit_heads))}
    chains = sorted(
        set(heads) | {c for (c,) in conn.execute(select(audit_events.c.chain).distinct())}
    )
    problems: list[ChainProblem] = []
    total = 0
    for chain in chains:
        count, last_seq, last_hash = _verify_chain(conn, key, chain, problems)
        total += count
        head = heads.get(chain)
        if head is None:
            problems.append(ChainProblem(chain, last_seq, None, "chain head is missing"))
        elif head != (last_seq, last_hash):
            problems.append(
                ChainProblem(
                    chain,
                    head[0],
                    None,
                    f"chain head says seq {head[0]} but the trail ends at seq {last_seq}: "
                    "events were deleted or the head was altered",
                )
            )
    return VerifyReport(len(chains), total, tuple(problems))


def _verify_chain(
    conn: Connection, key: bytes, chain: str, problems: list[ChainProblem]
) -> tuple[int, int, bytes]:
    expected_seq, prev, count = 1, GENESIS, 0
    for row in _rows(conn, chain):
        count += 1
        if row.seq != expected_seq:
            problems.append(
                ChainProblem(chain, expected_seq, None, f"events missing before seq {row.seq}")
            )
        if bytes(row.prev_hash) != prev:
            problems.append(
                ChainProblem(
                    chain,
                    row.seq,
                    row.id,
                    "previous-hash link broken (deleted, inserted or reordered event)",
                )
            )
        try:
            recomputed = link(key, bytes(row.prev_hash), _event_from_row(row), row.seq)
        except (ValueError, TypeError):
            recomputed = b""
        if recomputed != bytes(row.hash):
            problems.append(
                ChainProblem(
                    chain, row.seq, row.id, "event content does not match its hash (edited)"
                )
            )
        prev, expected_seq = bytes(row.hash), row.seq + 1
    return count, expected_seq - 1, prev


def _rows(conn: Connection, chain: str) -> Iterator[Any]:
    last = 0
    while True:
        batch = conn.execute(
            select(audit_events)
            .where(audit_events.c.chain == chain, audit_events.c.seq > last)
            .order_by(audit_events.c.seq)
            .limit(5000)
        ).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def search(
    conn: Connection,
    *,
    tenant_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """Newest events first, filtered."""
    query = select(audit_events)
    if tenant_id is not None:
        query = query.where(audit_events.c.tenant_id == tenant_id)
    if actor is not None:
        query = query.where(audit_events.c.actor == actor)
    if action is not None:
        query = query.where(audit_events.c.action == action)
    rows = conn.execute(
        query.order_by(audit_events.c.ts.desc(), audit_events.c.seq.desc()).limit(limit)
    )
    return [_event_from_row(r) for r in rows]


def rules_used_since(conn: Connection, since: datetime) -> set[tuple[str, str]]:
    """(actor, rule) pairs of allowed events since ``since`` (least-privilege report)."""
    rows = conn.execute(
        select(audit_events.c.actor, audit_events.c.rule)
        .where(audit_events.c.ts >= since, audit_events.c.outcome == "allowed")
        .distinct()
    )
    return {(a, r) for a, r in rows}
