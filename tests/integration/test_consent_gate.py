"""The gate refuses reads for a purpose a data subject opted out of."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from sqlalchemy import Connection

from privault.app.bootstrap import Platform
from privault.app.gate import Gate
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied
from tests.support.data import customer


class OptedOut:
    """A consent store where some subjects refused 'marketing'."""

    def __init__(self, refused: set[str]) -> None:
        self.refused = refused

    def opted_out(
        self, conn: Connection, tenant_id: str, subject_ids: Iterable[str], purpose: str
    ) -> set[str]:
        return set(subject_ids) & self.refused if purpose == "marketing" else set()


def test_opted_out_subjects_are_refused_and_skipped(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(4)])
    gate = Gate(
        platform.data,
        platform.keys,
        platform.tenants,
        platform.vault,
        platform.audit,
        platform.authz,
        consent=OptedOut({"C00001"}),
    )
    with pytest.raises(AccessDenied, match="consent-opt-out"):
        gate.read(admin, tenant, ids[:2], purpose="marketing")
    assert len(gate.read(admin, tenant, ids[:2], purpose="support")) == 2
    listed = gate.page(admin, tenant, purpose="marketing", limit=10)
    assert sorted(r.subject_id for r in listed) == ["C00000", "C00002", "C00003"]
    exported = [
        r
        for page in gate.pages(admin, tenant, None, purpose="marketing", view="masked", page_size=2)
        for r in page
    ]
    assert len(exported) == 3
    denials = [e for e in platform.audit.search(action="record.read") if e.outcome == "denied"]
    assert [e.rule for e in denials] == ["consent-opt-out"]
    assert denials[0].detail["records"] == [ids[1]]
