"""Every built-in check, on a passing and a failing fake system."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from privault.compliance.checks import CheckContext, default_registry
from privault.compliance.facts import (
    AuditFact,
    DsrFact,
    EnvelopeStats,
    IncidentFact,
    KeyFact,
    PiiLocation,
    RetentionFact,
    Settings,
    StorageFact,
    TrainingRecord,
    UserFact,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass
class FakeView:
    """A system whose facts are set by the test (defaults: compliant)."""

    settings: Settings = field(
        default_factory=lambda: Settings(
            tls_enabled=True,
            backups_encrypted=True,
            training=(TrainingRecord("ann", "privacy", date(2026, 3, 1)),),
            staff=("ann",),
        )
    )
    envelopes: EnvelopeStats = field(default_factory=lambda: EnvelopeStats(9, 1))
    pii: list[PiiLocation] = field(
        default_factory=lambda: [
            PiiLocation("vault:acme", "customer", "email", ("EMAIL_ADDRESS",), True)
        ]
    )
    user_facts: list[UserFact] = field(
        default_factory=lambda: [UserFact("ann", "user", ("admin",), True)]
    )
    unused: list[tuple[str, str]] = field(default_factory=list)
    key_facts: list[KeyFact] = field(
        default_factory=lambda: [KeyFact("root", "root", 2, 30.0, NOW - timedelta(days=30))]
    )
    audit_fact: AuditFact = field(
        default_factory=lambda: AuditFact(10, 2, 1, 0, NOW - timedelta(days=400), NOW)
    )
    retention_facts: list[RetentionFact] = field(
        default_factory=lambda: [
            RetentionFact("acme", "customer", "master", "6y after x", "policy")
        ]
    )
    dsr_facts: list[DsrFact] = field(
        default_factory=lambda: [
            DsrFact("dsr_1", "access", "completed", date(2026, 5, 30), date(2026, 5, 1))
        ]
    )
    incident_facts: list[IncidentFact] | None = field(default_factory=list)
    storage_fact: StorageFact = field(
        default_factory=lambda: StorageFact(True, True, "privault.example")
    )

    def now(self) -> datetime:
        return NOW

    def storage(self) -> StorageFact:
        return self.storage_fact

    def vault_envelopes(self, tenant: str | None) -> EnvelopeStats:
        return self.envelopes

    def discovered_pii(self, tenant: str | None) -> list[PiiLocation]:
        return self.pii

    def users(self) -> list[UserFact]:
        return self.user_facts

    def unused_grants(self, days: int) -> list[tuple[str, str]]:
        return self.unused

    def keys(self) -> list[KeyFact]:
        return self.key_facts

    def audit(self) -> AuditFact:
        return self.audit_fact

    def retention(self, tenant: str | None) -> list[RetentionFact]:
        return self.retention_facts

    def dsrs(self, tenant: str | None) -> list[DsrFact]:
        return self.dsr_facts

    def incidents(self, tenant: str | None) -> list[IncidentFact] | None:
        return self.incident_facts


FAILING: dict[str, dict[str, Any]] = {
    "vault-fields-encrypted": {"envelopes": EnvelopeStats(9, 1, (("rec_1", "email"),))},
    "no-unprotected-pii": {
        "pii": [PiiLocation("postgresql://crm", "public.users", "mail", ("EMAIL_ADDRESS",), False)]
    },
    "mfa-privileged-users": {"user_facts": [UserFact("bob", "user", ("owner",), False)]},
    "no-unused-admin-grants": {"unused": [("bob", "role admin unused for 90 days")]},
    "keys-rotated": {"key_facts": [KeyFact("acme", "kek", 1, 400.0, NOW - timedelta(days=400))]},
    "audit-chain-verifies": {"audit_fact": AuditFact(10, 2, 1, 1, NOW, NOW)},
    "retention-covers-categories": {
        "retention_facts": [RetentionFact("acme", "note", "freeform", None, None)]
    },
    "dsr-on-time": {
        "dsr_facts": [DsrFact("dsr_2", "erasure", "in_progress", date(2026, 5, 1), None)]
    },
    "incident-clocks": {"incident_facts": [IncidentFact("inc_1", True, NOW - timedelta(hours=1))]},
    # keys in the same database as the data: a backup carries its own keys
    "backups-encrypted": {"storage_fact": StorageFact(False, True, "privault.example")},
    "training-current": {
        "settings": Settings(
            training=(TrainingRecord("ann", "privacy", date(2024, 1, 1)),), staff=("ann", "bob")
        )
    },
    "tls-in-transit": {"settings": Settings(tls_enabled=False)},
}
CTX = CheckContext("acme", NOW)


def test_every_builtin_check_has_a_failing_fixture() -> None:
    assert sorted(FAILING) == default_registry().names()


@pytest.mark.parametrize("name", sorted(FAILING))
def test_check_passes_on_a_compliant_system(name: str) -> None:
    res = default_registry().run(name, CTX, FakeView())
    assert res.status == "pass", res
    assert res.checked_at == NOW


@pytest.mark.parametrize("name", sorted(FAILING))
def test_check_fails_on_a_non_compliant_system(name: str) -> None:
    res = default_registry().run(name, CTX, FakeView(**FAILING[name]))
    assert res.status == "fail", res
    assert res.explanation


@pytest.mark.parametrize(
    ("name", "facts", "reason"),
    [
        ("incident-clocks", {"incident_facts": None}, "no incident service"),
        ("training-current", {"settings": Settings()}, "no training records"),
        (
            "tls-in-transit",
            {"settings": Settings(), "storage_fact": StorageFact(True, None, None)},
            "no server has started",
        ),
        ("mfa-privileged-users", {"user_facts": []}, "no user holds"),
        ("dsr-on-time", {"dsr_facts": []}, "no data-subject request"),
        ("retention-covers-categories", {"retention_facts": []}, "no record type"),
    ],
)
def test_not_applicable_says_why(name: str, facts: dict[str, Any], reason: str) -> None:
    res = default_registry().run(name, CTX, FakeView(**facts))
    assert res.status == "not-applicable" and reason in res.explanation


def test_evidence_counts_and_ids_only() -> None:
    res = default_registry().run(
        "no-unprotected-pii", CTX, FakeView(**FAILING["no-unprotected-pii"])
    )
    assert res.evidence["by_type"] == {"EMAIL_ADDRESS": 1}
    assert res.evidence["locations"] == ["postgresql://crm/public.users.mail"]


def test_a_check_that_raises_fails_visibly_and_unknown_checks_are_na() -> None:
    class Broken(FakeView):
        def keys(self) -> list[KeyFact]:
            raise RuntimeError("boom")

    assert default_registry().run("keys-rotated", CTX, Broken()).status == "fail"
    assert default_registry().run("nope", CTX, FakeView()).status == "not-applicable"


def test_late_closed_dsr_fails_and_service_accounts_are_not_privileged_users() -> None:
    late = [DsrFact("dsr_3", "access", "completed", date(2026, 5, 1), date(2026, 5, 9))]
    res = default_registry().run("dsr-on-time", CTX, FakeView(dsr_facts=late))
    assert res.status == "fail" and res.evidence["answered_late"] == ["dsr_3"]
    svc = [UserFact("etl", "service", ("admin",), False)]
    assert default_registry().run("mfa-privileged-users", CTX, FakeView(user_facts=svc)).status == (
        "not-applicable"
    )
    young = dataclasses.replace(FakeView().audit_fact, first_at=NOW - timedelta(days=3))
    res = default_registry().run("audit-chain-verifies", CTX, FakeView(audit_fact=young))
    assert res.status == "pass" and "system's life" in res.explanation


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        # backups: verified on the live system, a declaration can only make it fail
        ({"envelopes": EnvelopeStats(9, 1, (("rec_1", "email"),))}, "fail"),
        ({"settings": Settings(backups_encrypted=False)}, "fail"),
        ({"settings": Settings(backups_encrypted=None)}, "pass"),
    ],
)
def test_backups_are_verified_not_declared(facts: dict[str, Any], status: str) -> None:
    assert default_registry().run("backups-encrypted", CTX, FakeView(**facts)).status == status


@pytest.mark.parametrize(
    ("storage", "status"),
    [
        (StorageFact(True, True, "0.0.0.0"), "pass"),  # what the running server recorded
        (StorageFact(True, False, "0.0.0.0"), "fail"),
    ],
)
def test_tls_comes_from_the_server_when_not_given(storage: StorageFact, status: str) -> None:
    view = FakeView(settings=Settings(), storage_fact=storage)
    assert default_registry().run("tls-in-transit", CTX, view).status == status
