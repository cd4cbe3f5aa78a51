"""Live rule evaluation: every committed audit event, exactly once, inline or in the background.

```
Auditor (after commit) ──▶ on_events ─┬─ inline: catch_up()
                                      ├─ background: honeytoken rule now, then wake the feed
                                      └─ elsewhere: honeytoken rule now (another process catches up)
catch_up(): cursors + events past them ─▶ rules (read snapshot)
            ─▶ same cursors? record alerts + rule state, move cursors (one short write tx)
               new alerts ──▶ handle (notify, respond) after commit
```

The rules read committed events from the trail past a stored cursor per
chain (``monitor_cursors``), so every event is evaluated exactly once, by
whichever process gets there first, and a crash between commit and
evaluation loses nothing: the next catch-up (the next event, or start-up of
the background feed) evaluates it. Inline (the default; CLI and library use)
the catch-up runs before the service call returns. ``privault serve`` runs it
on a background thread (:meth:`LiveRules.start_background`) so a request
does not wait for rule-state writes, and the events of many requests share
one transaction; with ``--workers`` that thread runs in the supervisor, and
the workers only check honeytokens (:meth:`LiveRules.evaluate_elsewhere`).
Honeytoken hits stay synchronous in every mode.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Connection

from privault.app.monitor_feed import RuleFeed
from privault.app.tenants import TenantService
from privault.audit import repository as audit_repo
from privault.audit.chain import AuditEvent, SealedEvent
from privault.monitor import repository as repo
from privault.monitor.config import MonitorConfig
from privault.monitor.engine import MonitorEngine
from privault.monitor.model import READ_ACTIONS, Alert, Observation
from privault.monitor.state import BatchState
from privault.store.uow import UnitOfWork

SYNC_RULES = frozenset({"honeytoken"})  # evaluated before the request returns, always
CATCH_UP_BATCH = 1000  # events per chain per transaction
_PURPOSES_TTL = timedelta(seconds=60)
# How long a process trusts its copy of a tenant's honeytoken ids for the
# synchronous check (planting here refreshes it at once). A canary planted by
# another process within this window still alerts, from the catch-up.
HONEYTOKEN_TTL = 2.0
log = logging.getLogger(__name__)


def observation(event: AuditEvent) -> Observation:
    """The rules' view of an audit event."""
    return Observation(
        id=event.id,
        ts=event.ts,
        tenant_id=event.tenant_id,
        actor=event.actor,
        action=event.action,
        resource=event.resource,
        outcome=event.outcome,
        rule=event.rule,
        purpose=event.purpose,
        source=str(event.detail.get("source", "local")),
        detail=event.detail,
    )


@dataclass
class StaticFacts:
    """Facts looked up before rules run (no database access while they run)."""

    honeytoken_ids: set[tuple[str, str]] = field(default_factory=set)
    purposes: dict[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    def honeytokens(self, tenant_id: str, record_ids: Sequence[str]) -> list[str]:
        """Which of ``record_ids`` are honeytokens."""
        return [r for r in record_ids if (tenant_id, r) in self.honeytoken_ids]

    def declared_purposes(self, tenant_id: str) -> Mapping[str, tuple[str, ...]]:
        """Declared purposes per ``record_type.field``."""
        return self.purposes.get(tenant_id, {})


class LiveRules:
    """Evaluates the rules on committed events; hands new alerts to ``handle``.

    Args:
        data: the data store (trail, rule state, alerts, cursors).
        tenants: for the fields' declared purposes.
        engine: the configured rules.
        config: monitoring configuration (dedup window).
        stats: counters shared with the monitor service.
        handle: called with the alerts a transaction opened, after it committed.

    """

    def __init__(
        self,
        data: UnitOfWork,
        tenants: TenantService,
        engine: MonitorEngine,
        config: MonitorConfig,
        stats: Counter[str],
        handle: Callable[[Sequence[Alert]], None],
    ) -> None:
        self._data, self._tenants = data, tenants
        self.engine, self.config, self.stats = engine, config, stats
        self._handle_alerts = handle
        self._purposes: dict[str, tuple[float, Mapping[str, tuple[str, ...]]]] = {}
        self._feed: RuleFeed | None = None
        self._elsewhere = False
        self._honeytokens: dict[str, tuple[float, frozenset[str]]] = {}

    def forget_honeytokens(self, tenant_id: str) -> None:
        """Reload ``tenant_id``'s honeytoken ids at the next check (after planting)."""
        self._honeytokens.pop(tenant_id, None)

    def start_background(self, poll: float = 1.0) -> None:
        """Evaluate rules on a background thread from now on; catch up on the backlog first.

        Honeytoken reads still raise their alert before the request returns.
        ``poll`` is how often the thread looks for events other processes committed.
        """
        if self._feed is not None:
            return
        self._feed = RuleFeed(self.catch_up, poll)
        self._feed.start()
        self._feed.wake()

    def evaluate_elsewhere(self) -> None:
        """Leave the cursor to an evaluator in another process; check honeytokens here.

        ``privault serve --workers``: the supervisor runs the one background
        evaluator, so the workers spend no time on rules but the synchronous
        ones (a honeytoken read still raises its alert before the request returns).
        """
        self._elsewhere = True

    @property
    def background(self) -> bool:
        """Whether rules run off the request path (a thread here, or another process)."""
        return self._feed is not None or self._elsewhere

    def close(self) -> None:
        """Stop the background thread, then evaluate what it had not reached."""
        feed, self._feed = self._feed, None
        if feed is None:
            return
        feed.stop()
        try:
            self.catch_up()
        except Exception as exc:  # the next start catches up from the stored cursor
            log.warning("monitor catch-up at close failed (%s)", type(exc).__name__)

    def on_events(self, sealed: Sequence[SealedEvent]) -> None:
        """Evaluate committed events now (inline), or check honeytokens (and wake the feed)."""
        feed = self._feed
        if feed is None and not self._elsewhere:
            self.catch_up()
            return
        self._sync_rules(sealed)
        if feed is not None:
            feed.wake()

    def catch_up(self) -> int:
        """Evaluate every committed event no evaluator has seen yet; return how many.

        Alerts are notified and responded to after each transaction commits.
        """
        total = 0
        more = True
        while more:
            count, alerts, more = self._evaluate_next()
            self._handle_alerts(alerts)
            total += count
        return total

    def _evaluate_next(self) -> tuple[int, list[Alert], bool]:
        """Evaluate the events past the cursors, then record the outcome and move them.

        Rules run on a read snapshot, so the write lock (SQLite's, or the
        evaluators' mutex row on PostgreSQL) is held only to record the
        findings: audited requests never wait on an evaluation. If another
        evaluator moved the cursors meanwhile, this batch is dropped unrecorded
        (that evaluator covered it) and ``more`` asks for another pass.
        """
        dedup = timedelta(minutes=self.config.dedup_minutes)
        with self._data.read() as conn:
            known = repo.cursors(conn)
            batch: list[SealedEvent] = []
            moved: dict[str, int] = {}
            more = False
            for chain, (seq, _hash) in audit_repo.heads(conn).items():
                at = known.get(chain, 0)
                if seq <= at:
                    continue
                events = audit_repo.after(conn, chain, at, CATCH_UP_BATCH)
                if events:
                    more = more or len(events) == CATCH_UP_BATCH
                    moved[chain] = events[-1].seq
                    batch.extend(events)
            if not moved:
                return 0, [], False
            observations = sorted(
                (observation(s.event) for s in batch if not s.event.actor.startswith("system:")),
                key=lambda o: o.ts,
            )
            state = BatchState(conn)
            findings = []
            if observations:
                findings = self.engine.evaluate_all(
                    observations, state, self.facts(observations, conn)
                )
        with self._data.transaction() as conn:
            if repo.lock_cursors(conn) != known:
                return 0, [], True
            opened: list[Alert] = []
            if observations:
                state.flush(conn)
                # A synchronous rule's alert may exist already: replay mode skips its event.
                opened = repo.record_findings(conn, findings, dedup, SYNC_RULES)
            repo.move_cursors(conn, moved, known)
        self.stats["events"] += len(observations)
        return len(batch), opened, more

    def _sync_rules(self, sealed: Sequence[SealedEvent]) -> None:
        """The honeytoken rule on this request's reads, before the request returns."""
        reads = [
            o
            for o in (observation(s.event) for s in sealed)
            if o.action in READ_ACTIONS
            and o.tenant_id
            and o.records
            and not o.actor.startswith("system:")
        ]
        if not reads:
            return
        facts = StaticFacts()
        for o in reads:
            assert o.tenant_id is not None
            planted = self._honeytoken_ids(o.tenant_id)
            facts.honeytoken_ids.update((o.tenant_id, r) for r in o.records if r in planted)
        if not facts.honeytoken_ids:
            return
        findings = [f for o in reads for f in self.engine.evaluate_only(SYNC_RULES, o, facts)]
        dedup = timedelta(minutes=self.config.dedup_minutes)
        with self._data.transaction() as conn:
            raised = [repo.record_finding(conn, f, dedup, replay=True) for f in findings]
        self._handle_alerts([a for a, new in raised if new])

    def _honeytoken_ids(self, tenant_id: str) -> frozenset[str]:
        cached = self._honeytokens.get(tenant_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < HONEYTOKEN_TTL:
            return cached[1]
        with self._data.read() as conn:
            ids = frozenset(repo.honeytoken_ids(conn, tenant_id))
        self._honeytokens[tenant_id] = (now, ids)
        return ids

    def facts(
        self, observations: Sequence[Observation], conn: Connection | None = None
    ) -> StaticFacts:
        """Honeytoken hits and declared purposes for the tenants these events touch."""
        facts = StaticFacts()
        reads = [o for o in observations if o.action in READ_ACTIONS and o.tenant_id and o.records]
        if reads:
            wanted: dict[str, set[str]] = {}
            for o in reads:
                assert o.tenant_id is not None
                wanted.setdefault(o.tenant_id, set()).update(o.records)
            with nullcontext(conn) if conn is not None else self._data.read() as c:
                for tenant, records in wanted.items():
                    hits = repo.honeytokens_in(c, tenant, sorted(records))
                    facts.honeytoken_ids.update((tenant, h) for h in hits)
        for tenant_id in {o.tenant_id for o in reads if o.detail.get("view") == "plain"}:
            assert tenant_id is not None
            facts.purposes[tenant_id] = self._declared(tenant_id)
        return facts

    def _declared(self, tenant_id: str) -> Mapping[str, tuple[str, ...]]:
        cached = self._purposes.get(tenant_id)
        now = time.monotonic()
        if cached is not None and now - cached[0] < _PURPOSES_TTL.total_seconds():
            return cached[1]
        declared = {
            f"{schema.record_type}.{name}": spec.purpose
            for schema, _v in self._tenants.schemas(tenant_id)
            for name, spec in schema.fields.items()
            if spec.purpose
        }
        self._purposes[tenant_id] = (now, declared)
        return declared
