"""Incident clocks, the breach register and notices.

Clocks are the regulation rules (:mod:`privault.incidents.clocks`) applied to
the stored impact; notices and letters are drafted from templates, letters
reading names and addresses through the gate (purpose breach-notification).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from privault.app import incident_reads as reads
from privault.app.incident_base import IncidentBase, utc
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput
from privault.incidents import clocks, notices, register
from privault.incidents import repository as repo
from privault.incidents.model import Incident


class NoticeOps(IncidentBase):
    """Clocks, register and notices of the incident service."""

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
        now = self._clock.now()
        return [clocks.countdown(o, now, tz) for o in self._obligations(incident, done)]

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
        when = utc(at) if at else self._clock.now()
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
