"""The catalogue, scoring, training CSV and rendering (HTML and PDF text)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from privault.compliance import catalogue as cat
from privault.compliance import render
from privault.compliance.checks import CheckResult, default_registry
from privault.compliance.scoring import TrendPoint, assess, direction, level
from privault.compliance.training import parse_training_csv, stale_staff
from privault.compliance.transparency import (
    CollectedField,
    CollectedType,
    TransparencyFacts,
    right_statements,
)
from privault.core.errors import InvalidInput

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_catalogue_maps_every_control_to_requirements_and_a_registered_check() -> None:
    controls = cat.load_catalogue()
    names = set(default_registry().names())
    assert {c.check for c in controls} == names
    pci = {r for c in cat.controls_for(controls, "PCI") for r in c.requirements["pci-dss"]}
    assert {"3.5.1", "8.4.2", "10.2.1"} <= pci
    assert any("164.312(a)(2)(iv)" in c.requirements.get("hipaa", ()) for c in controls)
    assert any("Art. 32" in c.requirements.get("gdpr", ()) for c in controls)
    assert any("1798.150" in c.requirements.get("ccpa", ()) for c in controls)


def test_catalogue_rejects_bad_input() -> None:
    with pytest.raises(InvalidInput):
        cat.framework("sox")
    with pytest.raises(InvalidInput):
        cat.parse_catalogue("controls: [{id: X}]")


def _results(fail: set[str]) -> dict[str, CheckResult]:
    return {
        c.check: CheckResult(
            c.check, "fail" if c.id in fail else "pass", f"{c.check} said so", {"n": 1}, NOW
        )
        for c in cat.load_catalogue()
    }


def test_score_weighs_severity_and_explains_failures() -> None:
    controls = cat.controls_for(cat.load_catalogue(), "pci-dss")
    clean = assess(controls, _results(set()), framework="pci-dss", tenant="acme", at=NOW)
    assert clean.score == 100 and clean.level == "low" and not clean.explanations
    bad = assess(controls, _results({"PV-ENC-01"}), framework="pci-dss", tenant="acme", at=NOW)
    assert bad.score < 100 and bad.failing == ["PV-ENC-01"]
    assert bad.explanations[0].startswith("PV-ENC-01 (high)")
    assert level(75) == "medium" and level(10) == "high"
    pts = [TrendPoint(NOW, 80, (), "e1"), TrendPoint(NOW, 90, (), "e2")]
    assert direction(pts) == "improving" and direction(pts[:1]) == "new"


def test_training_csv() -> None:
    recs = parse_training_csv("name,course,completed_on\nann,privacy,2026-01-02\n")
    assert recs[0].completed_on == date(2026, 1, 2)
    assert stale_staff(recs, ["bob"], date(2026, 6, 1), 365) == ["bob"]
    with pytest.raises(InvalidInput, match="line 2"):
        parse_training_csv("name,course,completed_on\nann,privacy,yesterday\n")
    with pytest.raises(InvalidInput):
        parse_training_csv("who,when\n")


def test_report_renders_html_and_pdf_with_evidence() -> None:
    controls = cat.controls_for(cat.load_catalogue(), "pci-dss")
    a = assess(controls, _results({"PV-MFA-01"}), framework="pci-dss", tenant="acme", at=NOW)
    trend = [
        TrendPoint(NOW - timedelta(days=1), 100, (), "evt_old"),
        TrendPoint(NOW, a.score, tuple(a.failing), "evt_new"),
    ]
    html = render.report_html(a, trend)
    assert "PCI DSS v4.0" in html and "PV-MFA-01" in html and "8.4.2" in html
    assert "evt_old" in html and "worsening" in html
    pdf = render.report_pdf(a, trend)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Compliance report: PCI DSS v4.0" in text
    assert "PV-MFA-01" in text and "FAIL" in text and "8.4.2" in text
    assert f"score {a.score}" in text.lower()


def test_transparency_page_states_configuration_only() -> None:
    facts = TransparencyFacts(
        "Acme Ltd",
        NOW,
        (
            CollectedType(
                "customer",
                "master",
                "",
                (CollectedField("email", "master", "EMAIL_ADDRESS", ("support",)),),
                "6y after last_activity",
            ),
        ),
        ("Encrypted.",),
        right_statements(("access", "erasure")),
        "privacy@acme.test",
    )
    html = render.transparency_html(facts)
    assert "EMAIL_ADDRESS" in html and "support" in html and "6y after last_activity" in html
    assert "privacy@acme.test" in html and "erase your data" in html
