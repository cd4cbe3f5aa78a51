"""The compliance evidence report as a downloadable file (HTML or PDF)."""

from __future__ import annotations

from dataclasses import dataclass

from privault.app.compliance import ComplianceService
from privault.compliance import render
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class ReportFile:
    """A rendered report: its bytes, media type and a file name."""

    content: bytes
    media_type: str
    filename: str


def report_file(
    service: ComplianceService,
    ctx: RequestContext,
    framework: str | None,
    tenant: str | None,
    fmt: str,
) -> ReportFile:
    """Run the checks (audited) and render the report with the score's trend.

    Raises:
        InvalidInput: a format other than html or pdf, or an unknown framework.
        AccessDenied: ``compliance.run`` or ``compliance.read`` denied.
    """
    if fmt not in ("html", "pdf"):
        raise InvalidInput("the report format is html or pdf")
    a = service.check(ctx, framework, tenant)
    points = service.trend(ctx, framework, tenant)
    name = f"privault-compliance-{framework or 'all'}-{a.at:%Y%m%d}.{fmt}"
    if fmt == "pdf":
        return ReportFile(render.report_pdf(a, points), "application/pdf", name)
    return ReportFile(render.report_html(a, points).encode(), "text/html; charset=utf-8", name)
