"""Consent, processing restrictions, data-subject requests and erasure mappings.

Repositories never commit: the use case's unit of work does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from privault.core.clock import aware_row
from privault.lifecycle.tables import (
    consent_history,
    consent_state,
    dsr_requests,
    dsr_steps,
    erasure_mappings,
    restrictions,
)


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """One recorded choice: who chose what, for which purpose, when and how."""

    id: str
    tenant_id: str
    subject_id: str
    purpose: str
    decision: str
    method: str
    source: str
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Request:
    """A data-subject request."""

    id: str
    tenant_id: str
    subject_id: str
    kind: str
    law: str
    state: str
    received_on: date
    due_on: date
    extended: bool
    extension_reason: str | None
    verified_by: str | None
    verification_method: str | None
    verified_at: datetime | None
    created_by: str
    created_at: datetime
    closed_at: datetime | None
    result: str


@dataclass(frozen=True, slots=True)
class Step:
    """One audited step of a request."""

    id: str
    dsr_id: str
    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    note: str
    event_id: str


@dataclass(frozen=True, slots=True)
class ErasureMapping:
    """Which column of a discovered dataset holds the vault's subject id."""

    tenant_id: str
    source: str
    dataset: str
    subject_column: str
    created_by: str
    created_at: datetime


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


# -- consent ----------------------------------------------------------------------
def record_consent(conn: Connection, change: ConsentChange) -> None:
    """Append a choice to the history and make it the subject's current one."""
    conn.execute(insert(consent_history).values(**_fields(change)))
    c = consent_state.c
    key = (
        c.tenant_id == change.tenant_id,
        c.subject_id == change.subject_id,
        c.purpose == change.purpose,
    )
    conn.execute(delete(consent_state).where(*key))
    conn.execute(
        insert(consent_state).values(
            tenant_id=change.tenant_id,
            subject_id=change.subject_id,
            purpose=change.purpose,
            decision=change.decision,
            updated_at=change.at,
        )
    )


_WITHDRAWN = select(consent_state.c.subject_id, consent_state.c.purpose).where(
    consent_state.c.tenant_id == bindparam("tenant_id"),
    consent_state.c.subject_id.in_(bindparam("ids", expanding=True)),
    consent_state.c.decision == "withdrawn",
)


def withdrawn(conn: Connection, tenant_id: str, subject_ids: Iterable[str]) -> dict[str, set[str]]:
    """Subject → purposes whose current decision is ``withdrawn``."""
    ids = list(set(subject_ids))
    out: dict[str, set[str]] = {}
    for i in range(0, len(ids), 500):
        rows = conn.execute(_WITHDRAWN, {"tenant_id": tenant_id, "ids": ids[i : i + 500]})
        for subject, purpose in rows:
            out.setdefault(subject, set()).add(purpose)
    return out


def current_consent(
    conn: Connection, tenant_id: str, subject_id: str | None = None
) -> list[tuple[str, str, str, datetime]]:
    """(subject, purpose, decision, since) for a tenant or one subject."""
    c = consent_state.c
    query = select(c.subject_id, c.purpose, c.decision, c.updated_at).where(
        c.tenant_id == tenant_id
    )
    if subject_id is not None:
        query = query.where(c.subject_id == subject_id)
    rows = conn.execute(query.order_by(c.subject_id, c.purpose))
    return [(s, p, d, aware_row({"t": t})["t"]) for s, p, d, t in rows]


def consent_changes(
    conn: Connection, tenant_id: str, subject_id: str | None = None
) -> list[ConsentChange]:
    """The consent history, oldest first."""
    c = consent_history.c
    query = select(consent_history).where(c.tenant_id == tenant_id)
    if subject_id is not None:
        query = query.where(c.subject_id == subject_id)
    rows = conn.execute(query.order_by(c.at, c.id))
    return [ConsentChange(**aware_row(r._mapping)) for r in rows]


# -- restrictions -------------------------------------------------------------------
def restrict(conn: Connection, tenant_id: str, subject_id: str, dsr_id: str, at: datetime) -> None:
    """Put a subject under a processing restriction (again, if it was lifted)."""
    c = restrictions.c
    conn.execute(delete(restrictions).where(c.tenant_id == tenant_id, c.subject_id == subject_id))
    conn.execute(
        insert(restrictions).values(
            tenant_id=tenant_id, subject_id=subject_id, dsr_id=dsr_id, created_at=at
        )
    )


def lift_restriction(conn: Connection, tenant_id: str, subject_id: str, at: datetime) -> int:
    """Lift a subject's restriction; return 1 if there was one."""
    c = restrictions.c
    result = conn.execute(
        update(restrictions)
        .where(c.tenant_id == tenant_id, c.subject_id == subject_id, c.lifted_at.is_(None))
        .values(lifted_at=at)
    )
    return int(result.rowcount or 0)


_RESTRICTED = select(restrictions.c.subject_id).where(
    restrictions.c.tenant_id == bindparam("tenant_id"),
    restrictions.c.subject_id.in_(bindparam("ids", expanding=True)),
    restrictions.c.lifted_at.is_(None),
)


def restricted(conn: Connection, tenant_id: str, subject_ids: Iterable[str]) -> set[str]:
    """The subjects among ``subject_ids`` under an active restriction."""
    ids, out = list(set(subject_ids)), set()
    for i in range(0, len(ids), 500):
        rows = conn.execute(_RESTRICTED, {"tenant_id": tenant_id, "ids": ids[i : i + 500]})
        out |= {s for (s,) in rows}
    return out


# -- requests -------------------------------------------------------------------------
def add_request(conn: Connection, request: Request) -> None:
    """Store a new request."""
    conn.execute(insert(dsr_requests).values(**_fields(request)))


def get_request(conn: Connection, tenant_id: str, dsr_id: str) -> Request | None:
    """A request of a tenant by id."""
    row = conn.execute(
        select(dsr_requests).where(
            dsr_requests.c.tenant_id == tenant_id, dsr_requests.c.id == dsr_id
        )
    ).first()
    return None if row is None else Request(**aware_row(row._mapping))


def update_request(conn: Connection, dsr_id: str, **values: Any) -> None:
    """Change some columns of a request."""
    if "result" in values and not isinstance(values["result"], str):
        values["result"] = json.dumps(values["result"], sort_keys=True)
    conn.execute(update(dsr_requests).where(dsr_requests.c.id == dsr_id).values(**values))


def list_requests(
    conn: Connection,
    tenant_id: str | None,
    *,
    states: Iterable[str] | None = None,
    due_by: date | None = None,
) -> list[Request]:
    """Requests (of a tenant, or all), by due date; optionally in some states or due by a day."""
    c = dsr_requests.c
    query = select(dsr_requests)
    if tenant_id is not None:
        query = query.where(c.tenant_id == tenant_id)
    if states is not None:
        query = query.where(c.state.in_(list(states)))
    if due_by is not None:
        query = query.where(c.due_on <= due_by)
    rows = conn.execute(query.order_by(c.due_on, c.id))
    return [Request(**aware_row(r._mapping)) for r in rows]


def add_step(conn: Connection, step: Step) -> None:
    """Append a step to a request's history."""
    conn.execute(insert(dsr_steps).values(**_fields(step)))


def steps(conn: Connection, dsr_id: str) -> list[Step]:
    """A request's steps, oldest first."""
    rows = conn.execute(
        select(dsr_steps)
        .where(dsr_steps.c.dsr_id == dsr_id)
        .order_by(dsr_steps.c.at, dsr_steps.c.id)
    )
    return [Step(**aware_row(r._mapping)) for r in rows]


# -- erasure mappings --------------------------------------------------------------------
def put_mapping(conn: Connection, mapping: ErasureMapping) -> None:
    """Map (or re-map) a dataset's subject column."""
    c = erasure_mappings.c
    conn.execute(
        delete(erasure_mappings).where(
            c.tenant_id == mapping.tenant_id,
            c.source == mapping.source,
            c.dataset == mapping.dataset,
        )
    )
    conn.execute(insert(erasure_mappings).values(**_fields(mapping)))


def mappings(conn: Connection, tenant_id: str) -> list[ErasureMapping]:
    """A tenant's erasure mappings."""
    c = erasure_mappings.c
    rows = conn.execute(
        select(erasure_mappings).where(c.tenant_id == tenant_id).order_by(c.source, c.dataset)
    )
    return [ErasureMapping(**aware_row(r._mapping)) for r in rows]
