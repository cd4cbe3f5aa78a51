"""The tokenize operator's deterministic kind and its refusals (the vault kind: integration)."""

from __future__ import annotations

import pytest

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.deid import Binding, DeidKeys, build_operator

KEYS = DeidKeys(Secret(b"d" * 32))


@pytest.mark.parametrize(
    ("params", "other", "same"),
    [
        ({}, {"scope": "billing"}, False),  # scopes separate token spaces
        ({"scope": "crm"}, {"scope": "crm"}, True),  # same scope, same key: same token (joins)
    ],
)
def test_deterministic_tokens(params: dict[str, str], other: dict[str, str], same: bool) -> None:
    a = build_operator("tokenize", params, Binding("EMAIL_ADDRESS", KEYS))
    b = build_operator("tokenize", other, Binding("EMAIL_ADDRESS", KEYS))
    token = a.apply("a@b.example")
    assert token.startswith("dtk_") and len(token) == 30 and "a@b" not in token
    assert (token == b.apply("a@b.example")) is same
    assert a.apply_many(["a@b.example", None]) == [token, None]
    assert not a.reverses
    with pytest.raises(InvalidInput, match="one-way"):
        a.reverse(token)


def test_other_keys_give_unrelated_tokens_and_refusals() -> None:
    other = DeidKeys(Secret(b"e" * 32))
    a = build_operator("tokenize", {}, Binding(None, KEYS)).apply("x")
    assert a != build_operator("tokenize", {}, Binding(None, other)).apply("x")
    with pytest.raises(InvalidInput, match="vault token store"):
        build_operator("tokenize", {"kind": "vault"}, Binding(None, KEYS))
    with pytest.raises(InvalidInput, match="needs a key"):
        build_operator("tokenize", {}, Binding(None, None))
    with pytest.raises(InvalidInput, match="scope"):
        build_operator("tokenize", {"scope": "Bad Scope!"}, Binding(None, KEYS))
