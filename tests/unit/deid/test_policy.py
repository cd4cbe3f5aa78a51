"""Policy loading: every mistake is caught at load time, named, value-free."""

from __future__ import annotations

from pathlib import Path

import pytest

from privault.core.errors import InvalidInput
from privault.deid import load_policy


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("entities: {PERSON: shred}", "unknown operator 'shred'; valid: date_shift"),  # operator
        ("entities: {PERSN: fake}", "unknown PII type 'PERSN'"),  # entity type
        ("entities: {PERSON: {operator: mask, colour: red}}", "valid parameters:"),  # param
        ("columns: {a: {operator: hash, length: 8}}", "columns.a"),  # param range
        ("unlisted: sometimes", "unlisted"),  # option value
        ("risk: {k: 1}", "risk.k"),  # k >= 2
        ("locale: english", "locale"),  # locale shape
        ("- a list", "a mapping"),  # not a mapping
        ("entities: {PERSON: [", "not valid YAML"),  # syntax
        ("surprise: 1", "surprise"),  # unknown key
    ],
)
def test_bad_policies(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(")):
        load_policy(text)


def test_shorthands(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "default: redact\nentities:\n  PERSON: fake\n"
        "  US_SSN: {operator: mask, params: {keep_last: 4}}\n"
        "columns:\n  notes: detect\n  zip: {operator: generalize, kind: postcode}\n"
    )
    policy = load_policy(path)
    assert policy.rule_for("PERSON").operator == "fake"
    assert policy.rule_for("URL").operator == "redact"
    assert policy.entities["US_SSN"].params == {"keep_last": 4}
    assert policy.columns["notes"] == "detect"
    assert policy.columns["zip"].params == {"kind": "postcode"}  # type: ignore[union-attr]


def test_missing_file() -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        load_policy(Path("/nonexistent/policy.yaml"))
