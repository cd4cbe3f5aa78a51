"""Each built-in rule on a table of observations, with a fixed clock and in-memory state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from privault.core.errors import ConfigurationError, UnknownPlugin
from privault.monitor.config import MonitorConfig, RuleConfig, parse_monitor_config
from privault.monitor.engine import MonitorEngine
from privault.monitor.model import Observation
from privault.monitor.state import MemoryState

MONDAY_10 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # a Monday, business hours


class Facts:
    def __init__(self) -> None:
        self.canaries = {("t1", "rec_canary")}
        self.purposes = {"customer.email": ("support",), "customer.card": ("billing",)}

    def honeytokens(self, tenant_id: str, record_ids: Sequence[str]) -> list[str]:
        return [r for r in record_ids if (tenant_id, r) in self.canaries]

    def declared_purposes(self, tenant_id: str) -> Mapping[str, tuple[str, ...]]:
        return self.purposes


def obs(action: str = "record.read", *, ts: datetime = MONDAY_10, **kw: Any) -> Observation:
    base: dict[str, Any] = {
        "id": f"evt_{action}_{ts.timestamp()}",
        "ts": ts,
        "tenant_id": "t1",
        "actor": "user:alice",
        "action": action,
        "resource": "tenants/acme/records",
        "outcome": "allowed",
        "rule": "role:admin",
        "purpose": "support",
        "source": "10.0.0.5",
        "detail": {"records": ["rec_1"], "view": "masked", "views": {}},
    }
    base.update(kw)
    return Observation(**base)


def rules_hit(observations: list[Observation], config: MonitorConfig | None = None) -> list[str]:
    engine = MonitorEngine(config or MonitorConfig())
    state, facts = MemoryState(), Facts()
    return [f.rule for f in engine.evaluate_all(observations, state, facts)]


def recs(n: int, prefix: str = "r") -> dict[str, Any]:
    return {"records": [f"{prefix}{i}" for i in range(n)], "view": "masked", "views": {}}


@pytest.mark.parametrize(
    ("observations", "expected"),
    [
        # an ordinary read in business hours raises nothing
        ([obs()], []),
        # a read that touches a canary record alerts at once
        ([obs(detail=recs(2) | {"records": ["r1", "rec_canary"]})], ["honeytoken"]),
        # 150 subjects in one read, no baseline: above the absolute floor of 100
        ([obs(detail=recs(150))], ["bulk-read"]),
        # 90 subjects: under the floor
        ([obs(detail=recs(90))], []),
        # a read at 23:30 on a Monday
        ([obs(ts=MONDAY_10.replace(hour=23, minute=30))], ["off-hours"]),
        # a read on Saturday morning
        ([obs(ts=MONDAY_10 + timedelta(days=5))], ["off-hours"]),
        # the first network ever is learnt; a second one is new
        ([obs(), obs(source="203.0.113.9", ts=MONDAY_10 + timedelta(minutes=1))], ["new-network"]),
        # the same /24 is not a new network
        ([obs(), obs(source="10.0.0.77", ts=MONDAY_10 + timedelta(minutes=1))], []),
        # CLI sources are not addresses: ignored
        ([obs(source="cli"), obs(source="203.0.113.9")], []),
        # five failed sign-ins on one account within ten minutes
        (
            [
                obs(
                    "auth.login",
                    outcome="failed",
                    resource="users/bob",
                    source=f"198.51.100.{i}",
                    ts=MONDAY_10 + timedelta(minutes=i),
                    actor="user:bob",
                    detail={},
                )
                for i in range(5)
            ],
            ["failed-logins"],
        ),
        # four are not a burst
        (
            [
                obs(
                    "auth.login",
                    outcome="failed",
                    resource="users/bob",
                    actor="user:bob",
                    ts=MONDAY_10 + timedelta(minutes=i),
                    detail={},
                )
                for i in range(4)
            ],
            [],
        ),
        # five failures spread over an hour are not a burst either
        (
            [
                obs(
                    "auth.login",
                    outcome="failed",
                    resource="users/bob",
                    source=f"198.51.100.{i}",
                    ts=MONDAY_10 + timedelta(minutes=15 * i),
                    actor="user:bob",
                    detail={},
                )
                for i in range(5)
            ],
            [],
        ),
        # five wrong TOTP codes at enrolment confirmation
        (
            [
                obs(
                    "mfa.confirm",
                    outcome="failed",
                    resource="users/bob",
                    actor="user:bob",
                    ts=MONDAY_10 + timedelta(seconds=i),
                    detail={},
                )
                for i in range(5)
            ],
            ["mfa-failures"],
        ),
        # granting admin is an escalation; granting a custom role is not
        (
            [obs("role.grant", resource="users/eve/roles/admin", detail={})],
            ["privilege-escalation"],
        ),
        ([obs("role.grant", resource="users/eve/roles/support", detail={})], []),
        # key rotation on a Monday morning is outside the default window (Sat 02-06 UTC)
        ([obs("key.rotate", resource="keys", detail={})], ["key-change-window"]),
        # …inside it, fine
        (
            [
                obs(
                    "key.rotate",
                    resource="keys",
                    detail={},
                    ts=datetime(2026, 1, 10, 3, tzinfo=UTC),
                )
            ],
            [],
        ),
        # a plain read for "marketing" of fields declared for support/billing only
        (
            [
                obs(
                    purpose="marketing",
                    detail={
                        "records": ["r1"],
                        "view": "plain",
                        "views": {"customer.email": "masked"},
                    },
                )
            ],
            ["purpose-mismatch"],
        ),
        # the declared purpose: no alert
        (
            [obs(purpose="support", detail={"records": ["r1"], "view": "plain", "views": {}})],
            [],
        ),
        # a read without any purpose
        ([obs(purpose=None)], ["purpose-mismatch"]),
        # services flag break-glass themselves
        (
            [obs("breakglass.open", outcome="alert", detail={"severity": "critical"})],
            ["flagged-event"],
        ),
        # large export: 1200 records in two pages
        (
            [
                obs("record.export", detail=recs(600, "a")),
                obs("record.export", detail=recs(600, "b")),
            ],
            ["large-export"],
        ),
    ],
)
def test_rule_table(observations: list[Observation], expected: list[str]) -> None:
    assert sorted(set(rules_hit(observations))) == sorted(expected)


def test_bulk_read_follows_the_principal_baseline() -> None:
    engine = MonitorEngine(
        MonitorConfig(rules={"bulk-read": RuleConfig(params={"min_records": 10, "factor": 3})})
    )
    state, facts = MemoryState(), Facts()
    start = MONDAY_10 - timedelta(days=3)
    for hour in range(72):  # a steady 20 records an hour for three days
        t = start + timedelta(hours=hour)
        engine.evaluate(obs(ts=t, detail=recs(20, f"h{hour}_")), state, facts)
    normal = engine.evaluate(obs(ts=MONDAY_10, detail=recs(25, "n")), state, facts)
    assert [f.rule for f in normal if f.rule == "bulk-read"] == []
    burst = engine.evaluate(
        obs(ts=MONDAY_10 + timedelta(minutes=5), detail=recs(200, "b")), state, facts
    )
    found = [f for f in burst if f.rule == "bulk-read"]
    assert found and found[0].score is not None and found[0].score > 5
    assert found[0].detail["baseline_per_window"] == pytest.approx(20, rel=0.1)


def test_config_overrides_thresholds_severity_and_disables_rules() -> None:
    config = parse_monitor_config(
        """
        rules:
          off-hours: {enabled: false}
          bulk-read: {severity: critical, params: {min_records: 5}}
          honeytoken: {response: [lock_user]}
        """
    )
    engine = MonitorEngine(config)
    assert engine.rule("off-hours") is None
    bulk = engine.rule("bulk-read")
    assert bulk is not None and bulk.severity == "critical"
    honey = engine.rule("honeytoken")
    assert honey is not None and honey.response == ("lock_user",)
    late = obs(ts=MONDAY_10.replace(hour=23), detail=recs(6))
    assert [f.rule for f in engine.evaluate(late, MemoryState(), Facts())] == ["bulk-read"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("rules: {no-such-rule: {}}", UnknownPlugin),  # names the valid rules
        ("rules: {bulk-read: {params: {min_records: 0}}}", ConfigurationError),
        ("rules: {bulk-read: {params: {bogus: 1}}}", ConfigurationError),
        ("rules: {bulk-read: {severity: extreme}}", ConfigurationError),
        ("sinks: [", ConfigurationError),
    ],
)
def test_bad_config_is_refused(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        MonitorEngine(parse_monitor_config(text))
