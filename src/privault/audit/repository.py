"""Append to and verify the audit chain. Never commits: the caller's unit of work does."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, insert, select, update

from privault.audit.chain import (
    GENESIS,
    AuditEvent,
    ChainProblem,
    Linker,
    SealedEvent,
    VerifyReport,
    detail_json,
    link,
)
from privault.audit.tables import audit_events, audit_heads

# Built once: the chain is appended to on every audited request.
_HEAD = select(audit_heads.c.seq, audit_heads.c.hash).where(
    audit_heads.c.chain == bindparam("chain")
)
_HEAD_FOR_UPDATE = _HEAD.with_for_update()
_INSERT_EVENTS = insert(audit_events)
_MOVE_HEAD = (
    update(audit_heads)
    .where(audit_heads.c.chain == bindparam("head_chain"))
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def _lock_head(conn: Connection, chain: str) -> tuple[int, bytes]:
    query = _HEAD_FOR_UPDATE if conn.dialect.name == "postgresql" else _HEAD
    row = conn.execute(query, {"chain": chain}).first()
    if row is None:
        conn.execute(insert(audit_heads).values(chain=chain, seq=0, hash=GENESIS))
        return 0, GENESIS
    return int(row[0]), bytes(row[1])


def append(conn: Connection, key: bytes, events: Sequence[AuditEvent]) -> list[int]:
    """Chain and insert ``events``; return their sequence numbers."""
    return [sealed.seq for sealed in append_sealed(conn, key, events)]


def append_sealed(conn: Connection, key: bytes, events: Sequence[AuditEvent]) -> list[SealedEvent]:
    """Chain and insert ``events``; return each with its sequence number and hash.

    Serialised per chain by the head row (``FOR UPDATE`` on PostgreSQL; SQLite
    has one writer at a time).
    """
    by_chain: dict[str, list[AuditEvent]] = {}
    for event in events:
        by_chain.setdefault(event.chain, []).append(event)
    sealed: dict[str, SealedEvent] = {}
    linker = Linker(key)
    for chain, chain_events in sorted(by_chain.items()):
        seq, prev = _lock_head(conn, chain)
        rows = []
        for event in chain_events:
            seq += 1
            detail = detail_json(event.detail)
            digest = linker.link(prev, event, seq, detail)
            rows.append(_row(event, seq, prev, digest, detail))
            sealed[event.id] = SealedEvent(event, seq, digest)
            prev = digest
        conn.execute(_INSERT_EVENTS, rows)
        conn.execute(_MOVE_HEAD, {"head_chain": chain, "new_seq": seq, "new_hash": prev})
    return [sealed[e.id] for e in events]


def _row(event: AuditEvent, seq: int, prev: bytes, digest: bytes, detail: str) -> dict[str, Any]:
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
        "detail": detail,
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


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Filters for searching and exporting the trail (all optional, ANDed).

    ``resource`` matches a prefix; ``since`` is inclusive, ``until`` exclusive.
    """

    tenant_id: str | None = None
    actor: str | None = None
    action: str | None = None
    outcome: str | None = None
    purpose: str | None = None
    resource: str | None = None
    request_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _filtered(query: Select[Any], f: EventFilter) -> Select[Any]:
    c = audit_events.c
    equal = {
        c.tenant_id: f.tenant_id,
        c.actor: f.actor,
        c.action: f.action,
        c.outcome: f.outcome,
        c.purpose: f.purpose,
        c.request_id: f.request_id,
    }
    for column, value in equal.items():
        if value is not None:
            query = query.where(column == value)
    if f.resource is not None:
        query = query.where(c.resource.startswith(f.resource, autoescape=True))
    if f.since is not None:
        query = query.where(c.ts >= f.since)
    if f.until is not None:
        query = query.where(c.ts < f.until)
    return query


def search(
    conn: Connection,
    *,
    tenant_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 100,
    where: EventFilter | None = None,
) -> list[AuditEvent]:
    """Newest events first, filtered (keyword filters add to ``where``)."""
    base = where or EventFilter()
    f = EventFilter(
        tenant_id=tenant_id if tenant_id is not None else base.tenant_id,
        actor=actor if actor is not None else base.actor,
        action=action if action is not None else base.action,
        outcome=base.outcome,
        purpose=base.purpose,
        resource=base.resource,
        request_id=base.request_id,
        since=base.since,
        until=base.until,
    )
    query = _filtered(select(audit_events), f)
    rows = conn.execute(
        query.order_by(audit_events.c.ts.desc(), audit_events.c.seq.desc()).limit(limit)
    )
    return [_event_from_row(r) for r in rows]


Cursor = tuple[datetime, str, int]


def scan_page(
    conn: Connection, where: EventFilter, after: Cursor | None, batch: int = 2000
) -> tuple[list[SealedEvent], Cursor | None]:
    """One page of matching events, oldest first (time, chain, seq), and the next cursor."""
    c = audit_events.c
    query = _filtered(select(audit_events), where)
    if after is not None:
        ts, chain, seq = after
        later_in_tick = (c.chain > chain) | ((c.chain == chain) & (c.seq > seq))
        query = query.where((c.ts > ts) | ((c.ts == ts) & later_in_tick))
    rows = conn.execute(query.order_by(c.ts, c.chain, c.seq).limit(batch)).all()
    page = [SealedEvent(_event_from_row(r), int(r.seq), bytes(r.hash)) for r in rows]
    return page, ((rows[-1].ts, rows[-1].chain, int(rows[-1].seq)) if rows else None)


def scan(conn: Connection, where: EventFilter, batch: int = 2000) -> Iterator[SealedEvent]:
    """Every matching event, oldest first, in batches on one connection."""
    cursor: Cursor | None = None
    while True:
        page, cursor = scan_page(conn, where, cursor, batch)
        if not page:
            return
        yield from page


def head(conn: Connection, chain: str) -> tuple[int, bytes] | None:
    """The (seq, hash) head of ``chain``, or None."""
    row = conn.execute(
        select(audit_heads.c.seq, audit_heads.c.hash).where(audit_heads.c.chain == chain)
    ).first()
    return None if row is None else (int(row[0]), bytes(row[1]))


def heads(conn: Connection) -> dict[str, tuple[int, bytes]]:
    """Every chain's (seq, hash) head."""
    return {c: (int(s), bytes(h)) for c, s, h in conn.execute(select(audit_heads))}


def event_hash(conn: Connection, chain: str, seq: int) -> bytes | None:
    """The stored hash of the event at (chain, seq), or None."""
    row = conn.execute(
        select(audit_events.c.hash).where(audit_events.c.chain == chain, audit_events.c.seq == seq)
    ).first()
    return None if row is None else bytes(row[0])


def rules_used_since(conn: Connection, since: datetime) -> set[tuple[str, str]]:
    """(actor, rule) pairs of allowed events since ``since`` (least-privilege report)."""
    rows = conn.execute(
        select(audit_events.c.actor, audit_events.c.rule)
        .where(audit_events.c.ts >= since, audit_events.c.outcome == "allowed")
        .distinct()
    )
    return {(a, r) for a, r in rows}


def after(conn: Connection, chain: str, seq: int, limit: int) -> list[SealedEvent]:
    """Up to ``limit`` events of ``chain`` after ``seq``, in chain order."""
    rows = conn.execute(
        select(audit_events)
        .where(audit_events.c.chain == chain, audit_events.c.seq > seq)
        .order_by(audit_events.c.seq)
        .limit(limit)
    ).all()
    return [SealedEvent(_event_from_row(r), int(r.seq), bytes(r.hash)) for r in rows]
