"""Regulation clocks with a fixed clock: deadlines, time zones, discovery after the fact."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from privault.core.errors import Conflict, InvalidInput
from privault.incidents import clocks
from privault.incidents.model import check_transition

AWARE = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
RULES = clocks.load_rules()


def run(impact: dict[str, Any], flags: tuple[str, ...] = (), severity: str = "high",
        now: datetime = AWARE, tz: str | None = None) -> dict[str, dict[str, Any]]:  # fmt: skip
    facts = clocks.Facts.of(impact, flags, severity)
    obs = clocks.obligations(RULES, facts, AWARE, {})
    return {c["rule"]: c for c in (clocks.countdown(o, now, tz) for o in obs)}


def exposed(juris: dict[str, int], pii: list[str] | None = None) -> dict[str, Any]:
    n = sum(juris.values())
    pii = pii or ["EMAIL_ADDRESS"]
    return {"jurisdictions": juris, "exposed_jurisdictions": juris, "subjects": n,
            "exposed_subjects": n, "pii_types": pii, "exposed_pii_types": pii}  # fmt: skip


def test_gdpr_art33_72h_from_awareness_and_art34_high_risk() -> None:
    out = run(exposed({"DE": 3}))
    assert out["gdpr-art33"]["applies"] and out["gdpr-art33"]["due"] == "2026-03-04T09:00:00+00:00"
    assert out["gdpr-art34"]["applies"] and out["gdpr-art34"]["status"] == "asap"
    low = run(exposed({"DE": 3}), severity="medium")
    assert not low["gdpr-art34"]["applies"] and low["gdpr-art33"]["applies"]
    assert not run(exposed({"US-TX": 3}))["gdpr-art33"]["applies"]


def test_discovery_after_the_fact_counts_from_awareness_not_the_breach() -> None:
    # The breach happened in January; we learnt of it on 1 March: 72 h from 1 March.
    out = run(exposed({"FR": 1}), now=AWARE + timedelta(hours=71))
    assert out["gdpr-art33"]["status"] == "due-soon"
    assert out["gdpr-art33"]["remaining_seconds"] == 3600
    late = run(exposed({"FR": 1}), now=AWARE + timedelta(hours=73))
    assert late["gdpr-art33"]["overdue"] and late["gdpr-art33"]["status"] == "overdue"


def test_time_zones_show_local_due_times() -> None:
    out = run(exposed({"DE": 1}), tz="Europe/Berlin")
    assert out["gdpr-art33"]["due"] == "2026-03-04T10:00:00+01:00"
    ny = run(exposed({"DE": 1}), tz="America/New_York")
    assert ny["gdpr-art33"]["due"] == "2026-03-04T04:00:00-05:00"
    with pytest.raises(InvalidInput):
        run(exposed({"DE": 1}), tz="Mars/Olympus")


def test_hipaa_individuals_hhs_media_and_annual_log() -> None:
    big = run(exposed({"US-CA": 501, "US-TX": 20}), flags=("hipaa",))
    assert big["hipaa-individuals"]["due"] == "2026-04-30T09:00:00+00:00"
    assert big["hipaa-hhs"]["applies"] and not big["hipaa-hhs-log"]["applies"]
    assert big["hipaa-media"]["applies"] and "US-CA" in big["hipaa-media"]["reason"]
    small = run(exposed({"US-TX": 20}), flags=("hipaa",))
    assert not small["hipaa-media"]["applies"] and not small["hipaa-hhs"]["applies"]
    assert small["hipaa-hhs-log"]["due"] == "2027-03-02T00:00:00+00:00"  # end of 1 March
    assert not run(exposed({"US-TX": 20}))["hipaa-individuals"]["applies"]


def test_california_individuals_and_attorney_general_over_500() -> None:
    out = run(exposed({"US-CA": 501}))
    assert out["ca-individuals"]["applies"] and out["ca-attorney-general"]["applies"]
    few = run(exposed({"US-CA": 500}))
    assert few["ca-individuals"]["applies"] and not few["ca-attorney-general"]["applies"]


def test_nis2_24h_72h_and_one_month_after_notification() -> None:
    out = run({}, flags=("nis2",))
    assert out["nis2-early-warning"]["due"] == "2026-03-02T09:00:00+00:00"
    assert out["nis2-notification"]["due"] == "2026-03-04T09:00:00+00:00"
    assert out["nis2-final-report"]["due"] == "2026-04-04T09:00:00+00:00"
    facts = clocks.Facts.of({}, ("nis2",), "high")
    sent = {"nis2-notification": datetime(2026, 3, 3, 12, tzinfo=UTC)}
    final = {o.rule.id: o for o in clocks.obligations(RULES, facts, AWARE, sent)}
    assert final["nis2-final-report"].due == datetime(2026, 4, 3, 12, tzinfo=UTC)


def test_pci_card_brands_24h_only_when_cards_left_readable() -> None:
    out = run(exposed({"US-NY": 2}, ["CREDIT_CARD"]))
    assert out["pci-card-brands"]["due"] == "2026-03-02T09:00:00+00:00"
    safe = {"subjects": 2, "exposed_subjects": 0, "pii_types": ["CREDIT_CARD"],
            "jurisdictions": {"US-NY": 2}}  # fmt: skip
    assert not run(safe)["pci-card-brands"]["applies"]
    assert run({}, flags=("pci",))["pci-flagged"]["due"] == "2026-03-01T09:00:00+00:00"


def test_unknown_jurisdiction_applies_country_rules_conservatively() -> None:
    out = run(exposed({"unknown": 4}))
    assert out["gdpr-art33"]["applies"] and "unknown" in out["gdpr-art33"]["reason"]


def test_safe_harbour_spares_individual_notices() -> None:
    safe = {"subjects": 9, "exposed_subjects": 0, "jurisdictions": {"US-CA": 9}}
    out = run(safe)
    assert (
        not out["ca-individuals"]["applies"] and "safe harbour" in out["ca-individuals"]["reason"]
    )


def test_add_months_clamps_to_month_end() -> None:
    assert clocks.add_months(datetime(2026, 1, 31, tzinfo=UTC), 1).day == 28


def test_state_machine() -> None:
    path = ["detected", "triaged", "contained", "eradicated", "recovered", "closed"]
    for a, b in itertools.pairwise(path):
        check_transition(a, b)
    check_transition("triaged", "closed")
    with pytest.raises(Conflict):
        check_transition("detected", "contained")
    with pytest.raises(Conflict):
        check_transition("closed", "triaged")
    with pytest.raises(InvalidInput):
        check_transition("detected", "exploded")
