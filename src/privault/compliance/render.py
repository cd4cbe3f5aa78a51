"""Rendering: HTML reports and pages (Jinja2 templates in the package), PDF via fpdf2."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import jinja2
from fpdf import FPDF

from privault.compliance.catalogue import FRAMEWORK_NAMES, FRAMEWORKS, Control
from privault.compliance.checks import CheckResult
from privault.compliance.scoring import Assessment, TrendPoint, direction
from privault.compliance.transparency import TransparencyFacts

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("privault.compliance", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def title_of(a: Assessment) -> str:
    """The report's title: the framework's name, or "all frameworks"."""
    return FRAMEWORK_NAMES[a.framework] if a.framework else "all frameworks"


def requirements(control: Control) -> list[tuple[str, tuple[str, ...]]]:
    """(framework name, requirements) of a control, in catalogue order."""
    return [
        (FRAMEWORK_NAMES[f], control.requirements[f])
        for f in FRAMEWORKS
        if f in control.requirements
    ]


def evidence_text(res: CheckResult) -> str:
    """A check's evidence as compact JSON."""
    return json.dumps(res.evidence, sort_keys=True, default=str)


def _context(a: Assessment, trend: Sequence[TrendPoint]) -> dict[str, Any]:
    return {
        "a": a,
        "title": title_of(a),
        "scope": f"tenant {a.tenant}" if a.tenant else "all tenants",
        "counts": a.counts(),
        "trend": list(trend),
        "direction": direction(trend),
        "requirements": requirements,
        "evidence": evidence_text,
    }


def report_html(a: Assessment, trend: Sequence[TrendPoint] = ()) -> str:
    """The report as a standalone HTML page."""
    return _ENV.get_template("report.html.j2").render(**_context(a, trend))


def transparency_html(facts: TransparencyFacts) -> str:
    """The customer-facing transparency page."""
    return _ENV.get_template("transparency.html.j2").render(f=facts)


def _latin1(text: str) -> str:
    """Text the PDF core fonts can draw."""
    return text.replace("\u2014", "-").encode("latin-1", "replace").decode("latin-1")


class _Pdf(FPDF):
    def line_of(self, text: str, size: int = 10, style: str = "") -> None:
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, size * 0.5 + 1, _latin1(text), new_x="LMARGIN", new_y="NEXT")


def report_pdf(a: Assessment, trend: Sequence[TrendPoint] = ()) -> bytes:
    """The report as PDF bytes."""
    ctx = _context(a, trend)
    pdf = _Pdf()
    pdf.add_page()
    pdf.line_of(f"Compliance report: {ctx['title']}", 16, "B")
    ref = f" - audit event {a.audit_ref}" if a.audit_ref else ""
    pdf.line_of(f"Scope: {ctx['scope']} - generated {a.at.isoformat()}{ref}")
    c = ctx["counts"]
    pdf.line_of(
        f"Score {a.score}/100, risk {a.level}: {c['pass']} passing, {c['fail']} failing, "
        f"{c['not-applicable']} not applicable",
        12,
        "B",
    )
    for e in a.explanations:
        pdf.line_of(f"- {e}")
    if trend:
        pdf.line_of(f"Trend ({ctx['direction']})", 12, "B")
        for t in trend:
            pdf.line_of(f"{t.at.isoformat()}  score {t.score}  event {t.audit_ref}")
    for r in a.rows:
        pdf.ln(2)
        pdf.line_of(f"{r.control.id} {r.control.title}: {r.result.status.upper()}", 11, "B")
        reqs = "; ".join(f"{f}: {', '.join(q)}" for f, q in requirements(r.control))
        pdf.line_of(f"Requirements: {reqs}", 9)
        checked = r.result.checked_at.isoformat() if r.result.checked_at else "-"
        pdf.line_of(f"Check {r.control.check} at {checked}: {r.result.explanation}", 9)
        pdf.line_of(f"Evidence: {evidence_text(r.result)}", 8)
    return bytes(pdf.output())
