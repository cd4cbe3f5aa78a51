"""Templates, the error page and server-rendered SVG charts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

_env = Environment(
    loader=PackageLoader("privault.interfaces.web", "templates"),
    autoescape=select_autoescape(default=True),
)

NAV = (
    ("/", "Overview"),
    ("/vault", "Vault"),
    ("/scans", "Scans"),
    ("/masking", "Masking jobs"),
    ("/alerts", "Alerts"),
    ("/compliance", "Compliance"),
    ("/lifecycle", "Lifecycle"),
    ("/shares", "Sharing"),
    ("/credentials", "Credentials"),
    ("/incidents", "Incidents"),
    ("/users", "Users"),
    ("/roles", "Roles"),
    ("/apikeys", "API keys"),
    ("/mfa", "MFA"),
    ("/audit", "Audit trail"),
)


def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Render ``template`` with the navigation, the user and the CSRF token."""
    values.setdefault("user", getattr(request.state, "web_user", None))
    values.setdefault("csrf", getattr(request.state, "csrf", ""))
    html = _env.get_template(template).render(
        nav=NAV, path=request.url.path, request=request, **values
    )
    return HTMLResponse(html, status_code=status)


HtmlRenderer = Callable[[Request, int, str, str], Response]


def error_page(request: Request, status: int, code: str, detail: str) -> Response:
    """The HTML form of an error: sign-in redirect for 401, a page otherwise."""
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    return page(request, "error.html", status=status, status_code=status, code=code, detail=detail)


def bar_chart(points: Sequence[tuple[date, int]], *, width: int = 560, height: int = 160) -> Markup:
    """An accessible SVG bar chart of counts per day (styled by the local CSS)."""
    top = max([n for _d, n in points] + [1])
    n = max(len(points), 1)
    gap, base, left = 4, height - 22, 28
    bar_w = (width - left) / n - gap
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="gated reads per day">',
        f'<line class="axis" x1="{left}" y1="{base}" x2="{width}" y2="{base}"/>',
        f'<text class="tick" x="0" y="12">{top}</text>',
        f'<text class="tick" x="0" y="{base}">0</text>',
    ]
    for i, (day, count) in enumerate(points):
        h = 0 if not count else max(2.0, (base - 8) * count / top)
        x = left + i * (bar_w + gap)
        label = escape(f"{day.isoformat()}: {count}")
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" '
            f'height="{h:.1f}"><title>{label}</title></rect>'
        )
        if i % 2 == 0 or n <= 8:
            parts.append(
                f'<text class="tick" x="{x:.1f}" y="{height - 6}">{day.strftime("%d %b")}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and escaped labels
