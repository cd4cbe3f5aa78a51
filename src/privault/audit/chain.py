"""Audit events and the hash chain (pure: no database)."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

GENESIS = bytes(32)


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One immutable audit event (before it is placed in a chain).

    ``detail`` must hold no plaintext PII or secret: ids, counts, field names
    and keyed HMACs only.
    """

    id: str
    ts: datetime
    tenant_id: str | None
    actor: str
    action: str
    resource: str
    outcome: str
    rule: str
    request_id: str
    purpose: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def chain(self) -> str:
        """The chain this event belongs to: its tenant's, or the platform's."""
        return self.tenant_id or "_platform"


def canonical(event: AuditEvent, seq: int) -> bytes:
    """The bytes the chain hash covers."""
    doc = {
        "id": event.id,
        "chain": event.chain,
        "seq": seq,
        "ts": event.ts.astimezone(UTC).isoformat(),
        "tenant_id": event.tenant_id,
        "actor": event.actor,
        "action": event.action,
        "resource": event.resource,
        "purpose": event.purpose,
        "outcome": event.outcome,
        "rule": event.rule,
        "request_id": event.request_id,
        "detail": detail_json(event.detail),
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def detail_json(detail: dict[str, Any]) -> str:
    """Canonical JSON text of an event's detail."""
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), default=str)


def link(key: bytes, prev_hash: bytes, event: AuditEvent, seq: int) -> bytes:
    """The chain hash of ``event`` at ``seq`` after ``prev_hash``."""
    return hmac.new(key, prev_hash + canonical(event, seq), sha256).digest()


def hmac_value(key: bytes, value: str) -> str:
    """A keyed HMAC of a sensitive value, for events and searching them."""
    return "hmac:" + hmac.new(key, value.encode(), sha256).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One place where a chain does not verify."""

    chain: str
    seq: int
    event_id: str | None
    problem: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The result of verifying every chain."""

    chains: int
    events: int
    problems: tuple[ChainProblem, ...]

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems
