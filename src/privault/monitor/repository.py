"""Alerts and honeytokens over the monitor tables. Never commits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from privault.core.clock import as_utc
from privault.core.ids import new_id
from privault.monitor.model import ACTIVE_STATES, Alert, Finding, severity_rank
from privault.monitor.tables import monitor_alerts, monitor_cursors, monitor_honeytokens

KEEP_EVENT_IDS = 20


def _alert(row: Any) -> Alert:
    return Alert(
        id=row.id,
        rule=row.rule,
        severity=row.severity,
        state=row.state,
        tenant_id=row.tenant_id,
        actor=row.actor,
        dedup_key=row.dedup_key,
        group_key=row.group_key,
        title=row.title,
        detail=json.loads(row.detail),
        event_ids=tuple(json.loads(row.event_ids)),
        count=int(row.count),
        score=row.score,
        first_seen=as_utc(row.first_seen) or row.first_seen,
        last_seen=as_utc(row.last_seen) or row.last_seen,
        updated_at=as_utc(row.updated_at) or row.updated_at,
        updated_by=row.updated_by,
        note=row.note,
    )


def _active(conn: Connection, dedup_key: str) -> Alert | None:
    c = monitor_alerts.c
    row = conn.execute(
        select(monitor_alerts)
        .where(c.dedup_key == dedup_key[:300], c.state.in_(ACTIVE_STATES))
        .order_by(c.last_seen.desc())
        .limit(1)
    ).first()
    return None if row is None else _alert(row)


def _covering(conn: Connection, found: Finding) -> Alert | None:
    """An alert in any state that already covers ``found`` (its event or its time span)."""
    c = monitor_alerts.c
    rows = conn.execute(
        select(monitor_alerts).where(
            c.dedup_key == found.dedup_key[:300], c.first_seen <= found.ts, c.last_seen >= found.ts
        )
    ).all()
    if rows:
        return _alert(rows[0])
    recent = conn.execute(select(monitor_alerts).where(c.dedup_key == found.dedup_key[:300])).all()
    return next((_alert(r) for r in recent if found.event_id in json.loads(r.event_ids)), None)


def record_finding(
    conn: Connection, found: Finding, dedup: timedelta, *, replay: bool = False
) -> tuple[Alert, bool]:
    """Open an alert for ``found``, or fold it into an active one with its dedup key.

    A finding within ``dedup`` of an active alert's last sighting increments
    its count (and raises its severity if higher). In ``replay`` a finding an
    alert already covers (same event, or inside its first..last span) is skipped.

    Returns:
        (the alert, True if it is new).

    """
    if replay:
        covering = _covering(conn, found)
        if covering is not None:
            return covering, False
    current = _active(conn, found.dedup_key)
    if current is not None and found.ts - current.last_seen <= dedup:
        return _fold(conn, current, found), False
    alert_id = new_id("alr")
    conn.execute(
        insert(monitor_alerts).values(
            id=alert_id,
            rule=found.rule,
            severity=found.severity,
            state="open",
            tenant_id=found.tenant_id,
            actor=found.actor[:200],
            dedup_key=found.dedup_key[:300],
            group_key=found.group_key[:300],
            title=found.title[:300],
            detail=json.dumps(found.detail, sort_keys=True, default=str),
            event_ids=json.dumps([found.event_id]),
            count=1,
            score=found.score,
            first_seen=found.ts,
            last_seen=found.ts,
            updated_at=found.ts,
        )
    )
    created = get_alert(conn, alert_id)
    assert created is not None  # inserted just above
    return created, True


def _fold(conn: Connection, current: Alert, found: Finding) -> Alert:
    folded = _folded(current, found)
    _store_fold(conn, folded)
    return folded


def _folded(current: Alert, found: Finding) -> Alert:
    """``current`` with one more sighting (``found``), not yet stored."""
    score = max(s for s in (current.score, found.score, float("-inf")) if s is not None)
    return replace(
        current,
        count=current.count + 1,
        last_seen=max(found.ts, current.last_seen),
        severity=max(current.severity, found.severity, key=severity_rank),
        event_ids=(*current.event_ids, found.event_id)[-KEEP_EVENT_IDS:],
        score=None if score == float("-inf") else score,
        detail={**current.detail, **found.detail},
    )


def _store_fold(conn: Connection, folded: Alert) -> None:
    conn.execute(
        update(monitor_alerts)
        .where(monitor_alerts.c.id == folded.id)
        .values(
            count=folded.count,
            last_seen=folded.last_seen,
            severity=folded.severity,
            event_ids=json.dumps(list(folded.event_ids)),
            score=folded.score,
            detail=json.dumps(folded.detail, sort_keys=True, default=str),
        )
    )


def record_findings(
    conn: Connection, found: Sequence[Finding], dedup: timedelta, replay_rules: frozenset[str]
) -> list[Alert]:
    """:func:`record_finding` over a batch in order, one write per alert touched.

    Findings of ``replay_rules`` are recorded in replay mode. Returns the
    alerts the batch opened, as they stand after the whole batch.
    """
    touched: dict[str, Alert] = {}  # dedup key -> active alert, as folded so far
    new: dict[str, Alert] = {}  # alert id -> alert opened by this batch
    dirty: set[str] = set()
    for f in found:
        key = f.dedup_key[:300]
        current = touched.get(key)
        if current is None or f.rule in replay_rules:
            if f.rule in replay_rules:
                _flush_folds(conn, touched, dirty)
            alert, is_new = record_finding(conn, f, dedup, replay=f.rule in replay_rules)
            dirty.discard(alert.id)
            if is_new:
                new[alert.id] = alert
            if alert.state in ACTIVE_STATES:
                touched[key] = alert
        elif f.ts - current.last_seen <= dedup:
            touched[key] = _folded(current, f)
            dirty.add(current.id)
            if current.id in new:
                new[current.id] = touched[key]
        else:
            _flush_folds(conn, touched, dirty)
            alert, is_new = record_finding(conn, f, dedup)
            touched[key] = alert
            if is_new:
                new[alert.id] = alert
    _flush_folds(conn, touched, dirty)
    return list(new.values())


def _flush_folds(conn: Connection, touched: dict[str, Alert], dirty: set[str]) -> None:
    for alert in touched.values():
        if alert.id in dirty:
            _store_fold(conn, alert)
    dirty.clear()


def get_alert(conn: Connection, alert_id: str) -> Alert | None:
    """One alert by id."""
    row = conn.execute(select(monitor_alerts).where(monitor_alerts.c.id == alert_id)).first()
    return None if row is None else _alert(row)


def list_alerts(
    conn: Connection,
    *,
    states: Sequence[str] | None = None,
    rule: str | None = None,
    tenant_id: str | None = None,
    min_severity: str | None = None,
    limit: int = 100,
) -> list[Alert]:
    """Newest sightings first, filtered."""
    c = monitor_alerts.c
    query = select(monitor_alerts)
    if states:
        query = query.where(c.state.in_(list(states)))
    if rule:
        query = query.where(c.rule == rule)
    if tenant_id:
        query = query.where(c.tenant_id == tenant_id)
    rows = conn.execute(
        query.order_by(c.last_seen.desc(), c.id).limit(limit * 4 if min_severity else limit)
    )
    alerts = [_alert(r) for r in rows]
    if min_severity:
        floor = severity_rank(min_severity)
        alerts = [a for a in alerts if severity_rank(a.severity) >= floor]
    return alerts[:limit]


def set_state(
    conn: Connection, alert_id: str, state: str, by: str, now: datetime, note: str | None
) -> None:
    """Move an alert to ``state`` (the caller checked the transition)."""
    conn.execute(
        update(monitor_alerts)
        .where(monitor_alerts.c.id == alert_id)
        .values(state=state, updated_by=by[:200], updated_at=now, note=note)
    )


def add_honeytoken(
    conn: Connection, tenant_id: str, record_id: str, record_type: str, by: str, now: datetime
) -> None:
    """Register a planted canary record."""
    conn.execute(
        insert(monitor_honeytokens).values(
            tenant_id=tenant_id,
            record_id=record_id,
            record_type=record_type,
            planted_at=now,
            planted_by=by[:200],
        )
    )


def honeytoken_ids(conn: Connection, tenant_id: str) -> set[str]:
    """Every honeytoken record id of ``tenant_id``."""
    c = monitor_honeytokens.c
    return {r for (r,) in conn.execute(select(c.record_id).where(c.tenant_id == tenant_id))}


def honeytokens_in(conn: Connection, tenant_id: str, record_ids: Sequence[str]) -> list[str]:
    """Which of ``record_ids`` are honeytokens of ``tenant_id``."""
    c = monitor_honeytokens.c
    found: list[str] = []
    ids = list(dict.fromkeys(record_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = conn.execute(
            select(c.record_id).where(c.tenant_id == tenant_id, c.record_id.in_(chunk))
        )
        found.extend(r for (r,) in rows)
    return found


def list_honeytokens(conn: Connection, tenant_id: str | None = None) -> list[dict[str, Any]]:
    """Planted honeytokens (ids and who planted them)."""
    query = select(monitor_honeytokens)
    if tenant_id:
        query = query.where(monitor_honeytokens.c.tenant_id == tenant_id)
    return [dict(r._mapping) for r in conn.execute(query)]


MUTEX = "*"


def lock_cursors(conn: Connection) -> dict[str, int]:
    """Take the evaluators' turn and return how far each audit chain was evaluated.

    On PostgreSQL the mutex row is locked until the transaction ends; on SQLite
    the caller's write transaction already excludes other writers.
    """
    c = monitor_cursors.c
    query = select(c.seq).where(c.chain == MUTEX)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    if conn.execute(query).first() is None:
        conn.execute(insert(monitor_cursors).values(chain=MUTEX, seq=0))
    return cursors(conn)


def cursors(conn: Connection) -> dict[str, int]:
    """How far each audit chain was evaluated (without taking the evaluators' turn)."""
    c = monitor_cursors.c
    rows = conn.execute(select(c.chain, c.seq).where(c.chain != MUTEX))
    return {chain: int(seq) for chain, seq in rows}


def move_cursors(conn: Connection, moved: dict[str, int], known: dict[str, int]) -> None:
    """Record that each chain in ``moved`` is evaluated up to its sequence number."""
    c = monitor_cursors.c
    for chain, seq in moved.items():
        if chain in known:
            conn.execute(update(monitor_cursors).where(c.chain == chain).values(seq=seq))
        else:
            conn.execute(insert(monitor_cursors).values(chain=chain, seq=seq))
