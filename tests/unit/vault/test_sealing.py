"""Envelopes: round trips, and every tamper case rejected."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from privault.core.errors import InvalidCiphertext
from privault.crypto._primitives import Aead, random_bytes
from privault.vault.opening import open_field
from privault.vault.sealing import ENVELOPE_HEADER, blind_index, field_aad, seal_field

KEY = Aead(bytes(range(32)))
AAD = field_aad("tnt_a", "customer", "rec_1", "email")

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=20)


@given(value=st.text(max_size=300), tenant=names, rtype=names, rid=names, field=names)
def test_round_trip_any_value_any_address(
    value: str, tenant: str, rtype: str, rid: str, field: str
) -> None:
    aad = field_aad(tenant, rtype, rid, field)
    env = seal_field(KEY, value, aad)
    assert env.startswith(ENVELOPE_HEADER)
    assert open_field(KEY, env, aad) == value


@given(value=st.text(min_size=1, max_size=100), pos=st.integers(min_value=0))
def test_any_flipped_byte_is_rejected(value: str, pos: int) -> None:
    env = bytearray(seal_field(KEY, value, AAD))
    i = len(ENVELOPE_HEADER) + pos % (len(env) - len(ENVELOPE_HEADER))
    env[i] ^= 0x01
    with pytest.raises(InvalidCiphertext):
        open_field(KEY, bytes(env), AAD)


def test_nonces_differ_for_equal_values() -> None:
    assert seal_field(KEY, "same", AAD) != seal_field(KEY, "same", AAD)


@pytest.mark.parametrize(
    "other",
    [
        field_aad("tnt_a", "customer", "rec_1", "phone"),  # swapped between fields
        field_aad("tnt_a", "customer", "rec_2", "email"),  # between records
        field_aad("tnt_a", "order", "rec_1", "email"),  # between record types
        field_aad("tnt_b", "customer", "rec_1", "email"),  # between tenants
        field_aad("tnt_a", "customer", "rec_1e", "mail"),  # length-prefix ambiguity
    ],
)
def test_ciphertext_moved_elsewhere_is_rejected(other: bytes) -> None:
    env = seal_field(KEY, "jane@example.test", AAD)
    with pytest.raises(InvalidCiphertext):
        open_field(KEY, env, other)


def test_wrong_key_and_wrong_format_are_rejected() -> None:
    env = seal_field(KEY, "x", AAD)
    with pytest.raises(InvalidCiphertext):
        open_field(Aead(random_bytes(32)), env, AAD)
    with pytest.raises(InvalidCiphertext):
        open_field(KEY, b"pv\x02" + env[3:], AAD)  # unknown envelope version
    with pytest.raises(InvalidCiphertext):
        open_field(KEY, env[:10], AAD)  # truncated


@pytest.mark.parametrize(
    ("a", "b", "pii"),
    [
        ("Jane@Example.test ", "jane@example.test", "EMAIL_ADDRESS"),  # case and spaces
        ("+1 (555) 010-0000", "15550100000", "PHONE_NUMBER"),  # formatting
        ("4111-1111-1111-1111", "4111111111111111", "CREDIT_CARD"),
        ("de89 3704 0044 0532 0130 00", "DE89370400440532013000", "IBAN_CODE"),
    ],
)
def test_blind_index_normalises_equal_values(a: str, b: str, pii: str) -> None:
    key = bytes(32)
    assert blind_index(key, a, pii) == blind_index(key, b, pii)
    assert blind_index(key, a, pii) != blind_index(bytes(31) + b"\x01", a, pii)
