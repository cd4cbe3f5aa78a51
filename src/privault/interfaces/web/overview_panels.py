"""The overview's data map (PII by client and category) and open alerts panels."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from privault.app.alert_desk import AlertDesk
from privault.app.pii_map import CATEGORIES, ClientPii, pii_map
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied
from privault.interfaces.api.deps import Services
from privault.interfaces.web.charts import SEVERITY_COLOURS, hbars, stacked_bars
from privault.monitor.model import SEVERITIES, Alert


@dataclass(frozen=True)
class PiiPanel:
    """Where PII lives: the chart and its rows."""

    chart: Markup | None
    clients: list[ClientPii]


@dataclass(frozen=True)
class AlertPanel:
    """Open alerts per severity, and the newest ones."""

    chart: Markup
    total: int
    newest: list[Alert]


def overview_panels(
    svc: Services, ctx: RequestContext
) -> tuple[PiiPanel | None, AlertPanel | None]:
    """Both panels; one the user's role may not see is None."""
    p = svc.platform
    clients = pii_map(ctx, p.tenants, p.discovery)
    rows = [(c.name, c.by_category) for c in clients if c.total]
    chart = stacked_bars(rows, CATEGORIES, label="PII columns by client and category")
    pii = PiiPanel(chart if rows else None, clients)
    desk = AlertDesk(p.data, p.authz, p.tenants, p.monitor)
    try:
        counts = desk.open_by_severity(ctx)
        newest = list(desk.list(ctx, states=("open",), limit=5))
    except AccessDenied:
        return pii, None
    bars = hbars(
        [(s, counts[s]) for s in reversed(SEVERITIES)],
        label="open alerts per severity",
        colours=SEVERITY_COLOURS,
    )
    return pii, AlertPanel(bars, sum(counts.values()), newest)
