"""Escalation and reminders: acknowledge an incident, and the tick that notifies.

``tick`` (run by ``privault incident tick`` and every few minutes by
``privault serve``) plans with :mod:`privault.incidents.escalation`, sends
through the alert notifiers (named ones of the matrix, those of monitor.yaml,
and mail to people), then records every stage and delivery on the incident's
timeline and in the audit trail. Messages carry ids, severities, rule ids and
due times; the incident title only where the matrix allows it (``include_title``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from privault.access.policy import Decision
from privault.app.incident_base import IncidentBase
from privault.core.context import RequestContext
from privault.core.errors import ConfigurationError, Conflict
from privault.incidents import escalation as esc
from privault.incidents import repository as repo
from privault.incidents.matrix import MONITOR, Matrix, load_matrix, parse_matrix, shipped_text
from privault.incidents.model import Incident, Member
from privault.monitor.model import Alert
from privault.monitor.notifiers import build_notifier, wants

log = logging.getLogger(__name__)
SYSTEM_ACTOR = "system:incidents"


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """Who acknowledged an incident, when, and at which escalation level."""

    incident_id: str
    by: str
    at: datetime
    level: int


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one incident tick did."""

    incidents: int
    stages: int
    sent: int
    failed: int
    skipped: int


@dataclass(frozen=True, slots=True)
class _Delivery:
    target: str
    status: str
    error: str | None = None


class EscalationOps(IncidentBase):
    """Acknowledgement, escalation and clock reminders of the incident service."""

    def matrix(self) -> Matrix:
        """The escalation matrix in force (the installation's file, else the shipped one)."""
        return load_matrix(self.escalation_file, check_notifier=build_notifier)

    @staticmethod
    def check_matrix(text: str, source: str = "escalation matrix") -> Matrix:
        """Validate a matrix document (notifier options included).

        Raises:
            ConfigurationError: naming the unknown severity, role, notifier or option.
        """
        return parse_matrix(text, source, check_notifier=build_notifier)

    def matrix_text(self) -> tuple[str, str]:
        """(source, YAML text) of the matrix in force."""
        path = self.escalation_file
        if path is not None and path.is_file():
            return str(path), path.read_text(encoding="utf-8")
        return "shipped", shipped_text()

    def apply_matrix(self, ctx: RequestContext, text: str) -> Matrix:
        """Validate ``text`` and install it as this installation's matrix (audited).

        The file is written owner-only: webhook URLs and contact addresses are
        sensitive. The running server reads it at its next tick.

        Raises:
            ConfigurationError: an invalid matrix, or no installation file to write.
        """
        decision = self._check(ctx, "incident.matrix")
        matrix = self.check_matrix(text)
        path = self.escalation_file
        if path is None:
            raise ConfigurationError("this platform has no escalation matrix file")
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        with self._data.transaction() as conn:
            event = self._audit.event(
                ctx, "incident.matrix.apply", "incidents/escalation-matrix",
                tenant_id=None, decision=decision, sha256=hashlib.sha256(text.encode()).hexdigest(),
            )  # fmt: skip
            self._audit.write(conn, [event])
            os.replace(tmp, path)
        return matrix

    def ack(self, ctx: RequestContext, incident_id: str) -> Acknowledgement:
        """Acknowledge an incident: recorded (who, when) and escalation stops.

        Raises:
            NotFound: no such incident.
            Conflict: already acknowledged, or closed.
        """
        decision = self._check(ctx, "incident.ack", incident_id)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            memory = esc.Memory.of(repo.timeline(conn, incident_id))
            if memory.acked is not None:
                raise Conflict(
                    f"{incident_id} was acknowledged by {memory.acked.actor} "
                    f"at {memory.acked.ts.isoformat()}"
                )
            if incident.state == "closed":
                raise Conflict(f"{incident_id} is closed")
            level = sum(1 for k in memory.started if k.startswith("esc:"))
            self._record(
                conn, ctx, decision, incident, "ack",
                f"acknowledged by {ctx.principal.id} at level {level}", level=level,
            )  # fmt: skip
        return Acknowledgement(incident_id, ctx.principal.id, self._clock.now(), level)

    def escalation(self, ctx: RequestContext, incident_id: str) -> dict[str, Any]:
        """Escalation state: current level, acknowledgement, next level due, failed deliveries."""
        self._check(ctx, "incident.read", incident_id)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            memory = esc.Memory.of(repo.timeline(conn, incident_id))
        levels = self.matrix().levels.get(incident.severity, ())
        current = sum(1 for k in memory.started if k.startswith("esc:"))
        nxt = None
        if memory.acked is None and 0 < current < len(levels) and incident.state != "closed":
            window = levels[current - 1].ack_within
            nxt = memory.started[f"esc:{current - 1}"].ts + window if window else None
        return {
            "incident": incident_id,
            "severity": incident.severity,
            "level": current,
            "levels": len(levels),
            "acknowledged_by": memory.acked.actor if memory.acked else None,
            "acknowledged_at": memory.acked.ts.isoformat() if memory.acked else None,
            "next_level_at": nxt.isoformat() if nxt else None,
            "failed_deliveries": memory.failing,
        }

    def tick(self, ctx: RequestContext) -> TickReport:
        """Send what is due now for every open incident; idempotent.

        Raises:
            ConfigurationError: the installed matrix is invalid.
            Conflict: another tick is running.
        """
        decision = self._check(ctx, "incident.tick")
        matrix = self.matrix()
        with self._tick_lock():
            return self._tick(ctx, decision, matrix)

    @contextlib.contextmanager
    def _tick_lock(self) -> Iterator[None]:
        """One tick at a time per installation (serve's ticker, the CLI, the API).

        An advisory lock on a file beside the matrix: two ticks running at once
        could both send a stage before either recorded it.

        Raises:
            Conflict: another tick is running.
        """
        if self.escalation_file is None:
            yield
            return
        lock = self.escalation_file.with_name(".incident-tick.lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Conflict("another incident tick is running") from None
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _tick(self, ctx: RequestContext, decision: Decision, matrix: Matrix) -> TickReport:
        now = self._clock.now()
        with self._data.transaction() as conn:
            found = [i for i in repo.list_incidents(conn) if i.state != "closed"]
        totals = [0, 0, 0, 0]
        for incident in found:
            with self._data.transaction() as conn:
                timeline = repo.timeline(conn, incident.id)
                members = repo.members(conn, incident.id)
                done = repo.notified(conn, incident.id)
            memory = esc.Memory.of(timeline)
            stages = esc.escalation_stages(incident, memory, matrix, now)
            obligations = self._obligations(incident, done)
            stages += esc.reminder_stages(incident, obligations, memory, matrix, now)
            for stage in stages:
                targets = self._targets(stage, members, memory, now)
                if not targets and not stage.new:
                    continue
                alert = self._alert(incident, stage, matrix, now)
                sent = [self._deliver(t, alert, matrix) for t in targets]
                self._remember(ctx, decision, incident, stage, alert.title, sent)
                totals[0] += int(stage.new)
                for n, status in enumerate(("sent", "failed", "skipped"), 1):
                    totals[n] += sum(1 for d in sent if d.status == status)
        return TickReport(len(found), *totals)

    # -- helpers ------------------------------------------------------------------------
    def _targets(
        self, stage: esc.Stage, members: Sequence[Member], memory: esc.Memory, now: datetime
    ) -> list[str]:
        """Concrete targets: all of a new stage, the failed ones due a retry of a started one."""
        if not stage.new:
            return memory.failed(stage.key, now)
        out: list[str] = []
        for ref in stage.notify:
            if ref.startswith("role:"):
                role = ref.removeprefix("role:")
                found = sorted({m.member for m in members if m.role == role})
                out.extend(found or [ref])  # an empty role is recorded as skipped
            elif ref == MONITOR:
                out.extend(f"{MONITOR}#{i}" for i in range(len(self.alert_notifiers)))
                out.extend([] if self.alert_notifiers else [ref])
            else:
                out.append(ref)
        return list(dict.fromkeys(out))

    def _deliver(self, target: str, alert: Alert, matrix: Matrix) -> _Delivery:
        """Send ``alert`` to one target; failures are returned, never raised."""
        kind, _, name = target.partition(":")
        try:
            if kind == "role":
                return _Delivery(target, "skipped", "no team member in this role")
            if target == MONITOR:
                return _Delivery(target, "skipped", "monitor.yaml has no notifiers")
            if target.startswith(f"{MONITOR}#"):
                index = int(target.rsplit("#", 1)[1])
                if index >= len(self.alert_notifiers):
                    return _Delivery(target, "skipped", "no longer in monitor.yaml")
                notifier = self.alert_notifiers[index]
                if not wants(notifier, alert):
                    return _Delivery(target, "skipped", "below the notifier's minimum severity")
                notifier.send(alert)
            elif kind == "notifier":
                if name not in matrix.notifiers:
                    return _Delivery(target, "skipped", "no longer in the matrix")
                build_notifier(matrix.notifiers[name]).send(alert)
            else:
                address = matrix.contacts.get(target)
                if address is None or matrix.mail is None:
                    why = "no contact address" if address is None else "no mail transport"
                    return _Delivery(target, "failed", why)
                build_notifier({"type": "email", **matrix.mail, "recipients": [address]}).send(
                    alert
                )
        except Exception as exc:  # any notifier failure is recorded and retried, never raised
            log.warning("incident notification to %s failed: %s", target, type(exc).__name__)
            return _Delivery(target, "failed", type(exc).__name__)
        return _Delivery(target, "sent")

    def _alert(self, incident: Incident, stage: esc.Stage, matrix: Matrix, now: datetime) -> Alert:
        """The message of a stage, as an alert for the notifiers (ids and times only)."""
        detail: dict[str, Any] = {"incident": incident.id, "stage": stage.key}
        severity = incident.severity
        if stage.kind == "escalation":
            rule = "incident-escalation"
            why = "opened" if stage.level == 0 else "not acknowledged"
            title = (f"incident {incident.id} ({incident.severity}, {incident.state}) {why}: "
                     f"level {stage.level + 1} of {stage.levels}")  # fmt: skip
            detail["acknowledge"] = f"privault incident ack {incident.id}"
        else:
            assert stage.due is not None and stage.rule is not None
            rule = "incident-clock"
            ob = next(r for r in self.rules if r.id == stage.rule)
            left = esc.remaining(stage.due, now)
            late = stage.due <= now
            severity = "critical" if late else severity
            title = (f"{'OVERDUE: ' if late else ''}incident {incident.id}: {ob.regulation} "
                     f"duty {ob.id} due {stage.due.isoformat()} ({left})")  # fmt: skip
            detail.update(rule=ob.id, basis=ob.basis, audience=ob.audience,
                          due=stage.due.isoformat(), remaining=left)  # fmt: skip
        if matrix.include_title:
            title = f"{title} - {incident.title}"
        return Alert(
            incident.id, rule, severity, "open", incident.tenant_id, SYSTEM_ACTOR, stage.key,
            incident.id, title, detail, (), 1, None, now, now, now,
        )  # fmt: skip

    def _remember(
        self,
        ctx: RequestContext,
        decision: Decision,
        incident: Incident,
        stage: esc.Stage,
        text: str,
        sent: Sequence[_Delivery],
    ) -> None:
        """Record a stage (if new) and its deliveries on the timeline and in the audit trail."""
        with self._data.transaction() as conn:
            if stage.new:
                self._record(conn, ctx, decision, incident, stage.kind, text,
                             stage=stage.key, targets=list(stage.notify))  # fmt: skip
            for d in sent:
                note = f" ({d.error})" if d.error else ""
                self._record(
                    conn, ctx, decision, incident, "notify",
                    f"{d.status}: {stage.key} to {d.target}{note}",
                    key=esc.delivery_key(stage.key, d.target), stage=stage.key,
                    target=d.target, status=d.status, error=d.error,
                )  # fmt: skip
