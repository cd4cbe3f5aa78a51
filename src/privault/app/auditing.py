"""The audit writer every use case uses: fail-closed, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from privault.access.policy import Decision
from privault.audit import repository as audit_repo
from privault.audit.chain import AuditEvent, VerifyReport, hmac_value
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import AuditUnavailable
from privault.core.ids import new_id
from privault.keys.hierarchy import KeyHierarchy
from privault.store.uow import UnitOfWork

PLATFORM = "_platform"


class Auditor:
    """Builds events from a request and appends them to the chain.

    Args:
        data: unit of work on the data store (where the trail lives).
        keys: the key hierarchy (holds the chain and value-HMAC keys).
        clock: time source.

    """

    def __init__(self, data: UnitOfWork, keys: KeyHierarchy, clock: Clock) -> None:
        self._data = data
        self._keys = keys
        self._clock = clock
        self._chain_key: bytes | None = None

    def _key(self) -> bytes:
        if self._chain_key is None:
            self._chain_key = self._keys.derived_key(PLATFORM, "index", "audit-chain")
        return self._chain_key

    def hmac(self, value: str) -> str:
        """Keyed HMAC of a sensitive value, the only form values take in events."""
        return hmac_value(self._key(), value)

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
            audit_repo.append(conn, self._key(), events)
        except SQLAlchemyError:
            raise AuditUnavailable(
                "the audit trail could not be written; the operation was refused"
            ) from None

    def write_now(self, events: Sequence[AuditEvent]) -> None:
        """Append ``events`` in a transaction of their own (e.g. for denials)."""
        with self._data.transaction() as conn:
            self.write(conn, events)

    def verify(self) -> VerifyReport:
        """Recompute every chain."""
        with self._data.transaction() as conn:
            return audit_repo.verify(conn, self._key())

    def search(
        self,
        *,
        tenant_id: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 100,
    ) -> list[AuditEvent]:
        """Newest events first."""
        with self._data.transaction() as conn:
            return audit_repo.search(
                conn, tenant_id=tenant_id, actor=actor, action=action, limit=limit
            )
