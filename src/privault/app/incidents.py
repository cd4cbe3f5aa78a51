"""Incident use cases: cases and their lifecycle, team, notes and impact from the trail.

Each call: authorize → act → audit (``incident.*`` events, ids only) and add a
timeline entry, in one unit of work. Impact reads the trail's gated reads of
the compromised principal, API key or source, maps records to subjects, and
reads jurisdictions through the gate (purpose ``incident-response``).

The service is assembled from parts, one module each: containment
(:mod:`incident_containment`), clocks, register and notices
(:mod:`incident_notices`), acknowledgement, escalation and reminders
(:mod:`incident_escalation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from privault.app import incident_reads as reads
from privault.app.incident_base import utc
from privault.app.incident_containment import CONTAINMENTS, ContainmentOps
from privault.app.incident_escalation import Acknowledgement, EscalationOps, TickReport
from privault.app.incident_notices import NoticeOps
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput, NotFound
from privault.core.ids import new_id
from privault.incidents import repository as repo
from privault.incidents.impact import Selector, summarize
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

__all__ = [
    "CONTAINMENTS",
    "IMPACT_PURPOSE",
    "NOTICE_PURPOSE",
    "Acknowledgement",
    "IncidentService",
    "TickReport",
]

IMPACT_PURPOSE = reads.IMPACT_PURPOSE
NOTICE_PURPOSE = reads.NOTICE_PURPOSE


class IncidentService(ContainmentOps, NoticeOps, EscalationOps):
    """Incident response and breach notification (cases here; the rest in its parts)."""

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
            aware = utc(aware_at) if aware_at else now
            start = utc(breach_start) if breach_start else None
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
                utc(breach_end) if breach_end else None,
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
            utc(selector.since),
            utc(selector.until),
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
