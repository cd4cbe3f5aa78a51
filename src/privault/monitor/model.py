"""Value types of monitoring: observations, findings, alerts and their states."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from privault.core.errors import Conflict, InvalidInput

SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
STATES: tuple[str, ...] = ("open", "acknowledged", "resolved", "false_positive")
ACTIVE_STATES: tuple[str, ...] = ("open", "acknowledged")
# Allowed transitions; resolved and false_positive are final (a recurrence opens a new alert).
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"acknowledged", "resolved", "false_positive"}),
    "acknowledged": frozenset({"resolved", "false_positive"}),
    "resolved": frozenset(),
    "false_positive": frozenset(),
}
READ_ACTIONS: frozenset[str] = frozenset({"record.read", "record.find", "record.export"})


def severity_rank(severity: str) -> int:
    """Position of ``severity`` in :data:`SEVERITIES`.

    Raises:
        InvalidInput: unknown severity.

    """
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        raise InvalidInput(
            f"unknown severity {severity!r}; valid: {', '.join(SEVERITIES)}"
        ) from None


def check_transition(current: str, new: str) -> None:
    """Raise unless an alert in state ``current`` may move to ``new``.

    Raises:
        InvalidInput: ``new`` is not a state.
        Conflict: the transition is not allowed.

    """
    if new not in STATES:
        raise InvalidInput(f"unknown alert state {new!r}; valid: {', '.join(STATES)}")
    if new not in TRANSITIONS[current]:
        raise Conflict(f"an alert that is {current} cannot become {new}")


@dataclass(frozen=True, slots=True)
class Observation:
    """What rules see of one committed audit event (ids and counts only, never values)."""

    id: str
    ts: datetime
    tenant_id: str | None
    actor: str
    action: str
    resource: str
    outcome: str
    rule: str
    purpose: str | None = None
    source: str = "local"
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def records(self) -> list[str]:
        """Record ids the event touched (gated reads list them)."""
        value = self.detail.get("records")
        return [str(r) for r in value] if isinstance(value, list) else []


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule match: becomes a new alert, or is folded into an open one."""

    rule: str
    severity: str
    title: str
    event_id: str
    ts: datetime
    actor: str
    tenant_id: str | None
    dedup_key: str
    score: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def group_key(self) -> str:
        """Alerts about the same principal on the same tenant group together."""
        return f"{self.tenant_id or '-'}:{self.actor}"


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert: findings of one rule about one subject, de-duplicated in a window."""

    id: str
    rule: str
    severity: str
    state: str
    tenant_id: str | None
    actor: str
    dedup_key: str
    group_key: str
    title: str
    detail: dict[str, Any]
    event_ids: tuple[str, ...]
    count: int
    score: float | None
    first_seen: datetime
    last_seen: datetime
    updated_at: datetime
    updated_by: str | None = None
    note: str | None = None
