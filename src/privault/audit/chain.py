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


def canonical(event: AuditEvent, seq: int, detail: str | None = None) -> bytes:
    """The bytes the chain hash covers (``detail``: its canonical JSON, if known)."""
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
        "detail": detail_json(event.detail) if detail is None else detail,
    }
    return _CANONICAL.encode(doc).encode()


# One encoder each, built once: json.dumps with options builds a new encoder per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
_DETAIL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def detail_json(detail: dict[str, Any]) -> str:
    """Canonical JSON text of an event's detail."""
    return _DETAIL.encode(detail)


def link(
    key: bytes, prev_hash: bytes, event: AuditEvent, seq: int, detail: str | None = None
) -> bytes:
    """The chain hash of ``event`` at ``seq`` after ``prev_hash``."""
    return hmac.new(key, prev_hash + canonical(event, seq, detail), sha256).digest()


class Linker:
    """:func:`link` with the HMAC key schedule computed once (for batches)."""

    __slots__ = ("_base",)

    def __init__(self, key: bytes) -> None:
        self._base = hmac.new(key, digestmod=sha256)

    def link(self, prev_hash: bytes, event: AuditEvent, seq: int, detail: str) -> bytes:
        """The chain hash of ``event`` at ``seq`` after ``prev_hash``."""
        mac = self._base.copy()
        mac.update(prev_hash)
        mac.update(canonical(event, seq, detail))
        return mac.digest()


def hmac_value(key: bytes, value: str) -> str:
    """A keyed HMAC of a sensitive value, for events and searching them."""
    return "hmac:" + hmac.new(key, value.encode(), sha256).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class SealedEvent:
    """An event as committed: its place in its chain and its chain hash."""

    event: AuditEvent
    seq: int
    hash: bytes


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement that chain ``chain`` had head ``hash`` at ``seq``.

    Signed with the platform's Ed25519 checkpoint key, so it can be verified
    with the public key alone (published, or kept off the database host).
    """

    chain: str
    seq: int
    hash: bytes
    ts: datetime
    key_id: str
    signature: bytes


def checkpoint_payload(chain: str, seq: int, digest: bytes, ts: datetime, key_id: str) -> bytes:
    """The exact bytes a checkpoint signature covers (domain-separated)."""
    doc = {
        "chain": chain,
        "seq": seq,
        "hash": digest.hex(),
        "ts": ts.astimezone(UTC).isoformat(),
        "key_id": key_id,
    }
    return (
        b"privault-audit-checkpoint-v1\n"
        + json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    )


def key_fingerprint(public_key: bytes) -> str:
    """A domain-separated fingerprint naming a checkpoint public key."""
    return "ed25519:" + sha256(b"privault-checkpoint-key\n" + public_key).hexdigest()[:16]


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
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems
