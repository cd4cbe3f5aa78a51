"""The alert desk: list, read and work alerts, tenant by tenant.

Reading alerts needs ``audit.alert.list`` (granted globally: alerts are
about principals, who act across tenants); changing one goes through
:meth:`~privault.app.monitoring.MonitorService.transition`, which decides
``audit.alert.update`` and audits the change with the note's HMAC.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from privault.app.authz import Authorizer
from privault.app.monitoring import MonitorService
from privault.app.tenants import TenantService
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput, NotFound
from privault.monitor import repository as repo
from privault.monitor.model import ACTIVE_STATES, SEVERITIES, STATES, Alert, severity_rank
from privault.store.uow import UnitOfWork

__all__ = ["ACTIONS", "AlertDesk"]

ACTIONS = {"acknowledge": "acknowledged", "resolve": "resolved", "false-positive": "false_positive"}


class AlertDesk:
    """Alerts as the API and the dashboard show them."""

    def __init__(
        self, data: UnitOfWork, authz: Authorizer, tenants: TenantService, monitor: MonitorService
    ) -> None:
        self._data, self._authz, self._tenants, self._monitor = data, authz, tenants, monitor

    def list(
        self,
        ctx: RequestContext,
        *,
        tenant_id: str | None = None,
        states: Sequence[str] = (),
        min_severity: str | None = None,
        limit: int = 100,
    ) -> list[Alert]:
        """Alerts, newest sighting first; empty ``states`` means every state.

        Raises:
            AccessDenied: ``audit.alert.list`` denied.
            InvalidInput: an unknown state or severity.
        """
        self._authz.check(ctx, "audit.alert.list", None, "alerts")
        unknown = sorted(set(states) - set(STATES))
        if unknown:
            raise InvalidInput(f"unknown alert state(s); valid: {', '.join(STATES)}")
        if min_severity:
            severity_rank(min_severity)
        with self._data.transaction() as conn:
            return repo.list_alerts(
                conn,
                states=list(states) or None,
                tenant_id=tenant_id,
                min_severity=min_severity or None,
                limit=limit,
            )

    def get(self, ctx: RequestContext, alert_id: str) -> Alert:
        """One alert.

        Raises:
            AccessDenied: ``audit.alert.list`` denied.
            NotFound: no such alert.
        """
        self._authz.check(ctx, "audit.alert.list", None, f"alerts/{alert_id}")
        with self._data.transaction() as conn:
            alert = repo.get_alert(conn, alert_id)
        if alert is None:
            raise NotFound(f"no alert {alert_id[:40]!r}")
        return alert

    def act(self, ctx: RequestContext, alert_id: str, action: str, note: str | None) -> Alert:
        """Acknowledge, resolve or mark a false positive (audited; the note is HMACed).

        Raises:
            InvalidInput: an unknown action.
            NotFound: no such alert.
            Conflict: the alert's state does not allow it.
            AccessDenied: denied.
        """
        state = ACTIONS.get(action)
        if state is None:
            raise InvalidInput(f"unknown action; valid: {', '.join(ACTIONS)}")
        self.get(ctx, alert_id)
        return self._monitor.transition(ctx, alert_id, state, note or None)

    def open_by_severity(self, ctx: RequestContext) -> dict[str, int]:
        """Open and acknowledged alerts per severity (every severity, zero included)."""
        alerts = self.list(ctx, states=ACTIVE_STATES, limit=1000)
        counts = Counter(a.severity for a in alerts)
        return {s: counts[s] for s in SEVERITIES}

    def tenant_names(self, ctx: RequestContext) -> dict[str, str]:
        """Tenant id → slug of the tenants ``ctx`` may see (to label alerts)."""
        return {t.id: t.slug for t in self._tenants.visible(ctx)}
