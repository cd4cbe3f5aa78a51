"""The audit writer every use case uses: fail-closed, in the caller's transaction.

```
service ──write(conn, events)──▶ audit_events (+ checkpoint every N)   same transaction
                                   │ commit ok
                                   ▼ (connection returned to the pool)
                      listeners: secondary sinks, monitoring rules     after commit
```

Invariants:

* The database write is the one that must succeed: it runs in the caller's
  transaction, so no event means no operation (fail-closed).
* Listeners (secondary sinks, the rule engine) see an event only after its
  transaction committed: :meth:`Auditor.write` parks the sealed events on the
  connection; a rollback or a failed commit drops them; the pool's check-in
  of the connection (which happens inside the caller's ``with`` block, before
  the service returns) delivers them. So a gated read that touches a
  honeytoken returns only after its alert went out.
* A listener that raises is logged (type only) and counted; it never fails
  the operation whose event it received.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.exc import SQLAlchemyError

from privault.access.policy import Decision
from privault.audit import checkpoints as cp_repo
from privault.audit import repository as audit_repo
from privault.audit.chain import AuditEvent, Checkpoint, SealedEvent, VerifyReport, hmac_value
from privault.audit.sinks.catalog import build_sink
from privault.audit.sinks.fanout import SinkFanout
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import AuditUnavailable
from privault.core.ids import new_id
from privault.crypto._primitives import ed25519_public_key
from privault.keys.hierarchy import KeyHierarchy
from privault.store.uow import UnitOfWork

PLATFORM = "_platform"
CHECKPOINT_EVERY = 1000
_PENDING = "privault.audit.pending"
_COMMITTED = "privault.audit.committed"

Listener = Callable[[Sequence[SealedEvent]], None]
log = logging.getLogger(__name__)


class Auditor:
    """Builds events from a request and appends them to the chain.

    Args:
        data: unit of work on the data store (where the trail lives).
        keys: the key hierarchy (holds the chain, value-HMAC and checkpoint keys).
        clock: time source.
        checkpoint_every: sign a chain's head each time it grows by this many events.

    """

    def __init__(
        self,
        data: UnitOfWork,
        keys: KeyHierarchy,
        clock: Clock,
        checkpoint_every: int = CHECKPOINT_EVERY,
    ) -> None:
        self._data = data
        self._keys = keys
        self._clock = clock
        self._chain_key: bytes | None = None
        self._seed: bytes | None = None
        self.checkpoint_every = checkpoint_every
        self._listeners: list[Listener] = []
        self.listener_failures: Counter[str] = Counter()
        self._local = threading.local()
        _install_hooks(data, self._deliver)

    @property
    def store(self) -> UnitOfWork:
        """The unit of work on the data store the trail lives in."""
        return self._data

    def _key(self) -> bytes:
        if self._chain_key is None:
            self._chain_key = self._keys.derived_key(PLATFORM, "index", "audit-chain")
        return self._chain_key

    def _checkpoint_seed(self) -> bytes:
        if self._seed is None:
            self._seed = self._keys.derived_key(PLATFORM, "index", "audit-checkpoint-ed25519")
        return self._seed

    def checkpoint_public_key(self) -> bytes:
        """The raw Ed25519 public key that verifies checkpoints (publish it)."""
        return ed25519_public_key(self._checkpoint_seed())

    def hmac(self, value: str) -> str:
        """Keyed HMAC of a sensitive value, the only form values take in events."""
        return hmac_value(self._key(), value)

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` with every batch of events after its transaction commits."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener`` (no error if it was not subscribed)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def attach_sinks(self, specs: Sequence[Mapping[str, Any]]) -> SinkFanout:
        """Build the configured secondary sinks and fan committed events out to them."""
        fanout = SinkFanout([build_sink(spec) for spec in specs])
        if fanout.sinks:
            self.subscribe(fanout)
        return fanout

    def event(
        self,
        ctx: RequestContext,
        action: str,
        resource: str,
        *,
        tenant_id: str | None,
        decision: Decision,
        purpose: str | None = None,
        outcome: str | None = None,
        **detail: Any,
    ) -> AuditEvent:
        """Build an event for ``ctx`` (not yet written)."""
        return AuditEvent(
            id=new_id("evt"),
            ts=self._clock.now(),
            tenant_id=tenant_id,
            actor=ctx.principal.id,
            action=action,
            resource=resource,
            outcome=outcome or ("allowed" if decision.allowed else "denied"),
            rule=decision.rule,
            request_id=ctx.request_id,
            purpose=purpose,
            detail={"source": ctx.source, **detail},
        )

    def write(self, conn: Connection, events: Sequence[AuditEvent]) -> None:
        """Append ``events`` in the caller's transaction.

        Raises:
            AuditUnavailable: if the trail cannot be written; the caller's
                transaction then rolls back and the operation fails.

        """
        try:
            sealed = audit_repo.append_sealed(conn, self._key(), events)
            self._checkpoint_due(conn, sealed)
        except SQLAlchemyError:
            raise AuditUnavailable(
                "the audit trail could not be written; the operation was refused"
            ) from None
        if self._listeners:
            conn.info.setdefault(_PENDING, []).extend(sealed)

    def _checkpoint_due(self, conn: Connection, sealed: Sequence[SealedEvent]) -> None:
        """Sign the head of each chain that crossed a multiple of ``checkpoint_every``."""
        every = self.checkpoint_every
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for s in sealed:
            first.setdefault(s.event.chain, s.seq)
            last[s.event.chain] = s.seq
        due = [c for c in last if every > 0 and last[c] // every > (first[c] - 1) // every]
        if due:
            cp_repo.sign_chains(conn, self._checkpoint_seed(), self._clock.now(), due)

    def write_now(self, events: Sequence[AuditEvent]) -> None:
        """Append ``events`` in a transaction of their own (e.g. for denials)."""
        with self._data.transaction() as conn:
            self.write(conn, events)

    def checkpoint(self) -> list[Checkpoint]:
        """Sign the head of every chain that moved since its last checkpoint."""
        with self._data.transaction() as conn:
            return cp_repo.sign_chains(conn, self._checkpoint_seed(), self._clock.now())

    def checkpoints(self) -> list[Checkpoint]:
        """Every stored checkpoint."""
        with self._data.transaction() as conn:
            return cp_repo.all_checkpoints(conn)

    def verify(self) -> VerifyReport:
        """Recompute every chain and check every signed checkpoint."""
        with self._data.transaction() as conn:
            report = audit_repo.verify(conn, self._key())
            count, problems = cp_repo.verify_checkpoints(conn, self.checkpoint_public_key())
        return VerifyReport(report.chains, report.events, report.problems + tuple(problems), count)

    def search(
        self,
        *,
        tenant_id: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 100,
        where: audit_repo.EventFilter | None = None,
    ) -> list[AuditEvent]:
        """Newest events first."""
        with self._data.transaction() as conn:
            return audit_repo.search(
                conn, tenant_id=tenant_id, actor=actor, action=action, limit=limit, where=where
            )

    def _deliver(self, sealed: list[SealedEvent]) -> None:
        """Run the listeners on committed events; nested deliveries queue behind."""
        queue: list[list[SealedEvent]] | None = getattr(self._local, "queue", None)
        if queue is not None:  # a listener wrote events: deliver them after this batch
            queue.append(sealed)
            return
        self._local.queue = queue = [sealed]
        try:
            while queue:
                batch = queue.pop(0)
                for listener in list(self._listeners):
                    self._call(listener, batch)
        finally:
            self._local.queue = None

    def _call(self, listener: Listener, batch: Sequence[SealedEvent]) -> None:
        try:
            listener(batch)
        except Exception as exc:
            name = getattr(listener, "__qualname__", type(listener).__name__)
            self.listener_failures[name] += len(batch)
            log.warning("audit listener %s failed (%s)", name, type(exc).__name__)


def _install_hooks(data: UnitOfWork, deliver: Callable[[list[SealedEvent]], None]) -> None:
    """Track parked events through commit, rollback and check-in of each connection."""
    engine = data.engine

    def on_commit(conn: Connection) -> None:
        pending = conn.info.pop(_PENDING, None)
        if pending:
            conn.info.setdefault(_COMMITTED, []).extend(pending)

    def on_rollback(conn: Connection) -> None:
        conn.info.pop(_PENDING, None)
        conn.info.pop(_COMMITTED, None)

    def on_error(context: Any) -> None:
        # A failed COMMIT lands here (the commit event fired before it ran).
        # Errors of ordinary statements leave parked events to commit/rollback.
        conn = context.connection
        if conn is not None:
            conn.info.pop(_COMMITTED, None)

    def on_checkin(_dbapi_conn: Any, record: Any) -> None:
        committed = record.info.pop(_COMMITTED, None)
        record.info.pop(_PENDING, None)
        if committed:
            deliver(committed)

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    event.listen(engine, "handle_error", on_error)
    event.listen(engine.pool, "checkin", on_checkin)
