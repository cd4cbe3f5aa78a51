"""Items: sealing parts and item-level sharing."""

from __future__ import annotations

import pytest

from privault.core.errors import InvalidCiphertext, InvalidInput
from privault.core.secret import Secret
from privault.credentials import items
from privault.crypto._primitives import Aead, random_bytes


def test_parts_are_bound_to_item_and_version() -> None:
    aead = Aead(random_bytes(32))
    sealed = items.seal_secrets(
        aead, items.ItemSecrets(Secret("pw")), items.aad("t", "i", "secret", 1)
    )
    assert (
        items.open_secrets(aead, sealed, items.aad("t", "i", "secret", 1)).password.reveal() == "pw"
    )
    for wrong in (("t", "j", "secret", 1), ("t", "i", "meta", 1), ("t", "i", "secret", 2)):
        with pytest.raises(InvalidCiphertext):
            items.open_secrets(aead, sealed, items.aad(*wrong))


@pytest.mark.parametrize(
    ("principal", "roles", "users", "shared_roles", "allowed"),
    [
        ("user:amy", frozenset(), [], [], True),  # not restricted: the policy decides
        ("user:amy", frozenset(), ["user:amy"], [], True),  # named user
        ("user:amy/apikey:k1", frozenset(), ["user:amy"], [], True),  # her API key too
        ("user:bob", frozenset({"technician"}), ["user:amy"], [], False),  # someone else
        ("user:bob", frozenset({"network"}), ["user:amy"], ["network"], True),  # by role
    ],
)
def test_may_open(principal, roles, users, shared_roles, allowed) -> None:
    assert items.may_open(principal, roles, users, shared_roles) is allowed


def test_secret_field_names() -> None:
    s = items.ItemSecrets(Secret("p"), fields={"PIN": Secret("1")})
    assert s.get("field:PIN").reveal() == "1"
    with pytest.raises(InvalidInput, match="valid: password"):
        s.get("pin")
