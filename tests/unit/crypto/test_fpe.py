"""Format-preserving token recipes: cards (Luhn), SSNs, phone numbers, plain digits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privault.core.errors import InvalidInput
from privault.crypto.ff1 import FF1, MAX_TWEAK_BYTES
from privault.crypto.fpe import (
    DigitsRecipe,
    card_detoken,
    card_token,
    digits_detoken,
    digits_token,
    luhn_valid,
    phone_detoken,
    phone_token,
    ssn_detoken,
    ssn_token,
    ssn_valid,
)

KEY = bytes(range(32))
TWEAK = b"customers.payment_card"
DIGITS = "0123456789"


@pytest.fixture(scope="module")
def ff1() -> FF1:
    return FF1(KEY)


def _only_digits(value: str) -> str:
    return "".join(ch for ch in value if ch in DIGITS)


def _layout(value: str) -> str:
    """The value with every digit replaced by '#': what a token must preserve."""
    return "".join("#" if ch in DIGITS else ch for ch in value)


def _naive_luhn(digits: str) -> bool:
    total = 0
    for pos, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if pos % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _with_check_digit(body: str) -> str:
    return next(body + d for d in DIGITS if _naive_luhn(body + d))


# -- luhn_valid and ssn_valid -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("4111111111111111", True),  # Visa test PAN
        ("4111111111111112", False),  # last digit off by one
        ("378282246310005", True),  # Amex, 15 digits
        ("4222222222222", True),  # Visa, 13 digits
        ("79927398713", True),  # the textbook example
        ("79927398710", False),  # the textbook example, wrong check digit
        ("0", True),  # sum 0
        ("", False),  # empty is not a number
        ("4111 1111 1111 1111", False),  # separators are the caller's job
        ("41111111111111a1", False),  # letter
        ("\uff14\uff11", False),  # full-width digits are not ASCII digits
    ],
)
def test_luhn_valid_table(digits: str, expected: bool) -> None:
    assert luhn_valid(digits) is expected


@given(st.text(alphabet=DIGITS, min_size=1, max_size=40))
def test_luhn_valid_matches_naive_definition(digits: str) -> None:
    assert luhn_valid(digits) is _naive_luhn(digits)


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("123456789", True),  # ordinary
        ("001010001", True),  # smallest area, group and serial
        ("899999999", True),  # largest allowed area
        ("000123456", False),  # area 000
        ("666123456", False),  # area 666
        ("900123456", False),  # area 9xx
        ("123001234", False),  # group 00
        ("123450000", False),  # serial 0000
        ("12345678", False),  # eight digits
        ("123-45-6789", False),  # dashes are the caller's job
    ],
)
def test_ssn_valid_table(digits: str, expected: bool) -> None:
    assert ssn_valid(digits) is expected


# -- cards ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("card", "keep_last"),
    [
        ("4111111111111111", 4),  # 16 digits, bare
        ("4111 1111 1111 1111", 4),  # 16 digits, spaces
        ("5555-5555-5555-4444", 4),  # 16 digits, dashes
        ("4012 8888-8888 1881", 4),  # mixed separators
        (" 4111 1111 1111 1111 ", 4),  # leading and trailing spaces stay
        ("4222222222222", 4),  # 13 digits
        ("4222222222222", 7),  # 13 digits, only the minimum 6 encrypted
        ("378282246310005", 4),  # 15 digits (Amex)
        ("3782 822463 10005", 5),  # Amex 4-6-5 grouping, keep the last group
        ("30569309025904", 4),  # 14 digits (Diners)
        ("4917610000000000003", 4),  # 19 digits
        ("4917 6100 0000 0000 003", 0),  # 19 digits, keep nothing
        ("4111111111111111", 0),  # keep nothing: the check digit is encrypted too
        ("4111111111111111", 1),  # keep only the check digit
        ("4111111111111111", 10),  # keep all but the minimum 6
    ],
)
def test_card_token_table(ff1: FF1, card: str, keep_last: int) -> None:
    assert luhn_valid(_only_digits(card))  # the table holds real test numbers
    token = card_token(ff1, card, TWEAK, keep_last=keep_last)
    digits = _only_digits(token)
    assert _layout(token) == _layout(card)
    assert luhn_valid(digits)
    assert token != card
    if keep_last:
        assert digits[-keep_last:] == _only_digits(card)[-keep_last:]
    assert card_detoken(ff1, token, TWEAK, keep_last=keep_last) == card


@st.composite
def cards(draw: st.DrawFn) -> tuple[str, int]:
    length = draw(st.integers(13, 19))
    body = draw(st.text(alphabet=DIGITS, min_size=length - 1, max_size=length - 1))
    digits = _with_check_digit(body)
    seps = draw(st.lists(st.sampled_from(["", "", " ", "-"]), min_size=length, max_size=length))
    card = "".join(d + s for d, s in zip(digits, seps, strict=True)).strip(" -")
    keep_last = draw(st.integers(0, length - 6))
    return card, keep_last


@settings(max_examples=200, deadline=None)
@given(case=cards(), tweak=st.binary(max_size=24))
def test_card_round_trip_property(ff1: FF1, case: tuple[str, int], tweak: bytes) -> None:
    card, keep_last = case
    token = card_token(ff1, card, tweak, keep_last=keep_last)
    assert luhn_valid(_only_digits(token))
    assert _layout(token) == _layout(card)
    assert token != card
    assert card_detoken(ff1, token, tweak, keep_last=keep_last) == card


def test_card_tokens_depend_on_tweak_and_kept_digits(ff1: FF1) -> None:
    card = "4111111111111111"
    assert card_token(ff1, card, b"a") != card_token(ff1, card, b"b")
    # Same first twelve digits, different last four: the kept digits are in the
    # tweak, so the encrypted twelve differ as well.
    other = _with_check_digit("411111111111222")
    assert card_token(ff1, card, TWEAK)[:12] != card_token(ff1, other, TWEAK)[:12]


def test_card_tokens_are_distinct_over_a_sample(ff1: FF1) -> None:
    # detoken(token(x)) == x proves injectivity; a map from the finite Luhn-valid
    # set into itself that is injective is a bijection. Check distinctness anyway.
    cards_ = [_with_check_digit(f"400000{k:09d}") for k in range(0, 10**9, 10**9 // 500)]
    tokens = [card_token(ff1, c, TWEAK) for c in cards_]
    assert len(set(tokens)) == len(cards_)
    assert [card_detoken(ff1, t, TWEAK) for t in tokens] == cards_


@pytest.mark.parametrize(
    ("card", "keep_last"),
    [
        ("4111111111111112", 4),  # fails Luhn
        ("411111111111", 0),  # 12 digits
        ("41111111111111111113", 4),  # 20 digits
        ("4111.1111.1111.1111", 4),  # dots are not card separators
        ("4111x1111y1111z1111", 4),  # letters
        ("\uff14111111111111111", 4),  # a full-width digit
        ("4111111111111111", 11),  # only 5 digits left to encrypt
        ("4222222222222", 8),  # 13 digits, only 5 left to encrypt
        ("4111111111111111", -1),  # negative keep_last
    ],
)
def test_card_refusals_never_echo_the_value(ff1: FF1, card: str, keep_last: int) -> None:
    for op in (card_token, card_detoken):
        with pytest.raises(InvalidInput) as exc:
            op(ff1, card, TWEAK, keep_last=keep_last)
        assert card not in str(exc.value)
        assert _only_digits(card) not in str(exc.value)


# -- SSNs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ssn",
    [
        "123-45-6789",  # dashed
        "123456789",  # bare
        "001-01-0001",  # smallest parts
        "899-99-9999",  # largest allowed area
        "665-12-3456",  # just below the excluded 666
    ],
)
def test_ssn_token_table(ff1: FF1, ssn: str) -> None:
    token = ssn_token(ff1, ssn, TWEAK)
    assert _layout(token) == _layout(ssn)
    assert ssn_valid(_only_digits(token))
    assert token != ssn
    assert ssn_detoken(ff1, token, TWEAK) == ssn


@st.composite
def ssns(draw: st.DrawFn) -> str:
    area = draw(st.integers(1, 899).filter(lambda a: a != 666))
    group = draw(st.integers(1, 99))
    serial = draw(st.integers(1, 9999))
    dashed = draw(st.booleans())
    return (
        f"{area:03d}-{group:02d}-{serial:04d}" if dashed else f"{area:03d}{group:02d}{serial:04d}"
    )


@settings(max_examples=200, deadline=None)
@given(ssn=ssns(), tweak=st.binary(max_size=24))
def test_ssn_round_trip_property(ff1: FF1, ssn: str, tweak: bytes) -> None:
    token = ssn_token(ff1, ssn, tweak)
    assert ssn_valid(_only_digits(token))
    assert _layout(token) == _layout(ssn)
    assert ssn_detoken(ff1, token, tweak) == ssn


@pytest.mark.parametrize(
    "ssn",
    [
        "000-12-3456",  # area 000
        "666-12-3456",  # area 666
        "912-34-5678",  # area 9xx
        "123-00-4567",  # group 00
        "123-45-0000",  # serial 0000
        "123-456-789",  # wrong grouping
        "123 45 6789",  # spaces are not an SSN shape
        "12345678",  # eight digits
        "1234567890",  # ten digits
        "12a-45-6789",  # letter
    ],
)
def test_ssn_refusals_never_echo_the_value(ff1: FF1, ssn: str) -> None:
    for op in (ssn_token, ssn_detoken):
        with pytest.raises(InvalidInput) as exc:
            op(ff1, ssn, TWEAK)
        assert ssn not in str(exc.value)
        assert _only_digits(ssn) not in str(exc.value)


# -- phone numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "keep_prefix"),
    [
        ("+1 (415) 555-0132", 3),  # NANP with country code: keeps +1 and 41
        ("(415) 555-0132", 3),  # NANP without country code: keeps the area code
        ("+44 20 7946 0958", 3),  # UK, spaces
        ("020.7946.0958", 3),  # dots
        ("+49-30-901820", 3),  # 10 digits with dashes
        ("+123456789012345", 3),  # 15 digits, the E.164 maximum
        ("12345678", 2),  # 8 digits: keep 2 so that 6 are encrypted
        ("+33 1 23 45 67 89", 0),  # keep nothing
        ("+1 415 555 0132", 5),  # keep 5
    ],
)
def test_phone_token_table(ff1: FF1, phone: str, keep_prefix: int) -> None:
    token = phone_token(ff1, phone, TWEAK, keep_prefix=keep_prefix)
    assert _layout(token) == _layout(phone)
    assert _only_digits(token)[:keep_prefix] == _only_digits(phone)[:keep_prefix]
    assert token != phone
    assert phone_detoken(ff1, token, TWEAK, keep_prefix=keep_prefix) == phone


@st.composite
def phones(draw: st.DrawFn) -> str:
    digits = draw(st.text(alphabet=DIGITS, min_size=9, max_size=15))
    seps = draw(st.lists(st.sampled_from(["", "", " ", "-", ".", "(", ")"]), min_size=len(digits)))
    body = "".join(d + s for d, s in zip(digits, seps, strict=False))
    return ("+" if draw(st.booleans()) else "") + body


@settings(max_examples=200, deadline=None)
@given(phone=phones(), tweak=st.binary(max_size=24))
def test_phone_round_trip_property(ff1: FF1, phone: str, tweak: bytes) -> None:
    token = phone_token(ff1, phone, tweak)
    assert _layout(token) == _layout(phone)
    assert _only_digits(token)[:3] == _only_digits(phone)[:3]
    assert phone_detoken(ff1, token, tweak) == phone


@pytest.mark.parametrize(
    ("phone", "keep_prefix"),
    [
        ("1234567", 0),  # 7 digits
        ("1234567890123456", 3),  # 16 digits
        ("12345678", 3),  # 8 digits leave only 5 to encrypt
        ("+1 415 555 0132", 6),  # 11 digits, keep 6: only 5 left
        ("+1 415 555 0132 ext 7", 3),  # letters
        ("1 415 +555 0132", 3),  # '+' not leading
        ("++1 415 555 0132", 3),  # two '+'
        ("+1/415/555/0132", 3),  # slashes
        ("+1 415 555 013\u0662", 3),  # an Arabic-Indic digit
    ],
)
def test_phone_refusals_never_echo_the_value(ff1: FF1, phone: str, keep_prefix: int) -> None:
    for op in (phone_token, phone_detoken):
        with pytest.raises(InvalidInput) as exc:
            op(ff1, phone, TWEAK, keep_prefix=keep_prefix)
        assert phone not in str(exc.value)
        assert _only_digits(phone) not in str(exc.value)


# -- the generic digits recipe ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "recipe"),
    [
        ("123456", DigitsRecipe()),  # the minimum six digits
        ("12345678901234567890", DigitsRecipe()),  # twenty digits
        ("9912345678", DigitsRecipe(name="acct", keep_prefix=2, keep_suffix=2)),  # both ends kept
        ("000000000", DigitsRecipe(name="nz", valid=lambda d: d[0] != "0" or d == "000000000")),
    ],
)
def test_digits_token_table(ff1: FF1, digits: str, recipe: DigitsRecipe) -> None:
    token = digits_token(ff1, digits, TWEAK, recipe)
    assert len(token) == len(digits)
    assert set(token) <= set(DIGITS)
    assert token[: recipe.keep_prefix] == digits[: recipe.keep_prefix]
    assert token[len(token) - recipe.keep_suffix :] == digits[len(digits) - recipe.keep_suffix :]
    if recipe.valid is not None:
        assert recipe.valid(token)
    assert digits_detoken(ff1, token, TWEAK, recipe) == digits


@settings(max_examples=150, deadline=None)
@given(digits=st.text(alphabet=DIGITS, min_size=6, max_size=30), tweak=st.binary(max_size=24))
def test_digits_round_trip_property(ff1: FF1, digits: str, tweak: bytes) -> None:
    token = digits_token(ff1, digits, tweak)
    assert len(token) == len(digits)
    assert digits_detoken(ff1, token, tweak) == digits


def test_recipe_names_separate_domains(ff1: FF1) -> None:
    digits = "4111111111111111"
    plain = digits_token(ff1, digits, TWEAK)
    named = digits_token(ff1, digits, TWEAK, DigitsRecipe(name="other"))
    assert plain != named


@pytest.mark.parametrize(
    "digits",
    [
        "12345",  # five digits: below the domain rule
        "",  # empty
        "12345a",  # letter
        "123 456",  # separator
    ],
)
def test_digits_refusals_never_echo_the_value(ff1: FF1, digits: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        digits_token(ff1, digits, TWEAK)
    if digits:
        assert digits not in str(exc.value)


def test_digits_refuses_input_failing_the_predicate(ff1: FF1) -> None:
    recipe = DigitsRecipe(name="even", valid=lambda d: int(d[-1]) % 2 == 0)
    with pytest.raises(InvalidInput, match="validity"):
        digits_token(ff1, "1234567", TWEAK, recipe)


def test_digits_needs_a_decimal_ff1() -> None:
    with pytest.raises(InvalidInput, match="radix-10"):
        digits_token(FF1(KEY, 16), "123456", TWEAK)


def test_digits_refuses_bad_tweaks(ff1: FF1) -> None:
    with pytest.raises(InvalidInput, match="bytes"):
        digits_token(ff1, "123456", "t")  # type: ignore[arg-type]  # deliberately wrong type
    with pytest.raises(InvalidInput, match="longer"):
        digits_token(ff1, "123456", bytes(MAX_TWEAK_BYTES + 1))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"keep_prefix": -1},  # negative
        {"keep_suffix": True},  # bool is not a count
        {"name": ""},  # empty name
        {"name": "x" * 256},  # name too long to frame
    ],
)
def test_recipe_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        DigitsRecipe(**kwargs)  # type: ignore[arg-type]  # deliberately wrong values


def test_non_string_values_are_refused(ff1: FF1) -> None:
    bad: object = 4111111111111111
    with pytest.raises(InvalidInput):
        card_token(ff1, bad, TWEAK)  # type: ignore[arg-type]  # deliberately wrong type
    with pytest.raises(InvalidInput):
        ssn_token(ff1, bad, TWEAK)  # type: ignore[arg-type]  # deliberately wrong type
    with pytest.raises(InvalidInput):
        phone_token(ff1, bad, TWEAK)  # type: ignore[arg-type]  # deliberately wrong type
    with pytest.raises(InvalidInput):
        digits_token(ff1, bad, TWEAK)  # type: ignore[arg-type]  # deliberately wrong type
