"""Incidents end to end on SQLite and PostgreSQL: lifecycle, impact from the trail, notices."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from privault.app.bootstrap import Platform
from privault.app.incidents import IncidentService
from privault.audit.repository import EventFilter
from privault.core.clock import FixedClock
from privault.core.context import Principal, RequestContext
from privault.core.errors import Conflict, InvalidInput
from privault.incidents.impact import Selector
from tests.support.data import customer

SCHEMA = """
record_type: client
category: master
subject_field: client_id
fields:
  client_id: {required: true}
  name: {pii: PERSON}
  email: {pii: EMAIL_ADDRESS, tokenize: deterministic}
  card: {pii: CREDIT_CARD, tokenize: fpe}
  street: {pii: LOCATION}
  state: {}
  country: {}
"""
CANARY = "Zebulon Quixotefield"


def service(p: Platform) -> IncidentService:
    return IncidentService(
        p.data, p.audit, p.authz, p.tenants, p.gate, p.identity, p.key_admin, p.clock
    )


def seed(p: Platform, admin: RequestContext) -> list[str]:
    p.tenants.create(admin, "acme", "Acme Ltd")
    p.tenants.apply_schema(admin, "acme", SCHEMA)
    docs = [
        {"client_id": "K1", "name": CANARY, "email": "z@example.test", "card": "4111111111111111",
         "street": "1 Canary Row", "state": "CA", "country": "US"},
        {"client_id": "K2", "name": "Ann Example", "email": "a@example.test",
         "street": "2 Rue", "country": "DE"},
        {"client_id": "K3", "name": "Bo Example", "email": "b@example.test"},
    ]  # fmt: skip
    return p.vault.put_many(admin, "acme", "client", docs)


def test_lifecycle_impact_clocks_containment_notices(
    platform: Platform, admin: RequestContext, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ids = seed(platform, admin)
    start = clock.now()
    mallory = RequestContext(
        Principal("user:mallory", frozenset({"owner"}), mfa_at=start), source="10.0.0.9"
    )
    clock.advance(timedelta(minutes=5))
    platform.gate.read(mallory, "acme", ids[:2], purpose="support", view="plain")
    platform.gate.read(mallory, "acme", [ids[2]], purpose="support", view="masked")
    platform.gate.read(admin, "acme", ids, purpose="support", view="plain")  # not in scope
    clock.advance(timedelta(days=3))  # discovered after the fact
    admin = RequestContext(Principal("user:admin", frozenset({"owner"}), mfa_at=clock.now()))
    svc = service(platform)
    inc = svc.open(admin, "Stolen credentials used", "high", breach=(start, None))
    with pytest.raises(Conflict):
        svc.advance(admin, inc.id, "contained")
    svc.advance(admin, inc.id, "triaged")
    svc.add_member(admin, inc.id, "user:dora", "lead")
    impact = svc.assess(admin, inc.id, Selector(start, clock.now(), source="10.0.0.9"))
    assert impact["subjects"] == 3 and impact["exposed_subjects"] == 2
    assert impact["events"] == 2 and impact["actors"] == ["user:mallory"]
    assert impact["jurisdictions"] == {"DE": 1, "US-CA": 1, "unknown": 1}
    assert "CREDIT_CARD" in impact["exposed_pii_types"]
    assert impact["fields"]["client.name"] == {"pii": "PERSON", "view": "plain"}
    by_principal = svc.assess(admin, inc.id, Selector(start, clock.now(), principal="user:mallory"))
    assert by_principal["subjects"] == 3
    due = {c["rule"]: c for c in svc.clocks(admin, inc.id, tz="Europe/Berlin")}
    assert due["gdpr-art33"]["applies"] and due["ca-individuals"]["applies"]
    assert due["pci-card-brands"]["applies"]
    svc.mark_notified(admin, inc.id, "gdpr-art33", reference="DPA-1")
    assert svc.contain(admin, inc.id, "freeze-exports", "acme").startswith("froze")
    assert svc.is_frozen("acme")
    svc.contain(admin, inc.id, "rotate-keys", "acme")
    svc.advance(admin, inc.id, "contained")
    authority = svc.notice(admin, inc.id, "authority", contact="dpo@acme.test", organisation="Acme")
    assert "froze exports of tenant acme" in authority and "CREDIT_CARD" in authority
    letters = svc.letters(admin, inc.id, contact="dpo@acme.test", organisation="Acme")
    assert len(letters) == 2 and any(CANARY in text for _sid, text in letters)
    for state in ("eradicated", "recovered"):
        svc.advance(admin, inc.id, state)
    with pytest.raises(InvalidInput):
        svc.advance(admin, inc.id, "closed")
    svc.advance(admin, inc.id, "closed", review="MFA for all operators.")
    kinds = [t.kind for t in svc.timeline(admin, inc.id)]
    assert kinds[0] == "open" and kinds.count("containment") == 2 and kinds[-1] == "advance"
    entry = svc.register(admin)[0]
    assert entry["notified"] and entry["measures"] and entry["state"] == "closed"
    # Letters carry names; the trail and logs never do.
    trail = platform.audit.search(limit=1000, where=EventFilter())
    assert CANARY not in json.dumps([e.detail for e in trail], default=str)
    assert CANARY not in caplog.text
    purposes = {e.purpose for e in trail if e.action == "record.read" and e.actor == "user:admin"}
    assert {"incident-response", "breach-notification"} <= purposes


def test_open_from_alert_and_invalid_times(platform: Platform, admin: RequestContext) -> None:
    svc = service(platform)
    with pytest.raises(InvalidInput):
        svc.open(admin, "x", "urgent")
    from datetime import UTC, datetime

    later = datetime(2026, 2, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        svc.open(admin, "x", aware_at=datetime(2026, 1, 1, tzinfo=UTC), breach=(later, None))
    assert svc.list_incidents(admin) == []
    _ = customer  # the shared fake data stays importable
