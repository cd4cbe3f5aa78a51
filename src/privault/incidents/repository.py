"""Incidents, their timeline, team, notifications and export freezes. Never commits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from privault.incidents.model import Incident, Member, TimelineEntry
from privault.incidents.tables import (
    export_freezes,
    incident_members,
    incident_notifications,
    incident_timeline,
    incidents,
)


def _utc(ts: datetime | None) -> datetime | None:
    if ts is None:
        return None
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def _incident(row: Any) -> Incident:
    aware = _utc(row.aware_at)
    detected = _utc(row.detected_at)
    updated = _utc(row.updated_at)
    assert aware is not None and detected is not None and updated is not None
    return Incident(
        id=row.id,
        title=row.title,
        severity=row.severity,
        state=row.state,
        tenant_id=row.tenant_id,
        alert_id=row.alert_id,
        detected_at=detected,
        aware_at=aware,
        breach_start=_utc(row.breach_start),
        breach_end=_utc(row.breach_end),
        opened_by=row.opened_by,
        updated_at=updated,
        flags=tuple(f for f in row.flags.split(",") if f),
        review=row.review,
        impact=json.loads(row.impact) if row.impact else None,
        closed_at=_utc(row.closed_at),
    )


def add(conn: Connection, incident: Incident) -> None:
    """Insert a new incident."""
    conn.execute(
        insert(incidents).values(
            id=incident.id,
            title=incident.title,
            severity=incident.severity,
            state=incident.state,
            tenant_id=incident.tenant_id,
            alert_id=incident.alert_id,
            detected_at=incident.detected_at,
            aware_at=incident.aware_at,
            breach_start=incident.breach_start,
            breach_end=incident.breach_end,
            opened_by=incident.opened_by,
            updated_at=incident.updated_at,
            flags=",".join(incident.flags),
            review=incident.review,
            impact=None,
            closed_at=None,
        )
    )


def get(conn: Connection, incident_id: str) -> Incident | None:
    """One incident, or None."""
    row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).first()
    return None if row is None else _incident(row)


def list_incidents(conn: Connection, states: Sequence[str] | None = None) -> list[Incident]:
    """Incidents, newest first, optionally only in ``states``."""
    query = select(incidents)
    if states:
        query = query.where(incidents.c.state.in_(list(states)))
    rows = conn.execute(query.order_by(incidents.c.detected_at.desc(), incidents.c.id.desc()))
    return [_incident(r) for r in rows]


def set_fields(conn: Connection, incident_id: str, **values: Any) -> None:
    """Update columns of an incident (``impact`` is given as a mapping)."""
    if "impact" in values and values["impact"] is not None:
        values["impact"] = json.dumps(values["impact"], sort_keys=True)
    if "flags" in values:
        values["flags"] = ",".join(values["flags"])
    conn.execute(update(incidents).where(incidents.c.id == incident_id).values(**values))


def append_timeline(
    conn: Connection,
    incident_id: str,
    ts: datetime,
    actor: str,
    kind: str,
    text: str,
    detail: dict[str, Any] | None = None,
) -> int:
    """Add an entry at the end of an incident's timeline; return its sequence number."""
    last = conn.execute(
        select(func.max(incident_timeline.c.seq)).where(
            incident_timeline.c.incident_id == incident_id
        )
    ).scalar()
    seq = int(last or 0) + 1
    conn.execute(
        insert(incident_timeline).values(
            incident_id=incident_id,
            seq=seq,
            ts=ts,
            actor=actor,
            kind=kind,
            text=text,
            detail=json.dumps(detail or {}, sort_keys=True),
        )
    )
    return seq


def timeline(conn: Connection, incident_id: str) -> list[TimelineEntry]:
    """An incident's timeline, in order."""
    rows = conn.execute(
        select(incident_timeline)
        .where(incident_timeline.c.incident_id == incident_id)
        .order_by(incident_timeline.c.seq)
    )
    return [
        TimelineEntry(
            r.incident_id, r.seq, _utc(r.ts) or r.ts, r.actor, r.kind, r.text, json.loads(r.detail)
        )
        for r in rows
    ]


def add_member(conn: Connection, member: Member) -> None:
    """Add a team member in a role (no-op if already there)."""
    exists = conn.execute(
        select(incident_members.c.member).where(
            incident_members.c.incident_id == member.incident_id,
            incident_members.c.member == member.member,
            incident_members.c.role == member.role,
        )
    ).first()
    if exists is None:
        conn.execute(
            insert(incident_members).values(
                incident_id=member.incident_id,
                member=member.member,
                role=member.role,
                added_at=member.added_at,
                added_by=member.added_by,
            )
        )


def members(conn: Connection, incident_id: str) -> list[Member]:
    """The response team of an incident."""
    rows = conn.execute(
        select(incident_members)
        .where(incident_members.c.incident_id == incident_id)
        .order_by(incident_members.c.added_at, incident_members.c.member)
    )
    return [
        Member(r.incident_id, r.member, r.role, _utc(r.added_at) or r.added_at, r.added_by)
        for r in rows
    ]


def mark_notified(
    conn: Connection, incident_id: str, rule: str, at: datetime, actor: str, reference: str | None
) -> None:
    """Record that a notification duty was fulfilled (replaces an earlier record)."""
    c = incident_notifications.c
    conn.execute(delete(incident_notifications).where(c.incident_id == incident_id, c.rule == rule))
    conn.execute(
        insert(incident_notifications).values(
            incident_id=incident_id, rule=rule, notified_at=at, actor=actor, reference=reference
        )
    )


def notified(conn: Connection, incident_id: str) -> dict[str, datetime]:
    """Rule id → when it was notified, for one incident."""
    c = incident_notifications.c
    rows = conn.execute(select(c.rule, c.notified_at).where(c.incident_id == incident_id))
    return {rule: _utc(at) or at for rule, at in rows}


def freeze(conn: Connection, tenant_id: str, incident_id: str, actor: str, at: datetime) -> bool:
    """Freeze exports of a tenant; False if it was frozen already."""
    c = export_freezes.c
    if conn.execute(select(c.tenant_id).where(c.tenant_id == tenant_id)).first() is not None:
        return False
    conn.execute(
        insert(export_freezes).values(
            tenant_id=tenant_id, incident_id=incident_id, frozen_by=actor, frozen_at=at
        )
    )
    return True


def unfreeze(conn: Connection, tenant_id: str) -> bool:
    """Lift a tenant's export freeze; False if there was none."""
    result = conn.execute(delete(export_freezes).where(export_freezes.c.tenant_id == tenant_id))
    return bool(result.rowcount)


def frozen(conn: Connection, tenant_id: str) -> str | None:
    """The incident id that froze ``tenant_id``'s exports, or None."""
    c = export_freezes.c
    row = conn.execute(select(c.incident_id).where(c.tenant_id == tenant_id)).first()
    return None if row is None else str(row[0])
