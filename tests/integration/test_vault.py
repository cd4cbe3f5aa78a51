"""The vault through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from privault.app.bootstrap import Platform
from privault.core.context import Principal, RequestContext
from privault.core.errors import (
    AccessDenied,
    Conflict,
    InvalidInput,
    KeyDestroyed,
    NotFound,
)
from privault.crypto.fpe import luhn_valid
from tests.support.data import customer


def test_put_and_read_in_every_view(platform: Platform, tenant: str, admin: RequestContext) -> None:
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    plain = platform.gate.read(admin, tenant, [rid], purpose="support", view="plain")[0]
    assert plain.fields["email"] == "person1@example.test"
    assert plain.fields["visits"] == 1 and plain.fields["birth_date"] == "1980-02-29"
    assert plain.subject_id == "C00001"
    masked = platform.gate.read(admin, tenant, [rid], purpose="support")[0].fields
    assert masked["email"] == "p***@example.test"
    assert masked["card"] == "**** **** **** 1111"
    assert masked["ssn"] == "***-**-6789"
    assert masked["name"].startswith("T") and "estname" not in masked["name"]
    assert masked["visits"] == "1"  # no PII type: shown as is
    assert "order" not in masked["notes"]  # freeform: masked whole
    tokens = platform.gate.read(admin, tenant, [rid], purpose="support", view="token")[0].fields
    assert tokens["email"].startswith("dtk_") and tokens["ssn"].startswith("tok_")
    assert luhn_valid(tokens["card"].replace(" ", "")) and tokens["card"].endswith("1111")
    assert tokens["card"] != "4111 1111 1111 1111"
    assert tokens["name"].startswith("vtk_")  # display-only token
    red = platform.gate.read(admin, tenant, [rid], purpose="support", view="redacted")[0]
    assert red.fields["email"] == "[EMAIL_ADDRESS]"


def test_find_by_blind_index_and_normalisation(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(5)])
    hits = platform.gate.find(
        admin, tenant, "customer", "email", " PERSON3@Example.test", purpose="support", view="plain"
    )
    assert [h.id for h in hits] == [ids[3]]
    assert (
        platform.gate.find(admin, tenant, "customer", "email", "nobody@x.test", purpose="support")
        == []
    )
    with pytest.raises(InvalidInput, match="not searchable"):
        platform.gate.find(admin, tenant, "customer", "name", "x", purpose="support")


def test_update_delete_and_pages(platform: Platform, tenant: str, admin: RequestContext) -> None:
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(7)])
    platform.vault.update(admin, tenant, ids[0], {"email": "new@example.test"})
    got = platform.gate.read(admin, tenant, [ids[0]], purpose="support", view="plain")[0]
    assert got.fields["email"] == "new@example.test" and got.fields["name"] == "Testname Person0"
    platform.vault.delete(admin, tenant, ids[1])
    with pytest.raises(NotFound):
        platform.gate.read(admin, tenant, [ids[1]], purpose="support")
    pages = list(
        platform.gate.pages(admin, tenant, "customer", purpose="export", view="masked", page_size=4)
    )
    assert [len(p) for p in pages] == [4, 2]
    first = platform.gate.page(admin, tenant, purpose="x", limit=3)
    rest = platform.gate.page(admin, tenant, purpose="x", after=first[-1].id, limit=10)
    assert len(first) + len(rest) == 6


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"nope": "x"}, "unknown field 'nope'"),
        ({"visits": "many"}, "field 'visits': expected integer"),
        ({"birth_date": "29/02/1980"}, "field 'birth_date': expected date"),
        ({"name": ""}, "missing required field"),
    ],
)
def test_bad_input_names_line_and_writes_nothing(
    platform: Platform, tenant: str, admin: RequestContext, bad: dict[str, str], message: str
) -> None:
    items = [customer(1), customer(2), customer(3, **bad)]
    with pytest.raises(InvalidInput, match=f"line 3: {message}") as info:
        platform.vault.put_many(admin, tenant, "customer", items, batch_size=1)
    for value in bad.values():
        if value:
            assert value not in str(info.value)
    assert platform.gate.page(admin, tenant, purpose="check") == []


def test_tenants_are_isolated(platform: Platform, tenant: str, admin: RequestContext) -> None:
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    platform.tenants.create(admin, "other")
    with pytest.raises(NotFound):
        platform.gate.read(admin, "other", [rid], purpose="support")
    with pytest.raises(NotFound, match="unknown tenant"):
        platform.gate.read(admin, "ghost", [rid], purpose="support")


def test_denied_reads_are_audited_and_return_nothing(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    nobody = RequestContext(Principal("user:eve", frozenset({"auditor"})))
    with pytest.raises(AccessDenied, match="default-deny"):
        platform.gate.read(nobody, tenant, [rid], purpose="support", view="plain")
    scoped = RequestContext(Principal("user:tech", tenant_roles=frozenset({("x", "admin")})))
    with pytest.raises(AccessDenied, match="tenant-scope"):
        platform.gate.read(scoped, tenant, [rid], purpose="support")
    denials = platform.audit.search(actor="user:eve")
    assert [e.outcome for e in denials] == ["denied"] and denials[0].rule == "default-deny"
    with pytest.raises(InvalidInput, match="purpose"):
        platform.gate.read(admin, tenant, [rid], purpose=" ")


def test_every_read_leaves_an_audit_event(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    platform.gate.read(admin, tenant, [rid], purpose="billing", view="plain", fields=["email"])
    event = platform.audit.search(action="record.read")[0]
    assert event.purpose == "billing" and event.detail["records"] == [rid]
    assert event.detail["view"] == "plain" and event.detail["fields"] == ["email"]
    assert event.actor == "user:admin" and event.rule == "role:owner"


def test_tokens_round_trip_through_the_gate(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    toks = platform.gate.read(admin, tenant, [rid], purpose="x", view="token")[0].fields
    back = platform.gate.detokenize(admin, tenant, [toks["email"], toks["ssn"]], purpose="x")
    assert back == ["person1@example.test", "123-45-6789"]
    assert platform.gate.detokenize(
        admin, tenant, [toks["card"]], purpose="x", scope="customer.card"
    ) == ["4111 1111 1111 1111"]
    for kind in ("random", "deterministic"):
        out = platform.vault.tokenize(
            admin, tenant, ["a@b.test", "a@b.test"], kind=kind, scope="leads"
        )
        assert (out[0] == out[1]) is (kind == "deterministic")
        assert platform.gate.detokenize(admin, tenant, out, purpose="x") == ["a@b.test"] * 2
    fpe = platform.vault.tokenize(
        admin, tenant, ["078-05-1120"], kind="fpe", scope="hr", pii="US_SSN"
    )
    assert len(fpe[0]) == 11 and fpe[0][3] == "-"
    assert platform.gate.detokenize(admin, tenant, fpe, purpose="x", scope="hr", pii="US_SSN") == [
        "078-05-1120"
    ]
    with pytest.raises(NotFound):
        platform.gate.detokenize(admin, tenant, ["tok_doesnotexist"], purpose="x")


def test_deterministic_batches_store_only_new_values(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    first = [f"lead{i}@example.test" for i in range(6)]
    known = platform.vault.tokenize(admin, tenant, first, kind="deterministic", scope="leads")
    mixed = first[:3] + [f"new{i}@example.test" for i in range(3)] + first[:1]
    out = platform.vault.tokenize(admin, tenant, mixed, kind="deterministic", scope="leads")
    assert out[:3] == known[:3] and out[6] == known[0] and len(set(out)) == 6
    assert platform.gate.detokenize(admin, tenant, out, purpose="x") == mixed
    again = platform.vault.tokenize(admin, tenant, mixed, kind="deterministic", scope="leads")
    assert again == out
    assert platform.gate.detokenize(admin, tenant, again, purpose="x") == mixed


def test_the_same_new_values_tokenized_at_once_by_two_callers(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    for round_ in range(8):
        values = [f"r{round_}-{i}@example.test" for i in range(200)]
        start = Barrier(2)

        def tokenize(
            _n: int, values: list[str] = values, start: Barrier = start, round_: int = round_
        ) -> list[str]:
            start.wait()
            # A new scope each round: both callers also race to create its key.
            scope = f"s{round_}"
            return platform.vault.tokenize(admin, tenant, values, kind="deterministic", scope=scope)

        with ThreadPoolExecutor(max_workers=2) as pool:
            first, second = pool.map(tokenize, range(2))
        assert first == second
        back = platform.gate.detokenize(admin, tenant, first, purpose="x", scope=f"s{round_}")
        assert back == values


def test_shred_destroys_key_records_and_tokens(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    keep = platform.vault.put(admin, tenant, "customer", customer(2))
    gone = platform.vault.put(admin, tenant, "customer", customer(1))
    toks = platform.gate.read(admin, tenant, [gone], purpose="x", view="token")[0].fields
    result = platform.vault.shred(admin, tenant, "C00001")
    assert result.key_destroyed and result.records_deleted == 1 and result.tokens_deleted == 2
    with pytest.raises(NotFound):
        platform.gate.read(admin, tenant, [gone], purpose="x")
    with pytest.raises(NotFound):
        platform.gate.detokenize(admin, tenant, [toks["ssn"]], purpose="x")
    assert platform.gate.read(admin, tenant, [keep], purpose="x", view="plain")[0].fields
    with pytest.raises(Conflict, match="shredded"):
        platform.vault.put(admin, tenant, "customer", customer(1))
    again = platform.vault.shred(admin, tenant, "C00001")
    assert not again.key_destroyed and again.records_deleted == 0


def test_update_of_shredded_subject_fails(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    rid = platform.vault.put(admin, tenant, "customer", customer(1))
    platform.keys.shred_subject(platform.tenants.get(tenant).id, "C00001")
    with pytest.raises(KeyDestroyed):
        platform.vault.update(admin, tenant, rid, {"visits": 3})
    with pytest.raises(KeyDestroyed):
        platform.gate.read(admin, tenant, [rid], purpose="x")
