"""Page helpers of the lifecycle and operations pages: countdowns, the health chart, step-up."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from privault.core.context import RequestContext
from privault.core.errors import AccessDenied
from privault.interfaces.api.deps import Services
from privault.interfaces.web.render import page

HEALTH_ISSUES = ("weak", "reused", "old", "breached")


def chosen_tenant(ctx: RequestContext, svc: Services, tenant: str) -> tuple[list[Any], str]:
    """The visible tenants and the chosen one (the first by default; a foreign one is 404)."""
    tenants = list(svc.platform.tenants.visible(ctx))
    if tenant:
        return tenants, svc.overview.tenant(ctx, tenant).slug
    return tenants, tenants[0].slug if tenants else ""


def days_left(due: date, today: date) -> tuple[str, str]:
    """A deadline in days as (text, css class): ``in 5 d``, ``due today``, ``3 d overdue``."""
    left = (due - today).days
    if left < 0:
        return f"{-left} d overdue", "bad"
    if left == 0:
        return "due today", "bad"
    return f"in {left} d", "warn" if left <= 7 else "good"


def time_left(seconds: float | None, status: str) -> tuple[str, str]:
    """A notification clock as (text, css class) from its remaining seconds and status."""
    if seconds is None:
        return status.replace("-", " "), "bad" if status == "asap" else "muted"
    span = abs(int(seconds))
    text = (
        f"{span // 86400} d {span % 86400 // 3600} h"
        if span >= 86400
        else (f"{span // 3600} h {span % 3600 // 60} min")
    )
    if seconds < 0:
        return f"{text} overdue", "bad"
    return f"in {text}", "warn" if seconds < 12 * 3600 else "good"


def health_chart(counts: Mapping[str, int], total: int, *, width: int = 420) -> Markup:
    """Horizontal bars of credential issues (weak, reused, old, breached) out of ``total``."""
    row, left, top = 30, 80, max(total, 1)
    height = row * len(HEALTH_ISSUES) + 8
    parts = [
        f'<svg class="chart health" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="credential health: issues per kind out of {total} items">'
    ]
    for i, issue in enumerate(HEALTH_ISSUES):
        n = int(counts.get(issue, 0))
        w = (width - left - 40) * n / top
        y = 4 + i * row
        label = escape(f"{issue}: {n} of {total}")
        parts.append(
            f'<text class="tick" x="0" y="{y + 15}">{escape(issue)}</text>'
            f'<rect class="bar {"issue" if n else ""}" x="{left}" y="{y + 3}" '
            f'width="{max(w, 1):.1f}" height="16"><title>{label}</title></rect>'
            f'<text class="tick" x="{left + w + 6:.1f}" y="{y + 15}">{n}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers and escaped labels only


def step_up_or(request: Request, action: Callable[[], Response], back: str) -> Response:
    """Run a sensitive page action; a missing fresh second factor asks for one, then returns."""
    try:
        return action()
    except AccessDenied as exc:
        if exc.fields.get("rule") != "mfa-required":
            raise
        return page(request, "stepup.html", status=403, back=back, detail=exc.message)
