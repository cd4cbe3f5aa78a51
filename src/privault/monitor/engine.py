"""Run the configured rules over observations; keep the read baselines up to date."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from privault.core.errors import ConfigurationError
from privault.core.registry import Registry
from privault.monitor.config import MonitorConfig, Response
from privault.monitor.model import Finding, Observation, severity_rank
from privault.monitor.rules import access, identity
from privault.monitor.rules.base import RULES, Facts, Rule, RuleEnv, RuleState, hour_of
from privault.monitor.state import MemoryState

BUILTIN_MODULES = (access, identity)  # importing them registers the built-in rules
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConfiguredRule:
    """A rule with its validated params, severity, response and notification switch."""

    rule: Rule
    params: BaseModel
    severity: str
    response: tuple[Response, ...]
    notify: bool


def configure(config: MonitorConfig, registry: Registry[Rule] = RULES) -> list[ConfiguredRule]:
    """The enabled rules with the config's overrides applied.

    Raises:
        UnknownPlugin: the config names a rule that does not exist.
        ConfigurationError: bad params for a rule.

    """
    for name in config.rules:
        registry.get(name)
    out = []
    for name in registry.names():
        rule = registry.get(name)
        over = config.rules.get(name)
        if over is not None and not over.enabled:
            continue
        try:
            params = rule.Params.model_validate(over.params if over else {})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigurationError(
                f"bad params for rule {name}: {where}: {first['msg']}"
            ) from None
        severity = (over.severity if over else None) or rule.severity
        severity_rank(severity)
        out.append(
            ConfiguredRule(
                rule, params, severity, over.response if over else (), over.notify if over else True
            )
        )
    return out


class MonitorEngine:
    """Evaluates every configured rule on each observation.

    Args:
        config: monitoring configuration (rule overrides).
        registry: the rules to choose from (the built-in registry by default).

    """

    def __init__(self, config: MonitorConfig, registry: Registry[Rule] = RULES) -> None:
        self.rules = configure(config, registry)
        self._by_name = {r.rule.name: r for r in self.rules}

    def rule(self, name: str) -> ConfiguredRule | None:
        """The configured rule called ``name`` (None: disabled or unknown)."""
        return self._by_name.get(name)

    def evaluate(self, obs: Observation, state: RuleState, facts: Facts) -> list[Finding]:
        """Update baselines with ``obs``, then collect every rule's findings."""
        if obs.action in access.READS and obs.outcome == "allowed" and obs.records:
            n = len(obs.records)
            state.bump(access.READ_COUNTER, obs.actor, obs.ts, n)
            state.add_usage(obs.actor, hour_of(obs.ts), n)
        findings: list[Finding] = []
        for configured in self.rules:
            env = RuleEnv(state, facts, configured.severity)
            findings.extend(_run(configured, obs, env))
        return findings

    def evaluate_only(self, names: frozenset[str], obs: Observation, facts: Facts) -> list[Finding]:
        """Findings of the enabled rules in ``names`` alone; baselines are not touched.

        For stateless rules that must run before a request returns (honeytokens).
        """
        state = MemoryState()
        findings: list[Finding] = []
        for configured in self.rules:
            if configured.rule.name in names:
                findings.extend(_run(configured, obs, RuleEnv(state, facts, configured.severity)))
        return findings

    def evaluate_all(
        self, observations: Sequence[Observation], state: RuleState, facts: Facts
    ) -> list[Finding]:
        """Evaluate a batch in order."""
        out: list[Finding] = []
        for obs in observations:
            out.extend(self.evaluate(obs, state, facts))
        return out


def _run(configured: ConfiguredRule, obs: Observation, env: RuleEnv) -> list[Finding]:
    params: Any = configured.params
    try:
        return configured.rule.evaluate(obs, env, params)
    except (ValueError, TypeError, KeyError, LookupError) as exc:
        # One odd event must not silence the other rules.
        log.warning(
            "rule %s failed on event %s (%s)", configured.rule.name, obs.id, type(exc).__name__
        )
        return []
