"""Monitoring use cases: alerts, notifiers, responses, honeytokens, replay.

Live evaluation of the rules (inline or on a background thread, from a
stored cursor, exactly once) is in :mod:`privault.app.monitor_live`.

```
committed events ──▶ LiveRules ──▶ new alert ──▶ notifiers ──▶ response (lock / revoke)
```

Invariant: a gated read of a honeytoken returns only after its alert email
was handed to the SMTP server (see :mod:`privault.app.auditing`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from privault.access import repository as access_repo
from privault.access.policy import Decision
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.identity import IdentityService
from privault.app.monitor_live import LiveRules, StaticFacts, observation
from privault.app.tenants import TenantService
from privault.app.vault import VaultService
from privault.audit import repository as audit_repo
from privault.audit.chain import SealedEvent
from privault.core.clock import Clock
from privault.core.context import Principal, RequestContext
from privault.core.errors import NotFound
from privault.monitor import repository as repo
from privault.monitor.config import MonitorConfig, Response
from privault.monitor.engine import MonitorEngine
from privault.monitor.honeytokens import FieldShape, fake_record
from privault.monitor.model import Alert, Observation, check_transition
from privault.monitor.notifiers import Notifier, build_notifier, wants
from privault.monitor.state import MemoryState
from privault.store.uow import UnitOfWork

SYSTEM_ACTOR = "system:monitor"
log = logging.getLogger(__name__)


class MonitorService:
    """Runs the rules as events commit; manages alerts and honeytokens."""

    def __init__(
        self,
        data: UnitOfWork,
        auditor: Auditor,
        authz: Authorizer,
        tenants: TenantService,
        vault: VaultService,
        identity: IdentityService,
        clock: Clock,
        config: MonitorConfig | None = None,
    ) -> None:
        self._data, self._audit, self._authz = data, auditor, authz
        self._tenants, self._vault, self._identity = tenants, vault, identity
        self._clock = clock
        self.config = config or MonitorConfig()
        self.engine = MonitorEngine(self.config)
        self.notifiers: list[Notifier] = [build_notifier(s) for s in self.config.notifiers]
        self.stats: Counter[str] = Counter()
        self._attached = False
        self.live = LiveRules(
            data,
            tenants,
            self.engine,
            self.config,
            self.stats,
            lambda alerts: self._handle(alerts, notify=True),
        )

    def attach(self) -> None:
        """Run the rules on every committed batch of audit events."""
        if self.config.enabled:
            self._audit.subscribe(self.on_events)
            self._attached = True

    def detach(self) -> None:
        """Stop evaluating rules live (replay still works)."""
        self._audit.unsubscribe(self.on_events)
        self._attached = False

    def start_background(self, poll: float = 1.0) -> None:
        """Evaluate rules on a background thread (see :mod:`privault.app.monitor_live`)."""
        if self._attached:
            self.live.start_background(poll)

    def evaluate_elsewhere(self) -> None:
        """Check only honeytokens here; another process evaluates the rest (serve --workers)."""
        if self._attached:
            self.live.evaluate_elsewhere()

    @property
    def background(self) -> bool:
        """Whether rules run off the request path."""
        return self.live.background

    def close(self) -> None:
        """Stop the background thread after it evaluated everything committed."""
        self.live.close()

    def on_events(self, sealed: Sequence[SealedEvent]) -> None:
        """Audit listener: evaluate committed events (inline or in the background)."""
        self.live.on_events(sealed)

    def catch_up(self) -> int:
        """Evaluate every committed event no evaluator has seen yet; return how many."""
        return self.live.catch_up()

    def facts(self, observations: Sequence[Observation]) -> StaticFacts:
        """Honeytoken hits and declared purposes for the tenants these events touch."""
        return self.live.facts(observations)

    def _system(self) -> RequestContext:
        # The monitor acts as a service principal; its own events are not re-monitored.
        principal = Principal(SYSTEM_ACTOR, frozenset({"owner"}), mfa_at=self._clock.now())
        return RequestContext(principal, source="monitor")

    def _handle(self, alerts: Sequence[Alert], *, notify: bool) -> None:
        for alert in alerts:
            self.stats["alerts"] += 1
            configured = self.engine.rule(alert.rule)
            self._audit_alert(alert)
            if notify and (configured is None or configured.notify):
                self.notify(alert)
            if configured is not None and configured.response:
                self.respond(alert, configured.response)

    def _audit_alert(self, alert: Alert) -> None:
        event = self._audit.event(
            self._system(),
            "alert.raise",
            f"alerts/{alert.id}",
            tenant_id=None,
            decision=Decision(True, f"monitor:{alert.rule}", "rule matched"),
            outcome="alert",
            severity=alert.severity,
            rule_name=alert.rule,
            subject=alert.actor,
            events=list(alert.event_ids),
        )
        self._audit.write_now([event])

    def notify(self, alert: Alert) -> None:
        """Send ``alert`` to every notifier that wants its severity; failures are counted."""
        for notifier in self.notifiers:
            if not wants(notifier, alert):
                continue
            try:
                notifier.send(alert)
            except Exception as exc:
                self.stats[f"notify_failed:{notifier.name}"] += 1
                log.warning(
                    "notifier %s failed for alert %s (%s)",
                    notifier.name,
                    alert.id,
                    type(exc).__name__,
                )
            else:
                self.stats[f"notified:{notifier.name}"] += 1

    # -- automatic response -------------------------------------------------------------
    def respond(self, alert: Alert, actions: Sequence[Response]) -> None:
        """Lock the alert's principal and/or revoke its sessions and API keys."""
        username = _username(alert.actor)
        if username is None:
            log.info("alert %s: principal is not a user account; no response", alert.id)
            return
        ctx = self._system()
        try:
            if "lock_user" in actions:
                self._identity.disable(ctx, username)  # also ends sessions and API keys
            else:
                self._revoke(ctx, username, actions)
        except NotFound:
            log.info("alert %s: account no longer exists; no response", alert.id)
            return
        self.stats["responses"] += 1

    def _revoke(self, ctx: RequestContext, username: str, actions: Sequence[Response]) -> None:
        user = self._identity.user(username)
        now = self._clock.now()
        with self._data.transaction() as conn:
            if "revoke_sessions" in actions:
                access_repo.revoke_user_sessions(conn, user.id, now)
            if "revoke_api_keys" in actions:
                for key in access_repo.list_api_keys(conn, user.id):
                    if key.revoked_at is None:
                        access_repo.set_api_key(conn, key.id, revoked_at=now)
            event = self._audit.event(
                ctx,
                "monitor.response",
                f"users/{user.username}",
                tenant_id=None,
                decision=Decision(True, "monitor", "automatic response"),
                actions=sorted(actions),
            )
            self._audit.write(conn, [event])

    # -- alerts -----------------------------------------------------------------------
    def alerts(
        self,
        ctx: RequestContext,
        *,
        states: Sequence[str] | None = ("open", "acknowledged"),
        rule: str | None = None,
        min_severity: str | None = None,
        limit: int = 100,
    ) -> list[Alert]:
        """Alerts, newest sighting first."""
        self._authz.check(ctx, "audit.alert.list", None, "alerts")
        with self._data.transaction() as conn:
            return repo.list_alerts(
                conn, states=states, rule=rule, min_severity=min_severity, limit=limit
            )

    def transition(
        self, ctx: RequestContext, alert_id: str, state: str, note: str | None = None
    ) -> Alert:
        """Acknowledge, resolve or mark an alert a false positive (audited).

        Raises:
            NotFound: no such alert.
            Conflict: the alert's state does not allow it.
        """
        decision = self._authz.check(ctx, "audit.alert.update", None, f"alerts/{alert_id}")
        with self._data.transaction() as conn:
            alert = repo.get_alert(conn, alert_id)
            if alert is None:
                raise NotFound(f"no alert {alert_id}")
            check_transition(alert.state, state)
            repo.set_state(conn, alert_id, state, ctx.principal.id, self._clock.now(), note)
            event = self._audit.event(
                ctx,
                f"alert.{state}",
                f"alerts/{alert_id}",
                tenant_id=None,
                decision=decision,
                previous=alert.state,
                note=self._audit.hmac(note) if note else None,
            )
            self._audit.write(conn, [event])
            updated = repo.get_alert(conn, alert_id)
        assert updated is not None
        return updated

    # -- honeytokens ------------------------------------------------------------------
    def plant_honeytokens(
        self, ctx: RequestContext, tenant: str, record_type: str, count: int = 1
    ) -> list[str]:
        """Plant ``count`` canary records through the normal vault write; return their ids."""
        t = self._tenants.get(tenant)
        decision = self._authz.check(ctx, "audit.honeytoken.plant", t.id, "honeytokens")
        schema = self._tenants.schema(t.id, record_type)
        shapes = [FieldShape(n, s.type, s.pii) for n, s in schema.fields.items()]
        docs = [fake_record(shapes, schema.subject_field) for _ in range(count)]
        ids = self._vault.put_many(ctx, tenant, record_type, docs)
        now = self._clock.now()
        with self._data.transaction() as conn:
            for rid in ids:
                repo.add_honeytoken(conn, t.id, rid, record_type, ctx.principal.id, now)
            # The event says how many, not which: the trail must not reveal the canaries.
            event = self._audit.event(
                ctx,
                "honeytoken.plant",
                f"tenants/{t.slug}/honeytokens",
                tenant_id=t.id,
                decision=decision,
                count=len(ids),
            )
            self._audit.write(conn, [event])
        self.live.forget_honeytokens(t.id)
        return ids

    # -- replay ---------------------------------------------------------------------------
    def replay(
        self, ctx: RequestContext, since: datetime, *, notify: bool = False
    ) -> tuple[int, list[Alert]]:
        """Re-run the rules over the trail since ``since`` (fresh in-memory state).

        Returns:
            (events evaluated, alerts newly opened).
        """
        self._authz.check(ctx, "audit.monitor.replay", None, "alerts")
        where = audit_repo.EventFilter(since=since)
        with self._data.transaction() as conn:
            events = [s.event for s in audit_repo.scan(conn, where)]
        batch = [observation(e) for e in events if not e.actor.startswith("system:")]
        facts = self.facts(batch)
        findings = self.engine.evaluate_all(batch, MemoryState(), facts)
        dedup = timedelta(minutes=self.config.dedup_minutes)
        with self._data.transaction() as conn:
            raised = [repo.record_finding(conn, f, dedup, replay=True) for f in findings]
        new = [a for a, is_new in raised if is_new]
        self._handle(new, notify=notify)
        return len(batch), new


def _username(actor: str) -> str | None:
    """``user:alice`` or ``user:alice/apikey:…`` → ``alice``; None for other principals."""
    if not actor.startswith("user:"):
        return None
    return actor.removeprefix("user:").split("/", 1)[0] or None


def config_summary(config: MonitorConfig) -> dict[str, Any]:
    """Rules and their effective settings (for ``monitor rules``)."""
    engine = MonitorEngine(config)
    return {
        r.rule.name: {
            "severity": r.severity,
            "response": list(r.response),
            "params": r.params.model_dump(mode="json"),
        }
        for r in engine.rules
    }
