"""The rule extension point: a Protocol, typed params, a registry, and what rules may ask.

Implementer's contract for a :class:`Rule`:

* ``name`` (the config key), ``description`` and ``severity`` (the default)
  are class-level constants; ``Params`` is a frozen pydantic model whose
  defaults are the built-in thresholds.
* ``evaluate`` looks at one :class:`Observation` and may read and update
  windowed state through :class:`RuleEnv`; it returns findings, never raises
  for odd events, and never puts values (only ids and counts) in a finding.
* Register with ``RULES.register(MyRule.name, MyRule())``: one file, one line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from privault.core.registry import Registry
from privault.monitor.model import Finding, Observation


class RuleState(Protocol):
    """Windowed state rules keep between events (in memory, or in the database)."""

    def bump(self, counter: str, key: str, ts: datetime, amount: int = 1) -> None:
        """Add ``amount`` to ``counter``/``key`` at ``ts`` (minute buckets)."""
        ...

    def total(self, counter: str, key: str, since: datetime) -> int:
        """Sum of ``counter``/``key`` since ``since``."""
        ...

    def learn_network(self, actor: str, network: str, ts: datetime) -> tuple[bool, int]:
        """Record ``network`` for ``actor``; (was it new, networks known before)."""
        ...

    def add_usage(self, actor: str, hour: datetime, records: int) -> None:
        """Add ``records`` read by ``actor`` in the hour starting at ``hour``."""
        ...

    def usage(self, actor: str, since: datetime, until: datetime) -> dict[datetime, int]:
        """Records read per hour by ``actor`` in [since, until) (hours with reads only)."""
        ...


class Facts(Protocol):
    """Facts about the platform that rules need (looked up by the app layer)."""

    def honeytokens(self, tenant_id: str, record_ids: Sequence[str]) -> list[str]:
        """Which of ``record_ids`` are planted honeytoken records."""
        ...

    def declared_purposes(self, tenant_id: str) -> Mapping[str, tuple[str, ...]]:
        """``record_type.field`` → the purposes the field's schema declares."""
        ...


class NoParams(BaseModel):
    """A rule without tunable thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class RuleEnv:
    """What a rule may consult while evaluating: state, facts, its severity."""

    state: RuleState
    facts: Facts
    severity: str


class Rule(Protocol):
    """A monitoring rule over audit observations."""

    name: ClassVar[str]
    description: ClassVar[str]
    severity: ClassVar[str]
    Params: ClassVar[type[BaseModel]]

    def evaluate(self, obs: Observation, env: RuleEnv, params: Any) -> list[Finding]:
        """Findings for ``obs`` (usually none)."""
        ...


RULES: Registry[Rule] = Registry("monitoring rule")


def hour_of(ts: datetime) -> datetime:
    """The start of the hour containing ``ts``."""
    return ts.replace(minute=0, second=0, microsecond=0)


def finding(
    rule: Rule, env: RuleEnv, obs: Observation, title: str, dedup: str, **detail: Any
) -> Finding:
    """A finding of ``rule`` on ``obs`` (``detail``: ids and counts only)."""
    score = detail.pop("score", None)
    return Finding(
        rule=rule.name,
        severity=env.severity,
        title=title,
        event_id=obs.id,
        ts=obs.ts,
        actor=obs.actor,
        tenant_id=obs.tenant_id,
        dedup_key=f"{rule.name}:{obs.tenant_id or '-'}:{dedup}",
        score=score,
        detail=detail,
    )


def window_start(ts: datetime, minutes: int) -> datetime:
    """``minutes`` before ``ts``."""
    return ts - timedelta(minutes=minutes)
