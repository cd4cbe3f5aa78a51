"""Incident use cases: cases and lifecycle, impact from the trail, clocks, containment, notices.

Each call: authorize → act → audit (``incident.*`` events, ids only) and add a
timeline entry, in one unit of work. Impact reads the trail's gated reads of
the compromised principal, API key or source, maps records to subjects, and
reads jurisdictions through the gate (purpose ``incident-response``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from privault.access import repository as access_repo
from privault.access.policy import Decision
from privault.app import incident_reads as reads
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.gate import Gate
from privault.app.identity import IdentityService
from privault.app.keys import KeyService
from privault.app.tenants import TenantService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import Conflict, InvalidInput, NotFound
from privault.core.ids import new_id
from privault.incidents import clocks, notices, register
from privault.incidents import repository as repo
from privault.incidents.impact import (
    Selector,
    summarize,
)
from privault.incidents.model import (
    Incident,
    Member,
    TimelineEntry,
    check_flags,
    check_role,
    check_severity,
    check_transition,
)
from privault.monitor import repository as alert_repo
from privault.store.uow import UnitOfWork

CONTAINMENTS = (
    "disable-user",
    "revoke-sessions",
    "revoke-api-key",
    "rotate-keys",
    "freeze-exports",
)
IMPACT_PURPOSE = "incident-response"
NOTICE_PURPOSE = "breach-notification"


def _utc(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        raise InvalidInput("times need a zone offset (e.g. 2026-01-31T08:00+01:00 or Z)")
    return ts.astimezone(UTC)


class IncidentService:
    """Incident response and breach notification."""

    def __init__(
        self,
        data: UnitOfWork,
        auditor: Auditor,
        authz: Authorizer,
        tenants: TenantService,
        gate: Gate,
        identity: IdentityService,
        key_admin: KeyService,
        clock: Clock,
    ) -> None:
        self._data, self._audit, self._authz = data, auditor, authz
        self._tenants, self._gate, self._identity, self._keys = tenants, gate, identity, key_admin
        self._clock = clock
        self.rules: list[clocks.Rule] = clocks.load_rules()

    # -- helpers ------------------------------------------------------------------
    def _record(
        self,
        conn: Connection,
        ctx: RequestContext,
        decision: Decision,
        incident: Incident,
        kind: str,
        text: str,
        **detail: Any,
    ) -> None:
        """Audit ``incident.<kind>`` and add the timeline entry, in ``conn``'s transaction."""
        now = self._clock.now()
        repo.append_timeline(conn, incident.id, now, ctx.principal.id, kind, text, detail)
        repo.set_fields(conn, incident.id, updated_at=now)
        event = self._audit.event(
            ctx,
            f"incident.{kind}",
            f"incidents/{incident.id}",
            tenant_id=incident.tenant_id,
            decision=decision,
            **detail,
        )
        self._audit.write(conn, [event])

    def _load(self, conn: Connection, incident_id: str) -> Incident:
        found = repo.get(conn, incident_id)
        if found is None:
            raise NotFound(f"no incident {incident_id}")
        return found

    def _check(self, ctx: RequestContext, action: str, incident_id: str | None = None) -> Decision:
        path = f"incidents/{incident_id}" if incident_id else "incidents"
        return self._authz.check(ctx, action, None, path)

    # -- cases ----------------------------------------------------------------------
    def open(
        self,
        ctx: RequestContext,
        title: str,
        severity: str = "medium",
        *,
        alert_id: str | None = None,
        tenant: str | None = None,
        aware_at: datetime | None = None,
        breach: tuple[datetime | None, datetime | None] = (None, None),
        flags: Sequence[str] = (),
    ) -> Incident:
        """Open an incident by hand or from an alert (its severity, tenant and first sighting).

        Raises:
            NotFound: no such alert or tenant.
            InvalidInput: bad severity, flags or times (awareness before the breach began).
        """
        decision = self._check(ctx, "incident.open")
        breach_start, breach_end = breach
        now = self._clock.now()
        tenant_id = self._tenants.get(tenant).id if tenant else None
        detected = now
        with self._data.transaction() as conn:
            if alert_id is not None:
                alert = alert_repo.get_alert(conn, alert_id)
                if alert is None:
                    raise NotFound(f"no alert {alert_id}")
                title = title or alert.title
                severity, tenant_id = alert.severity, tenant_id or alert.tenant_id
                detected = alert.first_seen
                breach_start = breach_start or alert.first_seen
            aware = _utc(aware_at) if aware_at else now
            start = _utc(breach_start) if breach_start else None
            if start is not None and aware < start:
                raise InvalidInput("awareness cannot precede the start of the breach")
            incident = Incident(
                new_id("inc"),
                title or "untitled incident",
                check_severity(severity),
                "detected",
                tenant_id,
                alert_id,
                detected,
                aware,
                start,
                _utc(breach_end) if breach_end else None,
                ctx.principal.id,
                now,
                check_flags(list(flags)),
            )
            repo.add(conn, incident)
            self._record(
                conn,
                ctx,
                decision,
                incident,
                "open",
                f"opened ({severity})",
                severity=severity,
                alert=alert_id,
            )
        return incident

    def get(self, ctx: RequestContext, incident_id: str) -> Incident:
        """One incident.

        Raises:
            NotFound: no such incident.
        """
        self._check(ctx, "incident.read", incident_id)
        with self._data.transaction() as conn:
            return self._load(conn, incident_id)

    def list_incidents(
        self, ctx: RequestContext, states: Sequence[str] | None = None
    ) -> list[Incident]:
        """Incidents, newest first."""
        self._check(ctx, "incident.list")
        with self._data.transaction() as conn:
            return repo.list_incidents(conn, states)

    def timeline(self, ctx: RequestContext, incident_id: str) -> list[TimelineEntry]:
        """Every action on an incident, in order."""
        self._check(ctx, "incident.read", incident_id)
        with self._data.transaction() as conn:
            self._load(conn, incident_id)
            return repo.timeline(conn, incident_id)

    def team(self, ctx: RequestContext, incident_id: str) -> list[Member]:
        """The response team."""
        self._check(ctx, "incident.read", incident_id)
        with self._data.transaction() as conn:
            return repo.members(conn, incident_id)

    def advance(
        self, ctx: RequestContext, incident_id: str, state: str, *, review: str | None = None
    ) -> Incident:
        """Move to the next lifecycle state; closing needs a post-incident review.

        Raises:
            Conflict: the transition is not allowed.
            InvalidInput: unknown state, or closing without a review.
        """
        decision = self._check(ctx, "incident.update", incident_id)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            check_transition(incident.state, state)
            text = review or incident.review
            if state == "closed" and not (text and text.strip()):
                raise InvalidInput("closing an incident needs a post-incident review (--review)")
            now = self._clock.now()
            repo.set_fields(
                conn,
                incident_id,
                state=state,
                review=text,
                closed_at=now if state == "closed" else None,
            )
            self._record(
                conn,
                ctx,
                decision,
                incident,
                "advance",
                f"{incident.state} → {state}",
                previous=incident.state,
                state=state,
            )
            return self._load(conn, incident_id)

    def add_member(self, ctx: RequestContext, incident_id: str, member: str, role: str) -> None:
        """Add a response-team member in a role."""
        decision = self._check(ctx, "incident.update", incident_id)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            now = self._clock.now()
            repo.add_member(
                conn, Member(incident_id, member, check_role(role), now, ctx.principal.id)
            )
            self._record(
                conn,
                ctx,
                decision,
                incident,
                "team",
                f"{member} joined as {role}",
                member=member,
                role=role,
            )

    def note(self, ctx: RequestContext, incident_id: str, text: str) -> None:
        """Add a free-text note to the timeline (the audit event carries its HMAC only)."""
        decision = self._check(ctx, "incident.update", incident_id)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            self._record(conn, ctx, decision, incident, "note", text, note=self._audit.hmac(text))

    # -- impact ---------------------------------------------------------------------
    def assess(self, ctx: RequestContext, incident_id: str, selector: Selector) -> dict[str, Any]:
        """Compute and store the impact of the selected activity (see :mod:`incidents.impact`).

        Raises:
            InvalidInput: no principal, API key or source given; a window without zones.
        """
        if selector.principal is None and selector.api_key is None and selector.source is None:
            raise InvalidInput("name a principal, an API key or a source to assess")
        decision = self._check(ctx, "incident.assess", incident_id)
        sel = Selector(
            _utc(selector.since),
            _utc(selector.until),
            selector.principal,
            selector.api_key,
            selector.source,
        )
        with self._data.transaction() as conn:
            self._load(conn, incident_id)
            acc = reads.scan_trail(conn, sel)
        tenants = [
            reads.tenant_impact(self._data, self._tenants, self._gate, ctx, acc, t)
            for t in sorted(acc.reads)
        ]
        impact = summarize(acc, tenants)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            repo.set_fields(conn, incident_id, impact=impact)
            self._record(
                conn,
                ctx,
                decision,
                incident,
                "assess",
                f"impact: {impact['subjects']} subject(s), {impact['exposed_subjects']} exposed",
                subjects=impact["subjects"],
                exposed=impact["exposed_subjects"],
            )
        return impact

    # -- clocks and register ----------------------------------------------------------
    def clocks(
        self, ctx: RequestContext, incident_id: str, tz: str | None = None
    ) -> list[dict[str, Any]]:
        """Every notification duty of an incident with its countdown (times shown in ``tz``)."""
        self._check(ctx, "incident.read", incident_id)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            done = repo.notified(conn, incident_id)
        return self._clocks(incident, done, tz)

    def _clocks(
        self, incident: Incident, done: dict[str, datetime], tz: str | None
    ) -> list[dict[str, Any]]:
        facts = clocks.Facts.of(incident.impact, incident.flags, incident.severity)
        obs = clocks.obligations(self.rules, facts, incident.aware_at, done)
        now = self._clock.now()
        return [clocks.countdown(o, now, tz) for o in obs]

    def mark_notified(
        self,
        ctx: RequestContext,
        incident_id: str,
        rule: str,
        at: datetime | None = None,
        reference: str | None = None,
    ) -> None:
        """Record that a duty (rule id) was fulfilled at ``at`` (default: now)."""
        if rule not in {r.id for r in self.rules}:
            raise InvalidInput(f"unknown rule {rule!r}")
        decision = self._check(ctx, "incident.update", incident_id)
        when = _utc(at) if at else self._clock.now()
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            repo.mark_notified(conn, incident_id, rule, when, ctx.principal.id, reference)
            self._record(conn, ctx, decision, incident, "notified", f"{rule} notified", rule=rule)

    def register(self, ctx: RequestContext) -> list[dict[str, Any]]:
        """The breach register: one entry per incident, notified or not (Art. 33(5))."""
        self._check(ctx, "incident.register")
        with self._data.transaction() as conn:
            found = repo.list_incidents(conn)
            parts = [(i, repo.timeline(conn, i.id), repo.notified(conn, i.id)) for i in found]
        return [register.entry(i, tl, self._clocks(i, done, None)) for i, tl, done in parts]

    # -- containment --------------------------------------------------------------------
    def contain(self, ctx: RequestContext, incident_id: str, action: str, target: str) -> str:
        """Run a containment action (each service audits its own act) and put it on the timeline.

        Actions: disable-user USER, revoke-sessions USER, revoke-api-key KEY_ID,
        rotate-keys TENANT, freeze-exports TENANT.
        """
        if action not in CONTAINMENTS:
            raise InvalidInput(f"unknown containment {action!r}; valid: {', '.join(CONTAINMENTS)}")
        decision = self._check(ctx, "incident.contain", incident_id)
        with self._data.transaction() as conn:
            self._load(conn, incident_id)
        text = self._act(ctx, incident_id, action, target)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            self._record(
                conn,
                ctx,
                decision,
                incident,
                "containment",
                text,
                containment=action,
                target=target,
            )
        return text

    def _act(self, ctx: RequestContext, incident_id: str, action: str, target: str) -> str:
        if action == "disable-user":
            self._identity.disable(ctx, target.removeprefix("user:"))
            return f"disabled user {target} (sessions and API keys revoked)"
        if action == "revoke-sessions":
            user = self._identity.user(target.removeprefix("user:"))
            self._authz.check(ctx, "user.session.revoke", None, f"users/{user.username}")
            with self._data.transaction() as conn:
                n = access_repo.revoke_user_sessions(conn, user.id, self._clock.now())
            return f"revoked {n} session(s) of {user.username}"
        if action == "revoke-api-key":
            self._identity.revoke_api_key(ctx, target)
            return f"revoked API key {target}"
        tenant = self._tenants.get(target)
        if action == "rotate-keys":
            version = self._keys.rotate(ctx, tenant.slug)
            return f"rotated the keys of tenant {tenant.slug} (version {version})"
        with self._data.transaction() as conn:
            if not repo.freeze(conn, tenant.id, incident_id, ctx.principal.id, self._clock.now()):
                raise Conflict(f"exports of {tenant.slug} are frozen already")
        return f"froze exports of tenant {tenant.slug}"

    def unfreeze(self, ctx: RequestContext, incident_id: str, tenant: str) -> None:
        """Lift a tenant's export freeze (on the timeline)."""
        decision = self._check(ctx, "incident.contain", incident_id)
        t = self._tenants.get(tenant)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            if not repo.unfreeze(conn, t.id):
                raise NotFound(f"exports of {t.slug} are not frozen")
            self._record(
                conn,
                ctx,
                decision,
                incident,
                "containment",
                f"lifted the export freeze of {t.slug}",
                target=t.slug,
            )

    def is_frozen(self, tenant: str) -> bool:
        """Whether exports of ``tenant`` (id or slug) are frozen by an incident."""
        t = self._tenants.get(tenant)
        with self._data.transaction() as conn:
            return repo.frozen(conn, t.id) is not None

    # -- notices ------------------------------------------------------------------------
    def notice(
        self, ctx: RequestContext, incident_id: str, kind: str, *, contact: str, organisation: str
    ) -> str:
        """A draft notice (``authority`` or a generic ``individual`` letter) from the impact."""
        decision = self._check(ctx, "incident.notice", incident_id)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            measures = [t.text for t in repo.timeline(conn, incident_id) if t.kind == "containment"]
            text = notices.render(kind, notices.context(incident, measures, contact, organisation))
            self._record(
                conn, ctx, decision, incident, "notice", f"drafted {kind} notice", notice=kind
            )
        return text

    def letters(
        self, ctx: RequestContext, incident_id: str, *, contact: str, organisation: str
    ) -> list[tuple[str, str]]:
        """(subject id, letter) for every exposed subject; names and addresses via the gate."""
        decision = self._check(ctx, "incident.notice", incident_id)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            measures = [t.text for t in repo.timeline(conn, incident_id) if t.kind == "containment"]
        base = notices.context(incident, measures, contact, organisation)
        out: list[tuple[str, str]] = []
        for tenant_id, subjects in (incident.impact or {}).get("affected", {}).items():
            exposed = {sid: s["records"][0] for sid, s in subjects.items() if s["exposed"]}
            for sid, recipient in reads.recipients(
                self._tenants, self._gate, ctx, tenant_id, exposed
            ).items():
                out.append((sid, notices.render("individual", base, recipient)))
        with self._data.transaction() as conn:
            self._record(
                conn,
                ctx,
                decision,
                incident,
                "notice",
                f"drafted {len(out)} letter(s) to individuals",
                letters=len(out),
            )
        return out
