"""Database plans without a database: addressing, key inheritance, refusals, drafts."""

from __future__ import annotations

import polars as pl
import pytest

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.deid import DeidKeys, load_policy
from privault.deid.sql import ForeignKeyRef, TableShape, fk_order, plan_database
from privault.deid.sql_draft import ColumnFinding, default_rule, draft_policy, draft_yaml

KEYS = DeidKeys(Secret(b"u" * 32))
PEOPLE = TableShape("people", ("id", "email", "bio"), ("id",), (), (("email",),))
PETS = TableShape(
    "pets",
    ("id", "owner", "name"),
    ("id",),
    (ForeignKeyRef(("owner",), "people", ("email",)),),
)
SCHEMAS = {
    "people": {"id": pl.Int64(), "email": pl.String(), "bio": pl.String()},
    "pets": {"id": pl.Int64(), "owner": pl.String(), "name": pl.String()},
}


def _plan(text: str, **kw: object):
    return plan_database(load_policy(text), [PETS, PEOPLE], SCHEMAS, keys=KEYS, **kw)


def test_parents_come_first_and_cycles_are_refused() -> None:
    assert [s.name for s in fk_order([PETS, PEOPLE])] == ["people", "pets"]
    a = TableShape("a", ("x",), ("x",), (ForeignKeyRef(("x",), "b", ("y",)),))
    b = TableShape("b", ("y",), ("y",), (ForeignKeyRef(("y",), "a", ("x",)),))
    with pytest.raises(InvalidInput, match="cycle"):
        fk_order([a, b])
    with pytest.raises(InvalidInput, match="unknown table"):
        fk_order([PETS])


def test_foreign_keys_inherit_and_map_equal_values_equally() -> None:
    plan = _plan("columns: {people.email: {operator: hash, length: 20}}\nunlisted: keep")
    owner = next(c for c in plan.tables["pets"].columns if c.column == "owner")
    assert (owner.describe(), owner.reason) == ("hash(length=20)", "foreign key -> people.email")
    emails = pl.DataFrame({"id": [1, 2], "email": ["a@x.io", "b@x.io"], "bio": ["", ""]})
    pets = pl.DataFrame({"id": [7, 8], "owner": ["b@x.io", "a@x.io"], "name": ["Rex", "Tom"]})
    masked_people = plan.tables["people"].apply(emails)["email"].to_list()
    masked_pets = plan.tables["pets"].apply(pets)["owner"].to_list()
    assert masked_pets == masked_people[::-1] and "a@x.io" not in masked_people


@pytest.mark.parametrize(
    ("policy", "words"),
    [
        ("columns: {people.email: fake}", "UNIQUE"),  # many-to-one on a unique key
        ("columns: {people.email: {operator: encrypt, mode: random}}", "one-to-one"),
        ("columns: {people.email: drop}", "drop"),  # 'drop' is no operator
        ("columns: {people.email: hash, pets.owner: keep}", "inherit"),
        ("columns: {people.email: hash, pets.owner: {operator: hash, length: 32}}", "inherit"),
        ("columns: {people.email: hash, pets.nope: keep}", "pets.nope"),
        ("columns: {people.email: hash, nope: keep}", "nope"),
        ("columns: {people.email: hash}\nrisk: {quasi_identifiers: [age]}", "age"),
        ("columns: {people.email: hash}\nrisk: {k: 3}", "needs quasi-identifier"),  # k of what
        (  # a quasi-identifier the copy drops cannot be measured or generalised
            "columns: {people.email: hash, id: keep}\nunlisted: drop\n"
            "risk: {quasi_identifiers: [bio], k: 3}",
            "dropped by the policy: people.bio",
        ),
        ("columns: {people.bio: keep}\nunlisted: detect", "people.email is UNIQUE: the unlisted"),
    ],
)
def test_refusals(policy: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        _plan(policy if "unlisted" in policy else policy + "\nunlisted: keep")


def test_k_keeps_key_quasi_identifiers_exact_and_generalises_the_others() -> None:
    plan = _plan(
        "columns: {people.email: hash}\nrisk: {quasi_identifiers: [email, bio, owner], k: 3}"
    )
    assert plan.k == 3 and plan.exact == {"people": ("email",), "pets": ("owner",)}
    assert plan.generalised("people") == ("bio",) and plan.generalised("pets") == ()
    people = plan.output_schema(
        "people", {"id": pl.Int64(), "email": pl.String(), "bio": pl.Int64()}
    )
    assert people["bio"] == pl.String()  # ranges, prefixes and '*' are text
    measured = _plan("columns: {people.email: hash}\nrisk: {quasi_identifiers: [bio]}")
    assert measured.k is None and measured.generalised("people") == ()


def test_inherited_rule_may_be_restated() -> None:
    plan = _plan("columns: {people.email: hash, pets.owner: {operator: hash, length: 64}}")
    owner = next(c for c in plan.tables["pets"].columns if c.column == "owner")
    assert owner.reason == "foreign key -> people.email"


def test_bare_names_apply_to_every_table_and_dotted_names_win() -> None:
    plan = _plan("columns: {email: hash, name: redact, pets.name: keep, bio: redact}")
    people = {c.column: c.describe() for c in plan.tables["people"].columns}
    pets = {c.column: c.describe() for c in plan.tables["pets"].columns}
    assert people["bio"] == "redact" and pets["name"] == "keep" and pets["owner"] == "hash"


def test_output_schema_leaves_statistics_alone() -> None:
    plan = _plan("columns: {people.email: hash}\nunlisted: keep")
    schema = plan.output_schema("people", SCHEMAS["people"])
    assert dict(schema) == {"id": pl.Int64(), "email": pl.String(), "bio": pl.String()}
    assert all(s.changed == 0 for s in plan.tables["people"].stats.values())


def test_draft_round_trips_and_protects_keys() -> None:
    findings = {
        "people": {
            "email": ColumnFinding("EMAIL_ADDRESS"),
            "bio": ColumnFinding(None, ("PERSON", "PHONE_NUMBER")),
        },
        "pets": {"owner": ColumnFinding("EMAIL_ADDRESS"), "name": ColumnFinding("PERSON")},
    }
    doc = draft_policy(findings, [PEOPLE, PETS])
    assert doc["columns"] == {
        "people.id": "keep",
        "people.email": "hash",  # unique and referenced: one-to-one
        "people.bio": "detect",
        "pets.id": "keep",
        "pets.name": {"operator": "fake", "kind": "PERSON"},
    }
    assert set(doc["entities"]) == {"EMAIL_ADDRESS", "PERSON", "PHONE_NUMBER"}
    text, policy = draft_yaml(doc, "sqlite:///pets.db")
    assert text.startswith("# privault masking policy drafted") and "&id" not in text
    assert load_policy(text) == policy == load_policy(policy.model_dump(mode="json"))
    plan = plan_database(policy, [PEOPLE, PETS], SCHEMAS, keys=KEYS)  # the draft is usable
    assert {c.column: c.reason for c in plan.tables["pets"].columns}["owner"].startswith(
        "foreign key"
    )


@pytest.mark.parametrize(
    ("pii", "rule"),
    [
        ("PERSON", {"operator": "fake", "kind": "PERSON"}),
        ("CREDIT_CARD", {"operator": "fpe"}),
        ("DATE_TIME", {"operator": "generalize", "kind": "date", "level": "year"}),
        ("SECRET", "redact"),
        ("CRYPTO", "hash"),
    ],
)
def test_default_rules(pii: str, rule: object) -> None:
    assert default_rule(pii) == rule
