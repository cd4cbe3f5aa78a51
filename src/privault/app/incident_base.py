"""What every part of the incident service shares: dependencies, loading, checks, recording.

The service is split by capability (cases in :mod:`incidents`, containment,
clocks and notices, escalation); each part subclasses :class:`IncidentBase`
and :class:`~privault.app.incidents.IncidentService` combines them, so
``platform.incidents`` keeps one surface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from privault.access.policy import Decision
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.gate import Gate
from privault.app.identity import IdentityService
from privault.app.keys import KeyService
from privault.app.tenants import TenantService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput, NotFound
from privault.incidents import clocks
from privault.incidents import repository as repo
from privault.incidents.model import Incident
from privault.monitor.notifiers import Notifier
from privault.store.uow import UnitOfWork


def utc(ts: datetime) -> datetime:
    """``ts`` in UTC.

    Raises:
        InvalidInput: a naive time (no zone offset).
    """
    if ts.tzinfo is None:
        raise InvalidInput("times need a zone offset (e.g. 2026-01-31T08:00+01:00 or Z)")
    return ts.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class EscalationSetup:
    """Where the tick finds its matrix and the alert notifiers of monitor.yaml.

    Attributes:
        matrix_file: the installation's escalation.yaml (None or missing: the shipped one).
        notifiers: the monitor's notifiers, reached as ``notifier:monitor``.
    """

    matrix_file: Path | None = None
    notifiers: tuple[Notifier, ...] = field(default=())


class IncidentBase:
    """Dependencies and helpers of the incident service."""

    def __init__(  # noqa: PLR0913 - the eight collaborators plus the escalation setup
        self,
        data: UnitOfWork,
        auditor: Auditor,
        authz: Authorizer,
        tenants: TenantService,
        gate: Gate,
        identity: IdentityService,
        key_admin: KeyService,
        clock: Clock,
        escalation: EscalationSetup | None = None,
    ) -> None:
        self._data, self._audit, self._authz = data, auditor, authz
        self._tenants, self._gate, self._identity, self._keys = tenants, gate, identity, key_admin
        self._clock = clock
        self.rules: list[clocks.Rule] = clocks.load_rules()
        setup = escalation or EscalationSetup()
        self.escalation_file = setup.matrix_file
        self.alert_notifiers = setup.notifiers

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

    def _obligations(
        self, incident: Incident, done: dict[str, datetime]
    ) -> list[clocks.Obligation]:
        """The regulation duties of ``incident`` (``done``: rule id → when notified)."""
        facts = clocks.Facts.of(incident.impact, incident.flags, incident.severity)
        return clocks.obligations(self.rules, facts, incident.aware_at, done)
