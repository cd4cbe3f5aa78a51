"""US state breach laws as data: each rule's deadline with a fixed clock, thresholds, zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.unit.incidents.test_clocks import AWARE, RULES, exposed, run

# (rule, state, days from awareness or None for "no fixed number of days")
DEADLINES = [
    ("ca-individuals", "US-CA", None),  # most expedient time, no number
    ("ny-individuals", "US-NY", 30),  # 899-aa(2) as amended in December 2024
    ("ny-regulators", "US-NY", None),  # with the notice to residents, any number
    ("tx-individuals", "US-TX", 60),
    ("fl-individuals", "US-FL", 30),
    ("wa-individuals", "US-WA", 30),
    ("co-individuals", "US-CO", 30),
    ("ma-individuals-regulators", "US-MA", None),
    ("il-individuals", "US-IL", None),
    ("pa-individuals", "US-PA", None),
    ("oh-individuals", "US-OH", 45),
    ("ga-individuals", "US-GA", None),
    ("nj-individuals", "US-NJ", None),
    ("nj-state-police", "US-NJ", None),  # before residents are told
    ("az-individuals", "US-AZ", 45),
    ("ct-individuals", "US-CT", 60),
    ("ct-attorney-general", "US-CT", 60),
    ("md-individuals", "US-MD", 45),
    ("md-attorney-general", "US-MD", 45),
]

# (rule, state, residents at which it starts to apply, days)
THRESHOLDS = [
    ("ca-attorney-general", "US-CA", 501, None),  # more than 500
    ("tx-attorney-general", "US-TX", 250, 30),  # at least 250 (SB 768: 30 days)
    ("fl-legal-affairs", "US-FL", 500, 30),  # 500 or more
    ("wa-attorney-general", "US-WA", 501, 30),  # more than 500
    ("co-attorney-general", "US-CO", 500, 30),  # 500 or more
    ("il-attorney-general", "US-IL", 501, None),  # more than 500
    ("pa-attorney-general", "US-PA", 501, None),  # more than 500 (Act 33 of 2024)
    ("az-attorney-general", "US-AZ", 1001, 45),  # more than 1,000
]


def iso(days: int) -> str:
    return (AWARE + timedelta(days=days)).isoformat()


def test_every_rule_cites_its_statute() -> None:
    states = [r for r in RULES if r.when.get("states")]
    assert len({r.regulation for r in states}) >= 14
    assert all(r.basis and r.audience for r in states)
    undue = [r for r in states if r.deadline.get("undue_delay")]
    assert all("text" in r.deadline or r.note for r in undue)


@pytest.mark.parametrize(("rule", "state", "days"), DEADLINES)
def test_individual_deadlines(rule: str, state: str, days: int | None) -> None:
    out = run(exposed({state: 3}))[rule]
    assert out["applies"], out["reason"]
    if days is None:
        assert out["due"] is None and out["status"] == "asap"
    else:
        assert out["due"] == iso(days) and out["deadline"] == f"within {days} days"
    other = run(exposed({"US-VT": 3}))[rule]
    assert not other["applies"]  # residents of another state only
    safe = run({"subjects": 3, "exposed_subjects": 0, "jurisdictions": {state: 3}})[rule]
    assert not safe["applies"] and "safe harbour" in safe["reason"]


@pytest.mark.parametrize(("rule", "state", "threshold", "days"), THRESHOLDS)
def test_attorney_general_thresholds(
    rule: str, state: str, threshold: int, days: int | None
) -> None:
    assert not run(exposed({state: threshold - 1}))[rule]["applies"]
    out = run(exposed({state: threshold}))[rule]
    assert out["applies"] and state in out["reason"]
    assert out["due"] == (iso(days) if days else None)
    # The threshold counts residents of that state, not of any state.
    assert not run(exposed({state: 1, "US-OH": threshold + 10}))[rule]["applies"]


def test_hipaa_media_still_counts_any_state() -> None:
    out = run(exposed({"US-OH": 501}), flags=("hipaa",))
    assert out["hipaa-media"]["applies"] and "US-OH" in out["hipaa-media"]["reason"]


def test_time_zone_across_a_dst_change() -> None:
    # Aware 1 March 09:00 UTC (04:00 EST); Florida's 30 days end 31 March 09:00 UTC,
    # which is 05:00 in New York after the switch to daylight saving time.
    out = run(exposed({"US-FL": 2}), tz="America/New_York")
    assert out["fl-individuals"]["due"] == "2026-03-31T05:00:00-04:00"
    la = run(exposed({"US-WA": 2}), tz="America/Los_Angeles")
    assert la["wa-individuals"]["due"] == "2026-03-31T02:00:00-07:00"


def test_discovered_after_the_fact_counts_from_awareness() -> None:
    # The breach ran in January; it was discovered on 1 March: Texas' 60 days start then.
    now = datetime(2026, 4, 29, 9, tzinfo=UTC)  # 59 days after awareness
    out = run(exposed({"US-TX": 300}), now=now)
    assert out["tx-individuals"]["due"] == iso(60) and out["tx-individuals"]["status"] == "open"
    assert out["tx-attorney-general"]["status"] == "overdue"  # its 30 days have passed
    assert out["tx-attorney-general"]["remaining_seconds"] == -29 * 86400


def test_unknown_residence_applies_state_rules_conservatively_but_no_thresholds() -> None:
    out = run(exposed({"unknown": 600}))
    assert out["ny-individuals"]["applies"] and "unknown" in out["ny-individuals"]["reason"]
    assert not out["fl-legal-affairs"]["applies"]
