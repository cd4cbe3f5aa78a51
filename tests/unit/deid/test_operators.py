"""Operators: a table per operator, round trips, consistency, keys and errors."""

from __future__ import annotations

import random
import secrets
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privault.core.errors import InvalidCiphertext, InvalidInput, UnknownPlugin
from privault.core.secret import Secret
from privault.crypto.fpe import luhn_valid, ssn_valid
from privault.deid import OPERATORS, Binding, DeidKeys, build_operator

KEY = DeidKeys(Secret(b"k" * 32))
OTHER = DeidKeys(Secret(b"o" * 32))
CANARY = "4929 1234 5678 0007"  # not Luhn-valid: must never reach a message


def op(name: str, entity: str | None = None, keys: DeidKeys | None = KEY, **params: Any):
    return build_operator(name, params, Binding(entity, keys))


@pytest.mark.parametrize(
    ("name", "entity", "params", "value", "expected"),
    [
        ("redact", "PERSON", {}, "Jane Doe", ""),  # removes the span entirely
        ("replace", "PERSON", {}, "Jane Doe", "<PERSON>"),  # default: <TYPE>
        ("replace", "PERSON", {"new_value": "X"}, "Jane Doe", "X"),  # fixed replacement
        ("mask", None, {}, "secret", "******"),  # everything masked, length kept
        ("mask", None, {"chars_to_mask": 3}, "secret", "***ret"),  # first N
        ("mask", None, {"chars_to_mask": 3, "from_end": True}, "secret", "sec***"),  # last N
        ("mask", None, {"chars_to_mask": 99}, "ab", "**"),  # N longer than the value
        ("mask", None, {"keep_last": 4}, "4111111111111111", "************1111"),  # keep last 4
        ("mask", None, {"keep_last": 4}, "abc", "***"),  # too short: masked whole
        ("mask", None, {"masking_char": "#", "keep_last": 2}, "1234", "##34"),  # other char
        ("keep", None, {}, "as is", "as is"),  # explicit no-op
        ("generalize", None, {}, "37", "30-39"),  # numbers to ranges
        ("generalize", None, {"width": 5}, "37.5", "35-39"),  # custom width
        ("generalize", None, {"width": 2.5}, "3.1", "2.5-5"),  # fractional width
        ("generalize", None, {"kind": "age"}, "93", "90+"),  # ages: open top band
        ("generalize", None, {"kind": "age", "top": 80}, "79", "70-79"),  # below the top
        ("generalize", "DATE_TIME", {}, "1985-03-14", "1985-03"),  # dates to month
        ("generalize", "DATE_TIME", {"level": "year"}, "March 14, 1985", "1985"),  # to year
        ("generalize", "DATE_TIME", {}, "born in 1985 sometime", "1985"),  # year fallback
        ("generalize", None, {"kind": "postcode"}, "SW1A 1AA", "SW1****"),  # prefix kept
        ("generalize", None, {}, "not a number", "<VALUE>"),  # never the original
    ],
)
def test_unkeyed_operators(name: str, entity: str | None, params: dict, value: str, expected: str):
    assert op(name, entity, None, **params).apply(value) == expected


@pytest.mark.parametrize(
    ("name", "entity", "params", "value", "check"),
    [
        # hash: 64 hex chars, HMAC under the key
        ("hash", None, {}, "a@b.io", lambda o: len(o) == 64 and int(o, 16) >= 0),
        # hash: cut to length
        ("hash", None, {"length": 16}, "a@b.io", lambda o: len(o) == 16),
        # fpe card: same grouping, last four kept, Luhn-valid
        (
            "fpe",
            "CREDIT_CARD",
            {},
            "4111 1111 1111 1111",
            lambda o: (
                o[-4:] == "1111"
                and o.count(" ") == 3
                and luhn_valid(o.replace(" ", ""))
                and o != "4111 1111 1111 1111"
            ),
        ),
        # fpe SSN: valid SSN, same shape
        (
            "fpe",
            "US_SSN",
            {},
            "123-45-6789",
            lambda o: ssn_valid(o.replace("-", "")) and o[3] == "-" and o[6] == "-",
        ),
        # fpe phone: format and prefix kept
        (
            "fpe",
            "PHONE_NUMBER",
            {},
            "+1 (415) 555-0100",
            lambda o: o.startswith("+1 (41") and len(o) == len("+1 (415) 555-0100"),
        ),
        # fpe generic digits: non-digits kept
        (
            "fpe",
            "US_BANK_NUMBER",
            {},
            "AC-12345678",
            lambda o: o.startswith("AC-") and o[3:].isdigit(),
        ),
        # fpe: a value that does not fit is redacted, never kept
        ("fpe", "CREDIT_CARD", {}, CANARY, lambda o: o == ""),
        # fake person: two words, not the input
        ("fake", "PERSON", {}, "Jane Doe", lambda o: len(o.split()) >= 2 and o != "Jane Doe"),
        # fake e-mail: looks like one
        ("fake", "EMAIL_ADDRESS", {}, "jane@corp.io", lambda o: "@" in o and "." in o),
        # fake card: Luhn-valid
        ("fake", "CREDIT_CARD", {}, "4111111111111111", lambda o: luhn_valid(o)),
        # fake SSN: structurally valid
        ("fake", "US_SSN", {}, "123-45-6789", lambda o: ssn_valid(o.replace("-", ""))),
        # fake IP: four octets
        (
            "fake",
            "IP_ADDRESS",
            {},
            "10.0.0.1",
            lambda o: all(0 <= int(x) < 256 for x in o.split(".")),
        ),
        # date_shift: a different date in the same format
        ("date_shift", None, {}, "2020-02-29", lambda o: o != "2020-02-29" and len(o) == 10),
        # date_shift: other formats kept
        ("date_shift", None, {}, "03/14/1985", lambda o: o[2] == "/" and o[5] == "/"),
        # encrypt: base64url text
        ("encrypt", None, {}, "hello", lambda o: o and "hello" not in o),
    ],
)
def test_keyed_operators(name: str, entity: str | None, params: dict, value: str, check) -> None:
    assert check(op(name, entity, **params).apply(value))


@pytest.mark.parametrize("name", ["hash", "encrypt", "decrypt", "fpe", "fake", "date_shift"])
def test_keyed_operators_refuse_without_a_key(name: str) -> None:
    with pytest.raises(InvalidInput, match="needs a key"):
        op(name, "CREDIT_CARD", None)


def test_registry_lists_presidio_names() -> None:
    assert {"redact", "replace", "mask", "hash", "encrypt", "decrypt", "keep"} <= set(OPERATORS)
    with pytest.raises(UnknownPlugin, match="valid: date_shift, decrypt"):
        op("tokenise")


def test_bad_param_lists_valid_params() -> None:
    with pytest.raises(InvalidInput, match="valid parameters: chars_to_mask, from_end"):
        op("mask", masking_colour="*")
    with pytest.raises(InvalidInput, match="keep_last cannot be combined"):
        op("mask", keep_last=2, from_end=True)


def test_consistency_across_instances_and_keys() -> None:
    for name, entity in (("hash", None), ("fake", "PERSON"), ("fake", "EMAIL_ADDRESS")):
        a, b = op(name, entity), op(name, entity)
        assert a.apply("Jane Doe") == b.apply("Jane Doe")  # same key: same output
        assert a.apply("Jane Doe") != op(name, entity, OTHER).apply("Jane Doe")  # other key
    assert op("hash").apply_many(["x", None, "x"]) == [
        op("hash").apply("x"),
        None,
        op("hash").apply("x"),
    ]


def test_hash_scopes_separate() -> None:
    assert op("hash", scope="a").apply("v") != op("hash", scope="b").apply("v")


def test_date_shift_is_per_subject() -> None:
    shift = op("date_shift", max_days=10)
    assert shift.apply("2020-01-10", "s1") == shift.apply("2020-01-10", "s1")
    days = {shift.shift_days(f"s{i}") for i in range(50)}  # type: ignore[attr-defined]
    assert 0 not in days and max(days) <= 10 and min(days) >= -10 and len(days) > 5


def test_random_encryption_differs_each_time() -> None:
    enc = op("encrypt", mode="random")
    assert enc.apply("v") != enc.apply("v") and enc.reverse(enc.apply("v")) == "v"


def test_decrypt_with_wrong_key_or_context_fails_opaquely() -> None:
    sealed = op("encrypt").apply("v")
    with pytest.raises(InvalidCiphertext):
        op("decrypt", keys=OTHER).apply(sealed)
    with pytest.raises(InvalidCiphertext):
        op("decrypt", context="other").apply(sealed)
    assert op("decrypt").apply(sealed) == "v"


def test_error_messages_never_contain_values() -> None:
    with pytest.raises(InvalidInput) as caught:
        op("fpe", "CREDIT_CARD", on_invalid="error").apply(CANARY)
    assert CANARY not in str(caught.value) and "0007" not in str(caught.value)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=40), st.sampled_from(["deterministic", "random"]))
def test_encrypt_round_trip(value: str, mode: str) -> None:
    enc = op("encrypt", mode=mode, context="ctx")
    assert enc.reverse(enc.apply(value)) == value
    assert op("decrypt", mode=mode, context="ctx").apply(enc.apply(value)) == value


def _luhn_complete(body: str) -> str:
    return next(body + c for c in "0123456789" if luhn_valid(body + c))


@settings(max_examples=60, deadline=None)
@given(st.text("0123456789", min_size=12, max_size=18), st.sampled_from([" ", "-", ""]))
def test_fpe_card_round_trip(body: str, sep: str) -> None:
    card = _luhn_complete(body)
    shown = sep.join(card[i : i + 4] for i in range(0, len(card), 4))
    fpe = op("fpe", "CREDIT_CARD", tweak="col")
    token = fpe.apply(shown)
    assert luhn_valid(token.replace(sep, "") if sep else token) and len(token) == len(shown)
    assert fpe.reverse(token) == shown


def test_fpe_cards_in_bulk_equal_one_by_one() -> None:
    rnd = random.Random(3)
    cards = [_luhn_complete(f"{rnd.randrange(10**n):0{n}d}") for n in (12, 14, 15, 18)] * 3
    cards += ["4111 1111 1111 1111", "4111-1111-1111-1112", "not a card", "", None]
    fpe = op("fpe", "CREDIT_CARD", tweak="col")
    bulk = fpe.apply_many(cards)
    assert bulk == [None if c is None else fpe.apply(c) for c in cards]
    assert bulk[-4:] == ["", "", "", None]  # not Luhn-valid / not a card: redacted
    assert fpe.reverse_many([b for b in bulk[:-4] if b is not None]) == cards[:-4]
    strict = op("fpe", "CREDIT_CARD", on_invalid="error")
    with pytest.raises(InvalidInput, match="not a Luhn-valid card"):
        strict.apply_many(["4111 1111 1111 1111", "not a card"])


@settings(max_examples=60, deadline=None)
@given(
    st.from_regex(r"[0-8][0-9]{2}-[0-9]{2}-[0-9]{4}", fullmatch=True).filter(
        lambda s: ssn_valid(s.replace("-", ""))
    )
)
def test_fpe_ssn_round_trip(ssn: str) -> None:
    fpe = op("fpe", "US_SSN")
    assert fpe.reverse(fpe.apply(ssn)) == ssn


@settings(max_examples=60, deadline=None)
@given(st.from_regex(r"\+?[0-9]{2} [0-9]{3} [0-9]{4,6}", fullmatch=True))
def test_fpe_phone_round_trip(phone: str) -> None:
    fpe = op("fpe", "PHONE_NUMBER")
    assert fpe.reverse(fpe.apply(phone)) == phone


def test_fpe_ssn_and_phone_columns_equal_one_by_one() -> None:
    rnd = random.Random(5)
    ssns = [f"{rnd.randrange(1, 666):03d}-{rnd.randrange(1, 100):02d}-{rnd.randrange(1, 10**4):04d}"
            for _ in range(500)]  # fmt: skip
    ssns += [s.replace("-", "") for s in ssns[:50]] + ["000-00-0000", "no ssn", "", None]
    phones = [f"+1 ({rnd.randrange(200, 999)}) {rnd.randrange(10**6, 10**7)}" for _ in range(500)]
    phones += ["555.0100", "+44 20 7946 0958", "12", "call me", None]
    for entity, column in (("US_SSN", ssns), ("PHONE_NUMBER", phones)):
        fpe = op("fpe", entity, tweak="col")
        bulk = fpe.apply_many(column)
        assert bulk == [None if v is None else fpe.apply(v) for v in column]
        assert set(bulk[:500]).isdisjoint(column)  # no source value survives
        back = fpe.reverse_many([b for b in bulk if b])
        assert back == [v for v, b in zip(column, bulk, strict=True) if b]
        assert back == [fpe.reverse(b) for b in bulk if b]
    assert op("fpe", "US_SSN").apply_many(ssns)[-4:] == ["", "", "", None]  # redacted
    with pytest.raises(InvalidInput, match="not a valid SSN"):
        op("fpe", "US_SSN", on_invalid="error").apply_many(["123-45-6789", "000-00-0000"])
    with pytest.raises(InvalidInput, match="not a phone number"):
        op("fpe", "PHONE_NUMBER").reverse_many(["+1 555 010 0199", "12"])


def test_fpe_digit_columns_equal_one_by_one() -> None:
    rnd = random.Random(9)
    values = [f"ACC-{rnd.randrange(10**n):0{n}d}/{rnd.randrange(100):02d}" for n in (4, 7, 12, 16)]
    values = values * 50 + [f"{rnd.randrange(10**20):020d}", "Nº 1234567", "12345", "none", None]
    fpe = op("fpe", None, tweak="col")  # no PII type: the digits recipe
    bulk = fpe.apply_many(values)
    assert bulk == [None if v is None else fpe.apply(v) for v in values]
    assert bulk[-3:] == ["", "", None]  # too few digits: redacted
    assert bulk[-5] != values[-5] and bulk[-4] != values[-4]  # 20 digits, non-ASCII: one by one
    assert fpe.reverse_many([b for b in bulk if b]) == [
        v for v, b in zip(values, bulk, strict=True) if b
    ]


def test_keys_are_at_least_32_bytes() -> None:
    with pytest.raises(InvalidInput, match="at least 32 bytes"):
        DeidKeys(Secret(secrets.token_bytes(16)))
    assert "k" * 32 not in repr(KEY)
