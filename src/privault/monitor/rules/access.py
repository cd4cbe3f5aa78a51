"""Rules on data access.

Bulk reads, large exports, off-hours reads, new networks, honeytokens, and
purposes outside those a field declares.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from privault.monitor.baseline import anomaly_score, baseline
from privault.monitor.model import READ_ACTIONS, Finding, Observation
from privault.monitor.rules.base import RULES, NoParams, RuleEnv, finding, hour_of, window_start

READS = frozenset({"record.read", "record.find"})
READ_COUNTER = "records-read"


class BulkReadParams(BaseModel):
    """Thresholds of ``bulk-read``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_minutes: int = Field(default=60, ge=1)
    min_records: int = Field(default=100, ge=1)
    factor: float = Field(default=3.0, gt=0)
    baseline_days: int = Field(default=7, ge=1)


class BulkRead:
    """More data subjects read in a window than the principal's baseline allows."""

    name: ClassVar[str] = "bulk-read"
    description: ClassVar[str] = "records read in a window far above the principal's baseline"
    severity: ClassVar[str] = "high"
    Params: ClassVar[type[BaseModel]] = BulkReadParams

    def evaluate(self, obs: Observation, env: RuleEnv, params: BulkReadParams) -> list[Finding]:
        """Compare the window's reads with the rolling hourly baseline."""
        if obs.action not in READS or obs.outcome != "allowed" or not obs.records:
            return []
        in_window = env.state.total(
            READ_COUNTER, obs.actor, window_start(obs.ts, params.window_minutes)
        )
        now_hour = hour_of(obs.ts)
        history = env.state.usage(
            obs.actor, now_hour - timedelta(days=params.baseline_days), now_hour
        )
        base = baseline(history, now_hour)
        per_window = params.window_minutes / 60
        expected = base.mean * per_window
        if in_window <= max(params.min_records, params.factor * expected):
            return []
        score = anomaly_score(in_window, expected, base.std * per_window)
        return [
            finding(
                self,
                env,
                obs,
                f"{in_window} records read in {params.window_minutes} min "
                f"(baseline {expected:.1f})",
                obs.actor,
                records_in_window=in_window,
                baseline_per_window=round(expected, 2),
                score=score,
            )
        ]


class LargeExportParams(BaseModel):
    """Thresholds of ``large-export``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_minutes: int = Field(default=60, ge=1)
    max_records: int = Field(default=1000, ge=1)


class LargeExport:
    """Exports by one principal above a record count in a window."""

    name: ClassVar[str] = "large-export"
    description: ClassVar[str] = "records exported in a window above a threshold"
    severity: ClassVar[str] = "high"
    Params: ClassVar[type[BaseModel]] = LargeExportParams

    def evaluate(self, obs: Observation, env: RuleEnv, params: LargeExportParams) -> list[Finding]:
        """Count exported records in the window."""
        if obs.action != "record.export" or obs.outcome != "allowed":
            return []
        env.state.bump("records-exported", obs.actor, obs.ts, len(obs.records))
        total = env.state.total(
            "records-exported", obs.actor, window_start(obs.ts, params.window_minutes)
        )
        if total < params.max_records:
            return []
        return [
            finding(
                self,
                env,
                obs,
                f"{total} records exported in {params.window_minutes} min",
                obs.actor,
                records_exported=total,
            )
        ]


class OffHoursParams(BaseModel):
    """Business hours of ``off-hours``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start_hour: int = Field(default=7, ge=0, le=23)
    end_hour: int = Field(default=19, ge=1, le=24)
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    timezone: str = "UTC"


class OffHours:
    """Reads of protected data outside business hours or on non-working days."""

    name: ClassVar[str] = "off-hours"
    description: ClassVar[str] = "reads outside business hours"
    severity: ClassVar[str] = "medium"
    Params: ClassVar[type[BaseModel]] = OffHoursParams

    def evaluate(self, obs: Observation, env: RuleEnv, params: OffHoursParams) -> list[Finding]:
        """Check the local time of the read."""
        if obs.action not in READ_ACTIONS or obs.outcome != "allowed":
            return []
        local = obs.ts.astimezone(ZoneInfo(params.timezone))
        if local.weekday() in params.weekdays and params.start_hour <= local.hour < params.end_hour:
            return []
        day = local.date().isoformat()
        return [
            finding(
                self,
                env,
                obs,
                f"{obs.action} at {local:%a %H:%M} {params.timezone}",
                f"{obs.actor}:{day}",
                local_time=local.isoformat(),
            )
        ]


class NewNetworkParams(BaseModel):
    """Prefix lengths that make one "network" in ``new-network``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ipv4_prefix: int = Field(default=24, ge=8, le=32)
    ipv6_prefix: int = Field(default=48, ge=16, le=128)


def network_of(source: str, params: NewNetworkParams) -> str | None:
    """The network (CIDR) of a source address; None for non-IP sources ("cli")."""
    try:
        address = ipaddress.ip_address(source.split("%")[0])
    except ValueError:
        return None
    prefix = params.ipv4_prefix if address.version == 4 else params.ipv6_prefix
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


class NewNetwork:
    """A principal acting from a network it has never used before."""

    name: ClassVar[str] = "new-network"
    description: ClassVar[str] = "access from a network the principal never used"
    severity: ClassVar[str] = "medium"
    Params: ClassVar[type[BaseModel]] = NewNetworkParams

    def evaluate(self, obs: Observation, env: RuleEnv, params: NewNetworkParams) -> list[Finding]:
        """Learn networks per principal; flag a new one once there is history."""
        if obs.outcome != "allowed":
            return []
        network = network_of(obs.source, params)
        if network is None:
            return []
        new, known = env.state.learn_network(obs.actor, network, obs.ts)
        if not new or known == 0:
            return []
        return [
            finding(
                self,
                env,
                obs,
                f"first access from network {network}",
                f"{obs.actor}:{network}",
                network=network,
                known_networks=known,
            )
        ]


class Honeytoken:
    """Any read of a planted canary record: alert at once."""

    name: ClassVar[str] = "honeytoken"
    description: ClassVar[str] = "a honeytoken (canary) record was read"
    severity: ClassVar[str] = "critical"
    Params: ClassVar[type[BaseModel]] = NoParams

    def evaluate(self, obs: Observation, env: RuleEnv, params: NoParams) -> list[Finding]:
        """Intersect the records read with the planted honeytokens."""
        if obs.action not in READ_ACTIONS or not obs.tenant_id or not obs.records:
            return []
        hits = env.facts.honeytokens(obs.tenant_id, obs.records)
        if not hits:
            return []
        return [
            finding(
                self,
                env,
                obs,
                f"honeytoken record read ({obs.action})",
                f"{obs.actor}:{','.join(sorted(hits))}",
                honeytokens=sorted(hits),
            )
        ]


class PurposeOutsideDeclared:
    """A plain read whose purpose is not one the fields declare (or no purpose at all)."""

    name: ClassVar[str] = "purpose-mismatch"
    description: ClassVar[str] = "plain reads for a purpose outside the fields' declared purposes"
    severity: ClassVar[str] = "medium"
    Params: ClassVar[type[BaseModel]] = NoParams

    def evaluate(self, obs: Observation, env: RuleEnv, params: NoParams) -> list[Finding]:
        """Find fields the gate purpose-limited (plain asked, masked given)."""
        if obs.action not in READ_ACTIONS or obs.outcome != "allowed" or not obs.tenant_id:
            return []
        if not (obs.purpose or "").strip():
            return [finding(self, env, obs, "read without a purpose", obs.actor, fields=[])]
        views = obs.detail.get("views")
        if obs.detail.get("view") != "plain" or not isinstance(views, dict):
            return []
        declared = env.facts.declared_purposes(obs.tenant_id)
        limited = sorted(
            name
            for name, view in views.items()
            if view == "masked" and declared.get(name) and obs.purpose not in declared[name]
        )
        if not limited:
            return []
        return [
            finding(
                self,
                env,
                obs,
                f"plain read for purpose {obs.purpose!r} outside "
                f"the declared purposes of {len(limited)} field(s)",
                f"{obs.actor}:{obs.purpose}",
                fields=limited,
            )
        ]


for _rule in (
    BulkRead(),
    LargeExport(),
    OffHours(),
    NewNetwork(),
    Honeytoken(),
    PurposeOutsideDeclared(),
):
    RULES.register(_rule.name, _rule)
