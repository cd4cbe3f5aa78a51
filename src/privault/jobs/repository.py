"""Job rows: insert, update state and progress, read back (no commits here)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from privault.core.clock import as_utc
from privault.jobs.tables import jobs

KINDS: tuple[str, ...] = ("scan", "mask")
STATES: tuple[str, ...] = ("queued", "running", "done", "failed")
ACTIVE: tuple[str, ...] = ("queued", "running")


@dataclass(frozen=True, slots=True)
class JobRow:
    """One background job.

    Attributes:
        id: ``job_…``.
        kind: ``scan`` or ``mask``.
        tenant_id: the tenant it works for.
        actor: principal id of who started it.
        status: queued, running, done or failed.
        progress: 0.0 to 1.0.
        params: what was asked (sources, destinations, options; no secrets).
        summary: counts and names of the result (None until done).
        error_code: stable code of the failure (``interrupted``, ``invalid_input``…).
        error: the failure's message (error messages never hold values).
    """

    id: str
    kind: str
    tenant_id: str
    actor: str
    status: str
    progress: float
    params: dict[str, Any]
    summary: dict[str, Any] | None
    error_code: str | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


_ROW_COLUMNS = [c for c in jobs.c if c.name != "results"]


def _row(r: Any) -> JobRow:
    m = r._mapping
    return JobRow(
        id=m["id"],
        kind=m["kind"],
        tenant_id=m["tenant_id"],
        actor=m["actor"],
        status=m["status"],
        progress=float(m["progress"]),
        params=json.loads(m["params"]),
        summary=json.loads(m["summary"]) if m["summary"] else None,
        error_code=m["error_code"],
        error=m["error"],
        created_at=m["created_at"].replace(tzinfo=m["created_at"].tzinfo or UTC),
        started_at=as_utc(m["started_at"]),
        finished_at=as_utc(m["finished_at"]),
    )


def add(conn: Connection, row: JobRow) -> None:
    """Insert a new job row."""
    conn.execute(
        insert(jobs).values(
            id=row.id,
            kind=row.kind,
            tenant_id=row.tenant_id,
            actor=row.actor,
            status=row.status,
            progress=row.progress,
            params=json.dumps(row.params, sort_keys=True),
            created_at=row.created_at,
        )
    )


def get(conn: Connection, job_id: str) -> JobRow | None:
    """One job by id."""
    found = conn.execute(select(*_ROW_COLUMNS).where(jobs.c.id == job_id)).first()
    return None if found is None else _row(found)


def page(
    conn: Connection, tenant_id: str, kind: str, after: str | None, limit: int
) -> list[JobRow]:
    """A tenant's jobs of one kind, newest first (ids sort by time), after a cursor."""
    query = select(*_ROW_COLUMNS).where(jobs.c.tenant_id == tenant_id, jobs.c.kind == kind)
    if after:
        query = query.where(jobs.c.id < after)
    rows = conn.execute(query.order_by(jobs.c.id.desc()).limit(limit))
    return [_row(r) for r in rows]


def results(conn: Connection, job_id: str) -> list[dict[str, Any]]:
    """The stored result rows of a job (scan findings); empty when none."""
    raw = conn.execute(select(jobs.c.results).where(jobs.c.id == job_id)).scalar()
    found: list[dict[str, Any]] = json.loads(raw) if raw else []
    return found


def set_running(conn: Connection, job_id: str, now: datetime) -> None:
    """Mark a queued job running."""
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == "queued")
        .values(status="running", started_at=now)
    )


def set_progress(conn: Connection, job_id: str, progress: float) -> None:
    """Record progress of a running job."""
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == "running")
        .values(progress=max(0.0, min(progress, 1.0)))
    )


def finish(
    conn: Connection,
    job_id: str,
    now: datetime,
    summary: dict[str, Any],
    rows: Sequence[dict[str, Any]],
) -> None:
    """Mark a job done with its summary and result rows."""
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id)
        .values(
            status="done",
            progress=1.0,
            finished_at=now,
            summary=json.dumps(summary, sort_keys=True, default=str),
            results=json.dumps(list(rows), sort_keys=True, default=str),
        )
    )


def fail(conn: Connection, job_id: str, now: datetime, code: str, message: str) -> None:
    """Mark a job failed with a stable code and a value-free message."""
    conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id)
        .values(status="failed", finished_at=now, error_code=code[:40], error=message[:300])
    )


def interrupt_active(conn: Connection, now: datetime) -> int:
    """Mark every queued or running job failed (``interrupted``); return how many."""
    result = conn.execute(
        update(jobs)
        .where(jobs.c.status.in_(ACTIVE))
        .values(
            status="failed",
            finished_at=now,
            error_code="interrupted",
            error="the server stopped before the job finished; start it again",
        )
    )
    return int(result.rowcount or 0)
