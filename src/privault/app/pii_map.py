"""Where PII lives, by client and data category: the overview's data map.

Built from each visible tenant's discovery data map (``scan.read`` per
tenant; tenants the principal may not read are left out, not refused).
Counts PII columns: names and types only, never a value.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from privault.app.discovery import ScanService
from privault.app.tenants import TenantService
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied

CATEGORIES: tuple[str, ...] = ("master", "transactional", "reference", "freeform")


@dataclass(frozen=True, slots=True)
class ClientPii:
    """PII columns of one client, per data category and per PII type."""

    slug: str
    name: str
    by_category: dict[str, int]
    by_type: dict[str, int]

    @property
    def total(self) -> int:
        """PII columns in all categories."""
        return sum(self.by_category.values())


def pii_map(ctx: RequestContext, tenants: TenantService, discovery: ScanService) -> list[ClientPii]:
    """PII columns per client (those ``ctx`` may read the data map of), largest first."""
    out: list[ClientPii] = []
    for t in tenants.visible(ctx):
        try:
            datasets = discovery.data_map(ctx, t.slug)
        except AccessDenied:
            continue
        by_category: Counter[str] = Counter()
        by_type: Counter[str] = Counter()
        for d in datasets:
            for c in d.columns:
                types = {*([c.pii_type] if c.pii_type else []), *c.freeform_pii}
                if types:
                    by_category[d.category] += 1
                    by_type.update(types)
        out.append(ClientPii(t.slug, t.name, dict(by_category), dict(by_type)))
    return sorted(out, key=lambda c: (-c.total, c.slug))
