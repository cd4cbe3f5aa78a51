"""Reads for incident response: the trail scan behind impact, and gated reads of subjects.

The scan reads the audit table directly (only the columns it needs, in
batches) so that 1M events assess in seconds; jurisdictions and letter
recipients are read through the gate, never around it.
"""

from __future__ import annotations

import json
from datetime import UTC

from sqlalchemy import Connection, select

from privault.app.gate import Gate
from privault.app.tenants import TenantService
from privault.audit.tables import audit_events
from privault.core.context import RequestContext
from privault.incidents import notices
from privault.incidents.impact import (
    READ_ACTIONS,
    Accumulator,
    Selector,
    TenantImpact,
    jurisdiction,
    location_fields,
    resolve,
)
from privault.store.uow import UnitOfWork
from privault.vault import repository as vault_repo

IMPACT_PURPOSE = "incident-response"
NOTICE_PURPOSE = "breach-notification"


def scan_trail(conn: Connection, sel: Selector, batch: int = 20000) -> Accumulator:
    """Allowed gated reads in the window by the selected principal, key or source.

    Reads only the columns it needs, in batches; the source is prefiltered in
    SQL on the canonical detail JSON and checked again after parsing.
    """
    c = audit_events.c
    query = select(c.ts, c.tenant_id, c.actor, c.detail).where(
        c.action.in_(READ_ACTIONS), c.outcome == "allowed", c.ts >= sel.since, c.ts < sel.until
    )
    if sel.principal is not None:
        query = query.where(c.actor == sel.principal)
    if sel.api_key is not None:
        query = query.where(c.actor.endswith(f"/{sel.api_key}", autoescape=True))
    if sel.source is not None:
        query = query.where(
            c.detail.contains(
                json.dumps({"source": sel.source}, separators=(",", ":"))[1:-1], autoescape=True
            )
        )
    acc = Accumulator(sel)
    result = conn.execution_options(yield_per=batch).execute(query)
    loads = json.loads
    for ts, tenant_id, actor, detail in result:
        d = loads(detail)
        if sel.source is None or d.get("source") == sel.source:
            acc.add(tenant_id, ts if ts.tzinfo else ts.replace(tzinfo=UTC), actor, d)
    return acc


def tenant_impact(
    data: UnitOfWork,
    tenants: TenantService,
    gate: Gate,
    ctx: RequestContext,
    acc: Accumulator,
    tenant_id: str,
) -> TenantImpact:
    """Subjects, fields and jurisdictions (read through the gate) of one tenant's reads."""
    ids = sorted(acc.record_ids(tenant_id))
    with data.transaction() as conn:
        stored = vault_repo.load_records(conn, tenant_id, ids)
    meta = {r.id: (r.record_type, r.subject_id) for r in stored}
    schemas = {s.record_type: s for s, _v in tenants.schemas(tenant_id)}
    pii = {rt: {n: f.pii for n, f in s.fields.items()} for rt, s in schemas.items()}
    out = resolve(acc, tenant_id, meta, pii)
    for rtype, schema in schemas.items():
        country, state = location_fields(schema.fields)
        if country is None:
            continue
        first: dict[str, str] = {}
        for rid, (rt, sid) in meta.items():
            if rt == rtype and sid in out.subjects:
                first.setdefault(sid, rid)
        wanted = [f for f in (country, state) if f]
        for i in range(0, len(first), 500):
            chunk = list(first.values())[i : i + 500]
            for view in gate.read(
                ctx, tenant_id, chunk, purpose=IMPACT_PURPOSE, view="plain", fields=wanted
            ):
                c, s = view.fields.get(country), view.fields.get(state) if state else None
                out.subjects[view.subject_id].jurisdiction = jurisdiction(
                    str(c) if c else None, str(s) if s else None
                )
    return out


def recipients(
    tenants: TenantService, gate: Gate, ctx: RequestContext, tenant_id: str, records: dict[str, str]
) -> dict[str, dict[str, str]]:
    """Subject id → name and address, read through the gate (purpose breach-notification)."""
    schemas = {s.record_type: s for s, _v in tenants.schemas(tenant_id)}
    ids = list(records.values())
    out: dict[str, dict[str, str]] = {}
    for i in range(0, len(ids), 500):
        views = gate.read(ctx, tenant_id, ids[i : i + 500], purpose=NOTICE_PURPOSE, view="plain")
        for v in views:
            name_f, address_f = notices.recipient_fields(schemas[v.record_type].fields)
            out[v.subject_id] = notices.recipient(v.fields, name_f, address_f)
    return out
