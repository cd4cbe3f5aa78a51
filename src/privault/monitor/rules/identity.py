"""Rules on identity and administration.

Bursts of failed sign-ins and second-factor codes, privilege escalation, key
operations outside a change window, and events the services flag themselves
(``outcome="alert"``, e.g. break-glass).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from typing import ClassVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from privault.monitor.model import SEVERITIES, Finding, Observation
from privault.monitor.rules.base import RULES, NoParams, RuleEnv, finding, window_start


class BurstParams(BaseModel):
    """A count of failures in a window."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_minutes: int = Field(default=10, ge=1)
    threshold: int = Field(default=5, ge=1)


def _burst(
    rule: FailedLogins | MfaFailures, obs: Observation, env: RuleEnv, params: BurstParams
) -> list[Finding]:
    """Count a failure against the target account and the source; flag at the threshold."""
    since = window_start(obs.ts, params.window_minutes)
    findings = []
    for scope, key in (("account", obs.resource), ("source", obs.source)):
        env.state.bump(rule.name, f"{scope}:{key}", obs.ts)
        total = env.state.total(rule.name, f"{scope}:{key}", since)
        if total >= params.threshold:
            findings.append(
                finding(
                    rule,
                    env,
                    obs,
                    f"{total} failed attempts in {params.window_minutes} min ({scope})",
                    f"{scope}:{key}",
                    scope=scope,
                    target=key,
                    failures=total,
                )
            )
    return findings[:1]


class FailedLogins:
    """Bursts of failed sign-ins against one account or from one source."""

    name: ClassVar[str] = "failed-logins"
    description: ClassVar[str] = "a burst of failed sign-ins"
    severity: ClassVar[str] = "high"
    Params: ClassVar[type[BaseModel]] = BurstParams

    def evaluate(self, obs: Observation, env: RuleEnv, params: BurstParams) -> list[Finding]:
        """Count failed ``auth.login`` events."""
        if obs.action != "auth.login" or obs.outcome != "failed":
            return []
        return _burst(self, obs, env, params)


def is_mfa_failure(obs: Observation) -> bool:
    """A failed second factor: an MFA action, a step-up, or a sign-in failing at its code."""
    if obs.outcome != "failed":
        return False
    if obs.action.startswith("mfa.") or obs.action == "auth.step_up":
        return True
    return obs.action == "auth.login" and obs.detail.get("stage") in ("mfa", "second-factor")


class MfaFailures:
    """Bursts of wrong second-factor codes."""

    name: ClassVar[str] = "mfa-failures"
    description: ClassVar[str] = "a burst of wrong second-factor codes"
    severity: ClassVar[str] = "high"
    Params: ClassVar[type[BaseModel]] = BurstParams

    def evaluate(self, obs: Observation, env: RuleEnv, params: BurstParams) -> list[Finding]:
        """Count failed MFA events."""
        return _burst(self, obs, env, params) if is_mfa_failure(obs) else []


class EscalationParams(BaseModel):
    """Roles whose grant is an escalation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: tuple[str, ...] = ("owner", "admin", "security_officer")


class PrivilegeEscalation:
    """A grant of a powerful role."""

    name: ClassVar[str] = "privilege-escalation"
    description: ClassVar[str] = "a grant of owner, admin or security_officer"
    severity: ClassVar[str] = "high"
    Params: ClassVar[type[BaseModel]] = EscalationParams

    def evaluate(self, obs: Observation, env: RuleEnv, params: EscalationParams) -> list[Finding]:
        """Match ``role.grant`` on ``users/NAME/roles/ROLE``."""
        if obs.action != "role.grant" or obs.outcome != "allowed":
            return []
        role = obs.resource.rsplit("/", 1)[-1]
        if role not in params.roles:
            return []
        return [
            finding(self, env, obs, f"role {role} granted", obs.resource, role=role, by=obs.actor)
        ]


class Window(BaseModel):
    """A weekly change window in local time: weekday 0 = Monday."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weekday: int = Field(ge=0, le=6)
    start: time
    end: time


class ChangeWindowParams(BaseModel):
    """When key operations are expected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    actions: tuple[str, ...] = ("key.rotate", "key.rewrap", "key.retire", "key.export")
    windows: tuple[Window, ...] = (Window(weekday=5, start=time(2), end=time(6)),)
    timezone: str = "UTC"


class KeyChangeWindow:
    """Key export, rotation, rewrap or retirement outside a change window."""

    name: ClassVar[str] = "key-change-window"
    description: ClassVar[str] = "key export or rotation outside a change window"
    severity: ClassVar[str] = "high"
    Params: ClassVar[type[BaseModel]] = ChangeWindowParams

    def evaluate(self, obs: Observation, env: RuleEnv, params: ChangeWindowParams) -> list[Finding]:
        """Check the local time against the windows."""
        if obs.action not in params.actions or obs.outcome != "allowed":
            return []
        local = obs.ts.astimezone(ZoneInfo(params.timezone))
        for w in params.windows:
            if local.weekday() == w.weekday and w.start <= local.time() < w.end:
                return []
        return [
            finding(
                self,
                env,
                obs,
                f"{obs.action} outside a change window ({local:%a %H:%M} {params.timezone})",
                f"{obs.actor}:{obs.action}",
                local_time=local.isoformat(),
            )
        ]


class FlaggedEvent:
    """Events a service marked as alerts itself (break-glass opened, …)."""

    name: ClassVar[str] = "flagged-event"
    description: ClassVar[str] = "an event the platform flags as an alert (e.g. break-glass)"
    severity: ClassVar[str] = "high"
    Params: ClassVar[type[BaseModel]] = NoParams

    def evaluate(self, obs: Observation, env: RuleEnv, params: NoParams) -> list[Finding]:
        """Raise an alert with the event's own severity."""
        if obs.outcome != "alert":
            return []
        severity = obs.detail.get("severity")
        found = finding(self, env, obs, f"{obs.action} on {obs.resource}", obs.id)
        if isinstance(severity, str) and severity in SEVERITIES:
            found = replace(found, severity=severity)
        return [found]


for _rule in (
    FailedLogins(),
    MfaFailures(),
    PrivilegeEscalation(),
    KeyChangeWindow(),
    FlaggedEvent(),
):
    RULES.register(_rule.name, _rule)
