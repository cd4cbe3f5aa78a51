"""Retention rule resolution, consent refusal rules, certificate signatures."""

from __future__ import annotations

from datetime import date

import pytest

from privault.core.errors import InvalidInput
from privault.lifecycle import certificate as certs
from privault.lifecycle.consent import check_decision, refused
from privault.lifecycle.retention import parse_policies, resolve

POLICIES = parse_policies(
    """
policies:
  - {category: transactional, keep: 7y}
  - {record_type: customer, keep: 2y}
  - {tenant: acme, record_type: customer, keep: 90d}
  - {record_type: contract, keep: 6y, after: ended_on}
"""
)


@pytest.mark.parametrize(
    ("tenant", "rtype", "category", "fields", "keep", "after"),
    [
        ("acme", "customer", "master", {}, "90d", "last_activity"),  # tenant + type wins
        ("beta", "customer", "master", {}, "2y", "last_activity"),  # type only
        ("beta", "order", "transactional", {}, "7y", "last_activity"),  # category
        ("beta", "contract", "master", {}, "6y", "ended_on"),  # after a date field
        ("beta", "note", "freeform", {"a": "30d", "b": "18m", "c": ""}, "18m", "last_activity"),
    ],
)
def test_resolve(
    tenant: str, rtype: str, category: str, fields: dict[str, str], keep: str, after: str
) -> None:
    rule = resolve(
        POLICIES, tenant=tenant, record_type=rtype, category=category, field_retentions=fields
    )
    assert rule is not None and str(rule.keep) == keep and rule.after == after


def test_no_rule_keeps_and_boundaries() -> None:
    assert resolve((), tenant="a", record_type="x", category="master", field_retentions={}) is None
    rule = resolve((), tenant="a", record_type="x", category="m", field_retentions={"f": "30d"})
    assert rule is not None and rule.source == "schema:x.f"
    anchor = date(2026, 1, 1)
    assert not rule.is_due(anchor, date(2026, 1, 30))  # one day before
    assert rule.is_due(anchor, date(2026, 1, 31))  # on the due day
    assert rule.is_due(anchor, date(2026, 2, 1))  # one day after


@pytest.mark.parametrize(
    "text", ["policies: 3", "policies:\n  - {keep: 3w}", "policies:\n  - {keep: 1d, x: 1}", ":"]
)
def test_bad_policy_files(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_policies(text)


def test_refused() -> None:
    withdrawn = {"s1": {"marketing"}}
    assert refused({"s1", "s2"}, "marketing", withdrawn, set()) == {"s1"}
    assert refused({"s1", "s2"}, "support", withdrawn, {"s2"}) == {"s2"}
    assert refused({"s2"}, "dsr-access", {}, {"s2"}) == set()  # exempt from restriction
    assert check_decision("opt-out") == "withdrawn"
    with pytest.raises(InvalidInput):
        check_decision("maybe")


def test_certificate_sign_verify() -> None:
    seed = bytes(range(32))
    signed = certs.sign({"id": "dcert_1", "counts": {"destroyed": 2}}, seed)
    assert certs.verify(signed)
    assert not certs.verify({**signed, "counts": {"destroyed": 3}})
    assert not certs.verify(signed, public_key=b"\x00" * 32)
    assert not certs.verify({"id": "x"})
