"""Retention storage: legal holds, destruction runs and their items, certificates.

Repositories never commit: the use case's unit of work does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from privault.core.clock import aware_row
from privault.lifecycle.tables import certificates, holds, run_items, runs

PENDING, DESTROYED, GONE, HELD = "pending", "destroyed", "gone", "held"


@dataclass(frozen=True, slots=True)
class Hold:
    """A legal hold on a tenant (``subject_id`` None) or on one data subject."""

    id: str
    tenant_id: str
    subject_id: str | None
    reason: str
    created_by: str
    created_at: datetime
    released_by: str | None = None
    released_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """A destruction run: its progress lives in its items."""

    id: str
    tenant_id: str
    status: str
    actor: str
    batch_size: int
    started_at: datetime
    finished_at: datetime | None
    certificate_id: str | None


@dataclass(frozen=True, slots=True)
class RunItem:
    """One record a run destroys (or found gone, or held back)."""

    record_id: str
    subject_id: str
    record_type: str
    rule: str
    due_on: date
    status: str
    event_id: str | None


# -- legal holds ----------------------------------------------------------------
def add_hold(conn: Connection, hold: Hold) -> None:
    """Store a new hold."""
    conn.execute(insert(holds).values(**_fields(hold)))


def release_holds(
    conn: Connection, tenant_id: str, subject_id: str | None, by: str, at: datetime
) -> int:
    """Release the active holds on a tenant (or on one subject); return how many."""
    c = holds.c
    subject = c.subject_id.is_(None) if subject_id is None else c.subject_id == subject_id
    result = conn.execute(
        update(holds)
        .where(c.tenant_id == tenant_id, subject, c.released_at.is_(None))
        .values(released_by=by, released_at=at)
    )
    return int(result.rowcount or 0)


def active_holds(conn: Connection, tenant_id: str) -> list[Hold]:
    """Holds of a tenant that were not released."""
    rows = conn.execute(
        select(holds)
        .where(holds.c.tenant_id == tenant_id, holds.c.released_at.is_(None))
        .order_by(holds.c.created_at, holds.c.id)
    )
    return [Hold(**aware_row(r._mapping)) for r in rows]


# -- runs -----------------------------------------------------------------------
def add_run(conn: Connection, run: Run, items: Sequence[RunItem]) -> None:
    """Store a run and its planned items."""
    conn.execute(insert(runs).values(**_fields(run)))
    for i in range(0, len(items), 500):
        conn.execute(
            insert(run_items), [{"run_id": run.id, **_fields(it)} for it in items[i : i + 500]]
        )


def unfinished_run(conn: Connection, tenant_id: str) -> Run | None:
    """The tenant's run that has not finished, if any (a re-run resumes it)."""
    row = conn.execute(
        select(runs)
        .where(runs.c.tenant_id == tenant_id, runs.c.status == "running")
        .order_by(runs.c.started_at)
    ).first()
    return None if row is None else Run(**aware_row(row._mapping))


def get_run(conn: Connection, run_id: str) -> Run | None:
    """A run by id."""
    row = conn.execute(select(runs).where(runs.c.id == run_id)).first()
    return None if row is None else Run(**aware_row(row._mapping))


def pending_items(conn: Connection, run_id: str, limit: int) -> list[RunItem]:
    """The next ``limit`` items still to do, in record id order."""
    rows = conn.execute(
        select(run_items)
        .where(run_items.c.run_id == run_id, run_items.c.status == PENDING)
        .order_by(run_items.c.record_id)
        .limit(limit)
    )
    return [_item(r) for r in rows]


def items(conn: Connection, run_id: str) -> list[RunItem]:
    """Every item of a run."""
    rows = conn.execute(
        select(run_items).where(run_items.c.run_id == run_id).order_by(run_items.c.record_id)
    )
    return [_item(r) for r in rows]


def item_ids(conn: Connection, run_id: str, subject_id: str) -> set[str]:
    """Record ids a run holds for one subject (any status)."""
    rows = conn.execute(
        select(run_items.c.record_id).where(
            run_items.c.run_id == run_id, run_items.c.subject_id == subject_id
        )
    )
    return {r for (r,) in rows}


def mark_items(
    conn: Connection, run_id: str, record_ids: Sequence[str], status: str, event_id: str | None
) -> None:
    """Set the status (and the audit event) of some items."""
    for i in range(0, len(record_ids), 500):
        conn.execute(
            update(run_items)
            .where(
                run_items.c.run_id == run_id,
                run_items.c.record_id.in_(list(record_ids[i : i + 500])),
            )
            .values(status=status, event_id=event_id)
        )


def finish_run(conn: Connection, run_id: str, at: datetime, certificate_id: str) -> None:
    """Close a run with its certificate."""
    conn.execute(
        update(runs)
        .where(runs.c.id == run_id)
        .values(status="done", finished_at=at, certificate_id=certificate_id)
    )


def count_runs(conn: Connection, tenant_id: str) -> int:
    """How many runs a tenant has had."""
    return int(
        conn.execute(
            select(func.count()).select_from(runs).where(runs.c.tenant_id == tenant_id)
        ).scalar_one()
    )


# -- certificates -------------------------------------------------------------------
def add_certificate(conn: Connection, body: dict[str, Any]) -> None:
    """Store a signed certificate (its JSON body as issued)."""
    conn.execute(
        insert(certificates).values(
            id=body["id"],
            tenant_id=body["tenant_id"],
            run_id=body["run_id"],
            issued_at=datetime.fromisoformat(body["issued_at"]),
            body=json.dumps(body, sort_keys=True),
        )
    )


def get_certificate(conn: Connection, tenant_id: str, cert_id: str) -> dict[str, Any] | None:
    """A certificate by id (or by its run's id)."""
    c = certificates.c
    row = conn.execute(
        select(c.body).where(c.tenant_id == tenant_id, (c.id == cert_id) | (c.run_id == cert_id))
    ).first()
    return None if row is None else dict(json.loads(row[0]))


def list_certificates(conn: Connection, tenant_id: str) -> list[dict[str, Any]]:
    """Every certificate of a tenant, oldest first."""
    rows = conn.execute(
        select(certificates.c.body)
        .where(certificates.c.tenant_id == tenant_id)
        .order_by(certificates.c.issued_at)
    )
    return [dict(json.loads(b)) for (b,) in rows]


def _item(row: Any) -> RunItem:
    m = row._mapping
    return RunItem(
        m["record_id"],
        m["subject_id"],
        m["record_type"],
        m["rule"],
        m["due_on"],
        m["status"],
        m["event_id"],
    )


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}
