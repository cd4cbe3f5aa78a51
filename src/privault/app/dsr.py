"""Data-subject requests: open, verify identity, act, extend, export; every step audited.

Each step (open, verify, start, complete, reject, extend, export) writes a
``dsr.<step>`` audit event and a row of the request's history in one unit
of work. The work of a request reuses the platform's own paths: the access
bundle is read through the gate (purpose ``dsr-access``), rectification is
``VaultService.update``, erasure is ``VaultService.shred`` plus a DELETE in
every SQL source mapped for erasure.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from privault.access.policy import Decision
from privault.app import dsr_sources
from privault.app.consent_store import ConsentService, check_subject
from privault.app.dsr_export import access_bundle, register_text
from privault.core.context import RequestContext
from privault.core.errors import Conflict, InvalidInput, NotFound
from privault.core.ids import new_id
from privault.discovery import repository as discovery_repo
from privault.lifecycle import deadlines
from privault.lifecycle import dsr as machine
from privault.lifecycle import dsr_repository as repo
from privault.lifecycle.consent import GPC_PURPOSES
from privault.lifecycle.dsr_repository import ErasureMapping, Request, Step
from privault.vault import repository as vault_repo
from privault.vault.repository import Tenant

if TYPE_CHECKING:
    from privault.app.lifecycle import Deps

ACCESS_PURPOSE = "dsr-access"


@dataclass(frozen=True, slots=True)
class Advanced:
    """A request after ``advance``, with the access bundle for access requests."""

    request: Request
    bundle: dict[str, Any] | None = None


class DsrService:
    """The data-subject request register and its workflow."""

    def __init__(self, deps: Deps, consent: ConsentService) -> None:
        self._d = deps
        self._consent = consent

    # -- helpers --------------------------------------------------------------------
    def _load(self, ctx: RequestContext, tenant: str, dsr_id: str, action: str) -> Any:
        t = self._d.tenants.get(tenant)
        decision = self._d.authz.check(ctx, action, t.id, f"tenants/{t.slug}/dsr/{dsr_id}")
        with self._d.data.transaction() as conn:
            req = repo.get_request(conn, t.id, dsr_id)
        if req is None:
            raise NotFound(f"no request {dsr_id} in tenant {t.slug}")
        return t, req, decision

    def _step(
        self,
        conn: Connection,
        ctx: RequestContext,
        t: Tenant,
        req: Request,
        action: str,
        decision: Decision,
        *,
        to_state: str | None = None,
        note: str = "",
        **changes: Any,
    ) -> Request:
        """Move ``req`` (audited, with a history row) and return it as stored."""
        state = to_state or req.state
        event = self._d.audit.event(
            ctx,
            f"dsr.{action}",
            f"tenants/{t.slug}/dsr/{req.id}",
            tenant_id=req.tenant_id,
            decision=decision,
            kind=req.kind,
            law=req.law,
            state=state,
        )
        self._d.audit.write(conn, [event])
        now = self._d.clock.now()
        repo.add_step(
            conn,
            Step(
                new_id("dst"),
                req.id,
                now,
                ctx.principal.id,
                action,
                req.state,
                state,
                note[:500],
                event.id,
            ),
        )
        if state in machine.CLOSED and req.state not in machine.CLOSED:
            changes["closed_at"] = now
        repo.update_request(conn, req.id, state=state, **changes)
        stored = {k: v for k, v in changes.items() if k != "result"}
        result = changes.get("result", req.result)
        return replace(
            req,
            state=state,
            result=result if isinstance(result, str) else json.dumps(result, sort_keys=True),
            **stored,
        )

    # -- workflow -------------------------------------------------------------------
    def open(
        self,
        ctx: RequestContext,
        tenant: str,
        subject_id: str,
        kind: str,
        *,
        law: str = "gdpr",
        received_on: date | None = None,
    ) -> Request:
        """Register a request; it waits for identity verification (state ``verifying``)."""
        kind, rule = machine.check_kind(kind), deadlines.law(law)
        check_subject(subject_id)
        t = self._d.tenants.get(tenant)
        decision = self._d.authz.check(ctx, "dsr.open", t.id, f"tenants/{t.slug}/dsr")
        now = self._d.clock.now()
        received = received_on or now.date()
        req = Request(
            new_id("dsr"), t.id, subject_id, kind, rule.name, "verifying", received,
            deadlines.due_date(rule, received), False, None, None, None, None,
            ctx.principal.id, now, None, "{}",
        )  # fmt: skip
        with self._d.data.transaction() as conn:
            repo.add_request(conn, req)
            path = f"tenants/{t.slug}/dsr/{req.id}"
            event = self._d.audit.event(
                ctx, "dsr.open", path, tenant_id=t.id, decision=decision, kind=kind, law=rule.name
            )
            self._d.audit.write(conn, [event])
            step = Step(
                new_id("dst"), req.id, now, ctx.principal.id, "open", None, req.state, "", event.id
            )
            repo.add_step(conn, step)
        return req

    def verify(
        self, ctx: RequestContext, tenant: str, dsr_id: str, *, method: str, note: str = ""
    ) -> Request:
        """Record who verified the requester's identity, and how."""
        method = machine.check_method(method)
        t, req, decision = self._load(ctx, tenant, dsr_id, "dsr.verify")
        state = machine.transition(req.state, "verify")
        with self._d.data.transaction() as conn:
            return self._step(conn, ctx, t, req, "verify", decision, to_state=state, note=note,
                verified_by=ctx.principal.id, verification_method=method,
                verified_at=self._d.clock.now(),
            )  # fmt: skip

    def reject(self, ctx: RequestContext, tenant: str, dsr_id: str, reason: str) -> Request:
        """Close a request without acting on it (e.g. identity not verified)."""
        t, req, decision = self._load(ctx, tenant, dsr_id, "dsr.reject")
        state = machine.transition(req.state, "reject")
        with self._d.data.transaction() as conn:
            return self._step(conn, ctx, t, req, "reject", decision, to_state=state, note=reason)

    def lift_restriction(
        self, ctx: RequestContext, tenant: str, dsr_id: str, reason: str, *, informed: bool
    ) -> Request:
        """Lift the processing restriction a completed restriction request put in place.

        GDPR Art. 18(3): the subject must be told before the restriction is
        lifted, so the caller confirms ``informed``; the reason is kept on the
        request's history and the lift is audited.

        Raises:
            InvalidInput: no reason, or the subject was not informed.
            Conflict: not a completed restriction request, or nothing to lift.

        """
        if not reason.strip():
            raise InvalidInput("lifting a restriction needs a reason")
        if not informed:
            raise InvalidInput(
                "tell the data subject before lifting the restriction (GDPR Art. 18(3)), "
                "then confirm that they were informed"
            )
        t, req, decision = self._load(ctx, tenant, dsr_id, "dsr.advance")
        if req.kind != "restriction" or req.state != "completed":
            raise Conflict(f"request {dsr_id} is not a completed restriction request")
        with self._d.data.transaction() as conn:
            if not repo.lift_restriction(conn, t.id, req.subject_id, self._d.clock.now()):
                raise Conflict(f"the restriction of request {dsr_id} was lifted already")
            return self._step(conn, ctx, t, req, "lift_restriction", decision, note=reason)

    def extend(self, ctx: RequestContext, tenant: str, dsr_id: str, reason: str) -> Request:
        """Extend the deadline once, as far as the request's law allows.

        Raises:
            Conflict: the request is closed or was extended already.
            InvalidInput: no reason given (the law requires telling the subject why).

        """
        if not reason.strip():
            raise InvalidInput("an extension needs a reason (it must be told to the subject)")
        t, req, decision = self._load(ctx, tenant, dsr_id, "dsr.extend")
        if req.state in machine.CLOSED or req.extended:
            raise Conflict(
                f"request {dsr_id} cannot be extended ({req.state}, extended={req.extended})"
            )
        due = deadlines.due_date(deadlines.law(req.law), req.received_on, extended=True)
        with self._d.data.transaction() as conn:
            return self._step(conn, ctx, t, req, "extend", decision, note=reason,
                extended=True, extension_reason=reason[:500], due_on=due,
            )  # fmt: skip

    def advance(
        self,
        ctx: RequestContext,
        tenant: str,
        dsr_id: str,
        *,
        record_id: str | None = None,
        changes: Mapping[str, Any] | None = None,
        connections: Mapping[str, str] | None = None,
    ) -> Advanced:
        """Carry out a verified request and complete it.

        An erasure with a source that failed stays in progress: advance it again.
        """
        t, req, decision = self._load(ctx, tenant, dsr_id, "dsr.advance")
        state = machine.transition(req.state, "start")
        if req.state != state:
            with self._d.data.transaction() as conn:
                req = self._step(conn, ctx, t, req, "start", decision, to_state=state)
        bundle: dict[str, Any] | None = None
        result: dict[str, Any] = {}
        done = True
        if req.kind == "access":
            bundle = self._bundle(ctx, t, req)
            result = {"records": len(bundle["records"])}
        elif req.kind == "rectification":
            result = self._rectify(ctx, t, req, record_id, changes)
        elif req.kind == "erasure":
            result, done = self._erase(ctx, t, req, connections or {})
        elif req.kind == "restriction":
            with self._d.data.transaction() as conn:
                repo.restrict(conn, t.id, req.subject_id, req.id, self._d.clock.now())
            result = {"restricted": True}
        else:  # opt_out_sale
            self._consent.set_many(
                ctx, t.id, req.subject_id, GPC_PURPOSES, "withdrawn", "dsr", req.id
            )
            result = {"opted_out": list(GPC_PURPOSES)}
        with self._d.data.transaction() as conn:
            to = machine.transition(req.state, "complete") if done else req.state
            req = self._step(
                conn,
                ctx,
                t,
                req,
                "complete" if done else "retry",
                decision,
                to_state=to,
                result=result,
            )
        return Advanced(req, bundle)

    def _rectify(
        self,
        ctx: RequestContext,
        t: Tenant,
        req: Request,
        record_id: str | None,
        changes: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        if not record_id or not changes:
            raise InvalidInput("a rectification needs the record id and the corrected fields")
        with self._d.data.transaction() as conn:
            owners = vault_repo.record_subjects(conn, t.id, [record_id])
        if owners.get(record_id) != req.subject_id:
            raise InvalidInput(f"record {record_id} is not a record of this request's subject")
        self._d.vault.update(ctx, t.id, record_id, changes)
        return {"record": record_id, "fields": sorted(changes)}

    def _erase(
        self, ctx: RequestContext, t: Tenant, req: Request, connections: Mapping[str, str]
    ) -> tuple[dict[str, Any], bool]:
        shred = self._d.vault.shred(ctx, t.id, req.subject_id)
        with self._d.data.transaction() as conn:
            maps = repo.mappings(conn, t.id)
        results = dsr_sources.erase(maps, req.subject_id, connections)
        vault = {
            "records_deleted": shred.records_deleted,
            "tokens_deleted": shred.tokens_deleted,
            "key_destroyed": shred.key_destroyed,
        }
        done = all(r.status == "deleted" for r in results)
        return {"vault": vault, "sources": [r.to_json() for r in results]}, done

    # -- access bundle ------------------------------------------------------------------
    def export(self, ctx: RequestContext, tenant: str, dsr_id: str) -> dict[str, Any]:
        """The access bundle of a verified access request (read through the gate, audited)."""
        t, req, decision = self._load(ctx, tenant, dsr_id, "dsr.export")
        if req.kind != "access" or req.state not in ("in_progress", "completed", "verified"):
            raise Conflict(f"request {dsr_id} is not a verified access request")
        bundle = self._bundle(ctx, t, req)
        with self._d.data.transaction() as conn:
            self._step(conn, ctx, t, req, "export", decision)
        return bundle

    def _bundle(self, ctx: RequestContext, t: Tenant, req: Request) -> dict[str, Any]:
        with self._d.data.transaction() as conn:
            ids = vault_repo.subject_record_ids(conn, t.id, req.subject_id)
            consent = repo.consent_changes(conn, t.id, req.subject_id)
            restricted = bool(repo.restricted(conn, t.id, [req.subject_id]))
            maps = repo.mappings(conn, t.id)
            others = [r for r in repo.list_requests(conn, t.id) if r.subject_id == req.subject_id]
        views = (
            self._d.gate.read(ctx, t.id, sorted(ids), purpose=ACCESS_PURPOSE, view="plain")
            if ids
            else []
        )
        return access_bundle(
            req,
            t.slug,
            self._d.clock.now(),
            views,
            consent,
            restricted=restricted,
            requests=others,
            mappings=maps,
        )

    # -- register, reminders, mappings ------------------------------------------------
    def list(
        self,
        ctx: RequestContext,
        tenant: str | None = None,
        *,
        due_within: int | None = None,
        open_only: bool = False,
    ) -> builtins.list[Request]:
        """Requests by due date; ``due_within`` days lists the open ones due soon (reminders)."""
        t = self._d.tenants.get(tenant) if tenant else None
        self._d.authz.check(
            ctx, "dsr.read", t.id if t else None, f"tenants/{t.slug}/dsr" if t else "dsr"
        )
        states = (
            [s for s in machine.STATES if s not in machine.CLOSED]
            if (open_only or due_within is not None)
            else None
        )
        due_by = None
        if due_within is not None:
            due_by = date.fromordinal(self._d.clock.now().date().toordinal() + due_within)
        with self._d.data.transaction() as conn:
            return repo.list_requests(conn, t.id if t else None, states=states, due_by=due_by)

    def steps(self, ctx: RequestContext, tenant: str, dsr_id: str) -> builtins.list[Step]:
        """A request's audited history, oldest first."""
        _t, req, _d = self._load(ctx, tenant, dsr_id, "dsr.read")
        with self._d.data.transaction() as conn:
            return repo.steps(conn, req.id)

    def register(self, ctx: RequestContext, tenant: str | None = None, fmt: str = "json") -> str:
        """The DSR register as JSON or CSV (ids, kinds, laws, states, dates, verifier)."""
        return register_text(self.list(ctx, tenant), fmt)

    def map_source(
        self, ctx: RequestContext, tenant: str, source: str, dataset: str, column: str
    ) -> ErasureMapping:
        """Map the subject-id column of a dataset discovery found (erasure reaches it)."""
        t = self._d.tenants.get(tenant)
        path = f"tenants/{t.slug}/dsr/sources"
        decision = self._d.authz.check(ctx, "dsr.map", t.id, path)
        with self._d.data.transaction() as conn:
            found = dsr_sources.check_mapping(
                discovery_repo.data_map(conn, t.id), source, dataset, column
            )
        mapping = ErasureMapping(
            t.id, source, found.name, column, ctx.principal.id, self._d.clock.now()
        )
        with self._d.data.transaction() as conn:
            repo.put_mapping(conn, mapping)
            self._d.audit.write(
                conn,
                [
                    self._d.audit.event(
                        ctx,
                        "dsr.map",
                        path,
                        tenant_id=t.id,
                        decision=decision,
                        source=source,
                        dataset=found.name,
                    )
                ],
            )
        return mapping

    def mappings(self, ctx: RequestContext, tenant: str) -> builtins.list[ErasureMapping]:
        """The SQL datasets erasure reaches."""
        t = self._d.tenants.get(tenant)
        self._d.authz.check(ctx, "dsr.read", t.id, f"tenants/{t.slug}/dsr/sources")
        with self._d.data.transaction() as conn:
            return repo.mappings(conn, t.id)
