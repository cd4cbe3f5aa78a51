"""Risk assessment: a score from the findings, with explanations, and its trend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from privault.compliance.catalogue import Control
from privault.compliance.checks import CheckResult, not_applicable


@dataclass(frozen=True, slots=True)
class ControlResult:
    """A control and the result of its check."""

    control: Control
    result: CheckResult


@dataclass(frozen=True, slots=True)
class Assessment:
    """One run: every control's result, the score and what drives it."""

    framework: str | None
    tenant: str | None
    at: datetime
    rows: tuple[ControlResult, ...]
    score: int
    level: str
    explanations: tuple[str, ...]
    audit_ref: str | None = None

    @property
    def failing(self) -> list[str]:
        """Ids of the failing controls."""
        return [r.control.id for r in self.rows if r.result.status == "fail"]

    def counts(self) -> dict[str, int]:
        """How many controls passed, failed, were not applicable."""
        out = {"pass": 0, "fail": 0, "not-applicable": 0}
        for r in self.rows:
            out[r.result.status] += 1
        return out


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """The score of one earlier run."""

    at: datetime
    score: int
    failing: tuple[str, ...]
    audit_ref: str


def score(rows: Sequence[ControlResult]) -> int:
    """0-100: the share of applicable control weight that passes (100 with none applicable)."""
    applicable = [r for r in rows if r.result.status != "not-applicable"]
    total = sum(r.control.weight for r in applicable)
    if total == 0:
        return 100
    passed = sum(r.control.weight for r in applicable if r.result.status == "pass")
    return round(100 * passed / total)


def level(value: int) -> str:
    """The risk level of a score."""
    if value >= 90:
        return "low"
    return "medium" if value >= 70 else "high"


def assess(
    controls: Sequence[Control],
    results: Mapping[str, CheckResult],
    *,
    framework: str | None,
    tenant: str | None,
    at: datetime,
) -> Assessment:
    """Combine controls with their checks' results into a scored assessment."""
    rows = tuple(
        ControlResult(c, results.get(c.check) or not_applicable(c.check, "not run"))
        for c in controls
    )
    value = score(rows)
    failing = sorted(
        (r for r in rows if r.result.status == "fail"), key=lambda r: -r.control.weight
    )
    explanations = tuple(
        f"{r.control.id} ({r.control.severity}): {r.control.title} - {r.result.explanation}"
        for r in failing
    )
    return Assessment(framework, tenant, at, rows, value, level(value), explanations)


def direction(points: Sequence[TrendPoint]) -> str:
    """The direction of the last two runs (oldest first): improving, worsening, steady, new."""
    if len(points) < 2:
        return "new"
    before, last = points[-2].score, points[-1].score
    if last > before:
        return "improving"
    return "worsening" if last < before else "steady"
