"""An export freeze from incident containment stops exports through the gate."""

from __future__ import annotations

import pytest

from privault.app.bootstrap import Platform
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied
from tests.support.data import customer


def test_frozen_tenant_cannot_export_but_can_still_read(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(3)])
    incident = platform.incidents.open(admin, "stolen laptop", "high", tenant=tenant)
    platform.incidents.contain(admin, incident.id, "freeze-exports", tenant)
    with pytest.raises(AccessDenied, match="incident-freeze"):
        list(platform.gate.pages(admin, tenant, "customer", purpose="backup", view="masked"))
    with pytest.raises(AccessDenied, match="incident-freeze"):
        platform.gate.read(admin, tenant, ids, purpose="backup", action="record.export")
    assert len(platform.gate.read(admin, tenant, ids, purpose="support")) == 3  # reads go on
    denial = [e for e in platform.audit.search(action="record.export") if e.outcome == "denied"]
    assert denial and denial[0].rule == "incident-freeze"
    platform.incidents.unfreeze(admin, incident.id, tenant)
    pages = list(platform.gate.pages(admin, tenant, "customer", purpose="backup", view="masked"))
    assert sum(len(p) for p in pages) == 3
