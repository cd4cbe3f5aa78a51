"""Automated checks: small objects in a registry, each reading the live system's facts.

A check never sees a protected value: its evidence is counts, ids, names and
timestamps, and its explanation says what was found and what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from privault.compliance.facts import SystemView

Status = Literal["pass", "fail", "not-applicable"]
PRIVILEGED = frozenset({"owner", "admin", "security_officer"})
MAX_IDS = 20  # evidence lists at most this many ids


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check runs for: one tenant (or all), at one time."""

    tenant: str | None
    now: datetime


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check."""

    check: str
    status: Status
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    checked_at: datetime | None = None


class Check(Protocol):
    """A control check."""

    @property
    def name(self) -> str:
        """The check's name, as the catalogue refers to it."""

    def run(self, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Test the control on the live system."""


def result(name: str, ok: bool, explanation: str, **evidence: Any) -> CheckResult:
    """A pass/fail result."""
    return CheckResult(name, "pass" if ok else "fail", explanation, evidence)


def not_applicable(name: str, reason: str, **evidence: Any) -> CheckResult:
    """A not-applicable result, with the reason."""
    return CheckResult(name, "not-applicable", reason, evidence)


def capped(items: list[str]) -> list[str]:
    """At most :data:`MAX_IDS` items, for evidence."""
    return items[:MAX_IDS]


class CheckRegistry:
    """Checks by name; adding one is one class plus one :meth:`add`."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def add(self, check: Check) -> Check:
        """Register ``check`` (a later one of the same name replaces it)."""
        self._checks[check.name] = check
        return check

    def get(self, name: str) -> Check | None:
        """The check called ``name``, if any."""
        return self._checks.get(name)

    def names(self) -> list[str]:
        """Every registered check's name, sorted."""
        return sorted(self._checks)

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def run(self, name: str, ctx: CheckContext, view: SystemView) -> CheckResult:
        """Run one check; a missing check or one that raises is reported, not hidden."""
        check = self._checks.get(name)
        if check is None:
            return not_applicable(name, "no automated check is registered under this name")
        try:
            out = check.run(ctx, view)
        except Exception as exc:  # a broken check fails its control, visibly
            out = CheckResult(name, "fail", f"the check could not run ({type(exc).__name__})")
        return CheckResult(out.check, out.status, out.explanation, out.evidence, ctx.now)


def default_registry() -> CheckRegistry:
    """A registry holding every built-in check."""
    from privault.compliance import builtin

    registry = CheckRegistry()
    for check in builtin.BUILTIN:
        registry.add(check)
    return registry


def older_than(now: datetime, then: datetime, days: int) -> bool:
    """True when ``then`` is more than ``days`` days before ``now``."""
    return now - then > timedelta(days=days)
