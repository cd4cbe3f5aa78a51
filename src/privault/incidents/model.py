"""Incidents as values: severities, the lifecycle state machine, team roles, timeline entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from privault.core.errors import Conflict, InvalidInput

SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
STATES: tuple[str, ...] = (
    "detected",
    "triaged",
    "contained",
    "eradicated",
    "recovered",
    "closed",
)
# Forward one step at a time; closing early is allowed once triaged (e.g. a false alarm).
TRANSITIONS: dict[str, frozenset[str]] = {
    "detected": frozenset({"triaged"}),
    "triaged": frozenset({"contained", "closed"}),
    "contained": frozenset({"eradicated"}),
    "eradicated": frozenset({"recovered"}),
    "recovered": frozenset({"closed"}),
    "closed": frozenset(),
}
TEAM_ROLES: tuple[str, ...] = (
    "lead",
    "investigator",
    "communications",
    "legal",
    "dpo",
    "technical",
    "observer",
)
FLAGS: tuple[str, ...] = ("hipaa", "nis2", "pci")


def check_severity(severity: str) -> str:
    """Return ``severity`` if known.

    Raises:
        InvalidInput: unknown severity.
    """
    if severity not in SEVERITIES:
        raise InvalidInput(f"unknown severity {severity!r}; valid: {', '.join(SEVERITIES)}")
    return severity


def check_transition(current: str, new: str) -> None:
    """Raise unless an incident in state ``current`` may move to ``new``.

    Raises:
        InvalidInput: ``new`` is not a state.
        Conflict: the transition is not allowed.
    """
    if new not in STATES:
        raise InvalidInput(f"unknown incident state {new!r}; valid: {', '.join(STATES)}")
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (closed is final)"
        raise Conflict(f"an incident that is {current} cannot become {new} (next: {allowed})")


def check_role(role: str) -> str:
    """Return ``role`` if it is a response-team role.

    Raises:
        InvalidInput: unknown role.
    """
    if role not in TEAM_ROLES:
        raise InvalidInput(f"unknown team role {role!r}; valid: {', '.join(TEAM_ROLES)}")
    return role


def check_flags(flags: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Return the regimes ``flags`` (hipaa, nis2, pci), sorted and unique.

    Raises:
        InvalidInput: an unknown flag.
    """
    unknown = sorted(set(flags) - set(FLAGS))
    if unknown:
        raise InvalidInput(f"unknown regime flag(s) {unknown}; valid: {', '.join(FLAGS)}")
    return tuple(sorted(set(flags)))


@dataclass(frozen=True, slots=True)
class Incident:
    """One incident case.

    Attributes:
        detected_at: when the incident was opened (or the alert first seen).
        aware_at: when the organisation became aware of a breach (clocks start here);
            may be later than the breach window (discovery after the fact).
        breach_start: start of the suspected breach window (None: unknown).
        breach_end: end of the suspected breach window (None: ongoing or unknown).
        flags: regimes the organisation is subject to for this case (hipaa, nis2, pci).
    """

    id: str
    title: str
    severity: str
    state: str
    tenant_id: str | None
    alert_id: str | None
    detected_at: datetime
    aware_at: datetime
    breach_start: datetime | None
    breach_end: datetime | None
    opened_by: str
    updated_at: datetime
    flags: tuple[str, ...] = ()
    review: str | None = None
    impact: dict[str, Any] | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One action on an incident, in order."""

    incident_id: str
    seq: int
    ts: datetime
    actor: str
    kind: str
    text: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Member:
    """A response-team member and their role."""

    incident_id: str
    member: str
    role: str
    added_at: datetime
    added_by: str
