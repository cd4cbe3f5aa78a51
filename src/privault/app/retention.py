"""Retention use cases: legal holds, due records, destruction runs with certificates.

```
run ──▶ plan (rules per record type; anchors: updated_at, or a date field read
        through the gate for purpose "retention") ──▶ run + items stored
    ──▶ per batch: holds re-checked → subject wholly due? shred : delete records
        → items marked + "lifecycle.destroy" event (one unit of work)
    ──▶ certificate (Ed25519-signed) stored + "lifecycle.certificate" event
```

Invariants: a run's plan is stored before anything is destroyed, so a run
that stops half-way resumes where it stopped (``run`` again continues the
unfinished run); every step is idempotent (a record found gone is counted
as gone); a legal hold wins over every rule, also one placed mid-run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from privault.app.certificates import CertificateService, certificate_body
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput
from privault.core.ids import new_id
from privault.lifecycle import repository as repo
from privault.lifecycle.repository import DESTROYED, GONE, HELD, PENDING, Hold, Run, RunItem
from privault.lifecycle.retention import LAST_ACTIVITY, PolicyEntry, RetentionRule, resolve
from privault.vault import repository as vault_repo
from privault.vault.repository import Tenant

if TYPE_CHECKING:
    from privault.app.lifecycle import Deps

BatchHook = Callable[[int], None]
_PAGE = 500


@dataclass(frozen=True, slots=True)
class DueRecord:
    """A record whose retention ran out (ids and dates only, never values)."""

    record_id: str
    subject_id: str
    record_type: str
    rule: str
    due_on: date


@dataclass(frozen=True, slots=True)
class RunReport:
    """What a run did, or (dry run) would do."""

    run_id: str | None
    dry_run: bool
    resumed: bool
    due: tuple[DueRecord, ...]
    destroyed: int
    gone: int
    held: int
    certificate: dict[str, Any] | None


class RetentionService:
    """Legal holds, retention plans, destruction runs and their certificates."""

    def __init__(
        self, deps: Deps, certificates: CertificateService, policies: Sequence[PolicyEntry] = ()
    ) -> None:
        self._data, self._tenants, self._vault = deps.data, deps.tenants, deps.vault
        self._gate, self._audit, self._authz, self._clock = (
            deps.gate,
            deps.audit,
            deps.authz,
            deps.clock,
        )
        self._certs = certificates
        self.policies = tuple(policies)

    # -- legal holds ----------------------------------------------------------------
    def hold(
        self, ctx: RequestContext, tenant: str, reason: str, subject_id: str | None = None
    ) -> Hold:
        """Place a legal hold on a tenant or one subject: nothing held is destroyed."""
        if not reason.strip():
            raise InvalidInput("a legal hold needs a reason (a case or matter reference)")
        t = self._tenants.get(tenant)
        path = self._hold_path(t, subject_id)
        decision = self._authz.check(ctx, "lifecycle.hold", t.id, path)
        hold = Hold(
            new_id("hld"), t.id, subject_id, reason[:500], ctx.principal.id, self._clock.now()
        )
        with self._data.transaction() as conn:
            repo.add_hold(conn, hold)
            self._audit.write(
                conn,
                [self._audit.event(ctx, "lifecycle.hold", path, tenant_id=t.id, decision=decision)],
            )
        return hold

    def release(self, ctx: RequestContext, tenant: str, subject_id: str | None = None) -> int:
        """Release the holds on a tenant (or one subject); return how many were released."""
        t = self._tenants.get(tenant)
        path = self._hold_path(t, subject_id)
        decision = self._authz.check(ctx, "lifecycle.release", t.id, path)
        with self._data.transaction() as conn:
            count = repo.release_holds(conn, t.id, subject_id, ctx.principal.id, self._clock.now())
            event = self._audit.event(
                ctx, "lifecycle.release", path, tenant_id=t.id, decision=decision, released=count
            )
            self._audit.write(conn, [event])
        return count

    def holds(self, ctx: RequestContext, tenant: str) -> list[Hold]:
        """The active holds of a tenant."""
        t = self._tenants.get(tenant)
        self._authz.check(ctx, "lifecycle.read", t.id, f"tenants/{t.slug}/lifecycle")
        with self._data.transaction() as conn:
            return repo.active_holds(conn, t.id)

    def _hold_path(self, t: Tenant, subject_id: str | None) -> str:
        base = f"tenants/{t.slug}/lifecycle/holds"
        return base if subject_id is None else f"{base}/{self._audit.hmac(subject_id)}"

    # -- planning -------------------------------------------------------------------
    def rules(self, tenant: Tenant, policies: Sequence[PolicyEntry]) -> dict[str, RetentionRule]:
        """The retention rule of each record type of a tenant (types kept forever omitted)."""
        out = {}
        for schema, _version in self._tenants.schemas(tenant.id):
            rule = resolve(
                policies,
                tenant=tenant.slug,
                record_type=schema.record_type,
                category=schema.category,
                field_retentions={n: f.retention or "" for n, f in schema.fields.items()},
            )
            if rule is not None:
                if rule.after != LAST_ACTIVITY and schema.field(rule.after).type != "date":
                    raise InvalidInput(f"{rule.source}: {rule.after!r} is not a date field")
                out[schema.record_type] = rule
        return out

    def due(
        self, ctx: RequestContext, t: Tenant, policies: Sequence[PolicyEntry]
    ) -> list[DueRecord]:
        """Every record of a tenant due today (date-field anchors are read through the gate)."""
        today = self._clock.now().date()
        found: list[DueRecord] = []
        for rtype, rule in sorted(self.rules(t, policies).items()):
            after: str | None = None
            while True:
                with self._data.transaction() as conn:
                    ids = vault_repo.page_record_ids(conn, t.id, rtype, after, _PAGE)
                    stored = vault_repo.load_records(conn, t.id, ids) if ids else []
                if not ids:
                    break
                anchors = self._anchors(ctx, t, rule, stored)
                for rec in stored:
                    anchor = anchors.get(rec.id)
                    if anchor is not None and rule.is_due(anchor, today):
                        found.append(
                            DueRecord(
                                rec.id, rec.subject_id, rtype, rule.source, rule.due_on(anchor)
                            )
                        )
                after = ids[-1]
        return found

    def _anchors(
        self, ctx: RequestContext, t: Tenant, rule: RetentionRule, stored: list[Any]
    ) -> dict[str, date]:
        if rule.after == LAST_ACTIVITY:
            return {r.id: r.updated_at.date() for r in stored}
        with_field = [r.id for r in stored if rule.after in r.fields]
        if not with_field:
            return {}
        views = self._gate.read(
            ctx, t.id, with_field, purpose="retention", view="plain", fields=[rule.after]
        )
        return {
            v.id: date.fromisoformat(str(v.fields[rule.after]))
            for v in views
            if v.fields.get(rule.after)
        }

    # -- runs -------------------------------------------------------------------------
    def run(
        self,
        ctx: RequestContext,
        tenant: str,
        *,
        policies: Sequence[PolicyEntry] | None = None,
        dry_run: bool = False,
        batch_size: int = 500,
        on_batch: BatchHook | None = None,
    ) -> RunReport:
        """Destroy the due records of a tenant (or, dry run, list them); resumes a stopped run.

        Raises:
            InvalidInput: a bad batch size or policy.
            AccessDenied: the principal may not run the lifecycle.

        """
        if batch_size < 1:
            raise InvalidInput("the batch size must be at least 1")
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/lifecycle"
        decision = self._authz.check(ctx, "lifecycle.run", t.id, path)
        rules = self.policies if policies is None else tuple(policies)
        if dry_run:
            return self._dry_run(ctx, t, rules, decision)
        with self._data.transaction() as conn:
            run = repo.unfinished_run(conn, t.id)
        resumed = run is not None
        if run is None:
            run = self._start(ctx, t, rules, batch_size, decision)
        while True:
            with self._data.transaction() as conn:
                batch = repo.pending_items(conn, run.id, run.batch_size)
            if not batch:
                break
            self._destroy(ctx, t, run, batch, decision)
            if on_batch is not None:
                on_batch(len(batch))
        return self._finish(ctx, t, run, decision, resumed)

    def _dry_run(
        self, ctx: RequestContext, t: Tenant, rules: Sequence[PolicyEntry], decision: Any
    ) -> RunReport:
        due = self.due(ctx, t, rules)
        held = self._held(t, due)
        kept = tuple(d for d in due if d.record_id not in held)
        event = self._audit.event(
            ctx,
            "lifecycle.dry_run",
            f"tenants/{t.slug}/lifecycle",
            tenant_id=t.id,
            decision=decision,
            due=len(kept),
            held=len(held),
        )
        self._audit.write_now([event])
        return RunReport(None, True, False, kept, 0, 0, len(held), None)

    def _held(self, t: Tenant, items: Sequence[DueRecord | RunItem]) -> set[str]:
        """Record ids among ``items`` that an active legal hold keeps."""
        with self._data.transaction() as conn:
            holds = repo.active_holds(conn, t.id)
        if any(h.subject_id is None for h in holds):
            return {i.record_id for i in items}
        subjects = {h.subject_id for h in holds}
        return {i.record_id for i in items if i.subject_id in subjects}

    def _start(
        self,
        ctx: RequestContext,
        t: Tenant,
        rules: Sequence[PolicyEntry],
        batch_size: int,
        decision: Any,
    ) -> Run:
        due = self.due(ctx, t, rules)
        held = self._held(t, due)
        run = Run(
            new_id("lrn"),
            t.id,
            "running",
            ctx.principal.id,
            batch_size,
            self._clock.now(),
            None,
            None,
        )
        items = [
            RunItem(
                d.record_id,
                d.subject_id,
                d.record_type,
                d.rule,
                d.due_on,
                HELD if d.record_id in held else PENDING,
                None,
            )
            for d in due
        ]
        with self._data.transaction() as conn:
            repo.add_run(conn, run, items)
            event = self._audit.event(
                ctx,
                "lifecycle.run",
                f"tenants/{t.slug}/lifecycle/runs/{run.id}",
                tenant_id=t.id,
                decision=decision,
                planned=len(items),
                held=len(held),
            )
            self._audit.write(conn, [event])
        return run

    def _destroy(
        self, ctx: RequestContext, t: Tenant, run: Run, batch: list[RunItem], decision: Any
    ) -> None:
        held = self._held(t, batch)
        todo = [i for i in batch if i.record_id not in held]
        destroyed: list[str] = []
        gone: list[str] = []
        shredded: list[str] = []
        for subject in sorted({i.subject_id for i in todo}):
            mine = [i.record_id for i in todo if i.subject_id == subject]
            with self._data.transaction() as conn:
                present = set(vault_repo.subject_record_ids(conn, t.id, subject))
                planned = repo.item_ids(conn, run.id, subject)
            if present <= planned:  # every record of the subject is due: crypto-shred it
                self._vault.shred(ctx, t.id, subject)
                shredded.append(self._audit.hmac(subject))
            else:
                for rid in mine:
                    if rid in present:
                        self._vault.delete(ctx, t.id, rid)
            destroyed += [r for r in mine if r in present]
            gone += [r for r in mine if r not in present]
        with self._data.transaction() as conn:
            event = self._audit.event(
                ctx,
                "lifecycle.destroy",
                f"tenants/{t.slug}/lifecycle/runs/{run.id}",
                tenant_id=t.id,
                decision=decision,
                records=destroyed,
                gone=gone,
                held=sorted(held),
                subjects_shredded=shredded,
                rules=sorted({i.rule for i in batch}),
            )
            self._audit.write(conn, [event])
            repo.mark_items(conn, run.id, destroyed, DESTROYED, event.id)
            repo.mark_items(conn, run.id, gone, GONE, event.id)
            repo.mark_items(conn, run.id, sorted(held), HELD, event.id)

    def _finish(
        self, ctx: RequestContext, t: Tenant, run: Run, decision: Any, resumed: bool
    ) -> RunReport:
        with self._data.transaction() as conn:
            items = repo.items(conn, run.id)
        now = self._clock.now()
        body = certificate_body(t, run, items, now)
        signed = self._certs.sign(body)
        with self._data.transaction() as conn:
            repo.add_certificate(conn, signed)
            repo.finish_run(conn, run.id, now, signed["id"])
            event = self._audit.event(
                ctx,
                "lifecycle.certificate",
                f"tenants/{t.slug}/lifecycle/certificates/{signed['id']}",
                tenant_id=t.id,
                decision=decision,
                run=run.id,
                counts=body["counts"],
            )
            self._audit.write(conn, [event])
        counts = body["counts"]
        return RunReport(
            run.id, False, resumed, (), counts["destroyed"], counts["gone"], counts["held"], signed
        )
