"""FF1 (NIST SP 800-38G): sample vectors, a literal reference model, domain rule, errors."""

from __future__ import annotations

import math
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privault.core.errors import InvalidInput
from privault.crypto._primitives import AesBlock
from privault.crypto.ff1 import ALPHABET, FF1, MAX_LENGTH, MAX_TWEAK_BYTES, MIN_DOMAIN

K128 = "2B7E151628AED2A6ABF7158809CF4F3C"
K192 = K128 + "EF4359D8D580AA4F"
K256 = K192 + "7F036D6F04FC6A94"
T10 = "39383736353433323130"  # ASCII "9876543210"
T11 = "3737373770717273373737"  # ASCII "7777pqrs777"
PT10 = "0123456789"
PT36 = "0123456789abcdefghi"

# NIST FF1samples.pdf (CSRC "Examples with Intermediate Values"), all nine samples.
NIST_SAMPLES = [
    # key, tweak (hex), radix, plaintext, ciphertext
    (K128, "", 10, PT10, "2433477484"),  # sample 1: AES-128, empty tweak
    (K128, T10, 10, PT10, "6124200773"),  # sample 2: AES-128, 10-byte tweak
    (K128, T11, 36, PT36, "a9tv40mll9kdu509eum"),  # sample 3: AES-128, radix 36
    (K192, "", 10, PT10, "2830668132"),  # sample 4: AES-192, empty tweak
    (K192, T10, 10, PT10, "2496655549"),  # sample 5: AES-192, 10-byte tweak
    (K192, T11, 36, PT36, "xbj3kv35jrawxv32ysr"),  # sample 6: AES-192, radix 36
    (K256, "", 10, PT10, "6657667009"),  # sample 7: AES-256, empty tweak
    (K256, T10, 10, PT10, "1001623463"),  # sample 8: AES-256, 10-byte tweak
    (K256, T11, 36, PT36, "xs8a0azh2avyalyzuwd"),  # sample 9: AES-256, radix 36
]
SAMPLE_IDS = [f"sample-{i}" for i in range(1, 10)]

KEY = bytes(range(32))


@pytest.fixture(scope="module")
def ff1() -> FF1:
    return FF1(KEY)


# -- a literal, slow transcription of Algorithms 7 and 8 ----------------------------------


def _reference(key: bytes, radix: int, tweak: bytes, x: list[int], *, decrypt: bool) -> list[int]:
    """SP 800-38G step by step, on numeral lists, with the spec's float log2."""
    aes = AesBlock(key)

    def num(xs: list[int]) -> int:
        return sum(d * radix**k for k, d in enumerate(reversed(xs)))

    def str_m(value: int, m: int) -> list[int]:
        return [(value // radix ** (m - 1 - k)) % radix for k in range(m)]

    n, t = len(x), len(tweak)
    u, v = n // 2, n - n // 2
    a, b_ = x[:u], x[u:]
    b = math.ceil(math.ceil(v * math.log2(radix)) / 8)
    d = 4 * math.ceil(b / 4) + 4
    p = bytes([1, 2, 1]) + radix.to_bytes(3, "big") + bytes([10, u % 256])
    p += n.to_bytes(4, "big") + t.to_bytes(4, "big")
    for i in range(9, -1, -1) if decrypt else range(10):
        q = tweak + bytes((-t - b - 1) % 16) + bytes([i])
        q += num(a if decrypt else b_).to_bytes(b, "big")
        r = aes.cbc_mac(p + q)
        s = r
        for j in range(1, math.ceil(d / 16)):
            s += aes.encrypt_block(
                bytes(x ^ y for x, y in zip(r, j.to_bytes(16, "big"), strict=True))
            )
        y = int.from_bytes(s[:d], "big")
        m = u if i % 2 == 0 else v
        if decrypt:
            a, b_ = str_m((num(b_) - y) % radix**m, m), a
        else:
            a, b_ = b_, str_m((num(a) + y) % radix**m, m)
    return a + b_


# -- NIST sample vectors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "tweak", "radix", "plaintext", "ciphertext"), NIST_SAMPLES, ids=SAMPLE_IDS
)
def test_nist_sample_encrypts(
    key: str, tweak: str, radix: int, plaintext: str, ciphertext: str
) -> None:
    assert FF1(bytes.fromhex(key), radix).encrypt(plaintext, bytes.fromhex(tweak)) == ciphertext


@pytest.mark.parametrize(
    ("key", "tweak", "radix", "plaintext", "ciphertext"), NIST_SAMPLES, ids=SAMPLE_IDS
)
def test_nist_sample_decrypts(
    key: str, tweak: str, radix: int, plaintext: str, ciphertext: str
) -> None:
    assert FF1(bytes.fromhex(key), radix).decrypt(ciphertext, bytes.fromhex(tweak)) == plaintext


@pytest.mark.parametrize(
    ("key", "tweak", "radix", "plaintext", "ciphertext"), NIST_SAMPLES, ids=SAMPLE_IDS
)
def test_nist_sample_via_numerals_ints_and_reference(
    key: str, tweak: str, radix: int, plaintext: str, ciphertext: str
) -> None:
    cipher = FF1(bytes.fromhex(key), radix)
    t = bytes.fromhex(tweak)
    pt = [ALPHABET.index(c) for c in plaintext]
    ct = [ALPHABET.index(c) for c in ciphertext]
    assert cipher.encrypt_numerals(pt, t) == ct
    assert cipher.decrypt_numerals(ct, t) == pt
    assert cipher.encrypt_int(int(plaintext, radix), len(plaintext), t) == int(ciphertext, radix)
    assert cipher.decrypt_int(int(ciphertext, radix), len(ciphertext), t) == int(plaintext, radix)
    assert _reference(bytes.fromhex(key), radix, t, pt, decrypt=False) == ct


# -- agreement with the reference beyond the samples (long inputs, long tweaks) ------------


@pytest.mark.parametrize(
    ("radix", "length", "tweak_len"),
    [
        (10, 6, 0),  # smallest decimal domain
        (10, 16, 3),  # card-sized, one AES call per round
        (10, 57, 0),  # largest decimal length on the single-block path (b = 12)
        (10, 60, 5),  # b = 13: S still fits R's block but needs d = 20 > 16 bytes
        (10, 100, 40),  # b = 21: the round bytes span two MAC blocks; tweak spans blocks
        (36, 60, 17),  # radix 36, b = 20
        (2, 20, 1),  # smallest binary domain
        (2, 300, 0),  # long binary string: bit-exact b computation for a power of two
        (16, 64, 16),  # hex, b a whole number of bytes
        (7, 8, 33),  # odd radix, tweak longer than two blocks
    ],
)
def test_matches_reference_model(radix: int, length: int, tweak_len: int) -> None:
    cipher = FF1(KEY[:16], radix)
    tweak = bytes(range(100, 100 + tweak_len))
    x = [(7 * k + 3) % radix for k in range(length)]
    ct = _reference(KEY[:16], radix, tweak, x, decrypt=False)
    assert cipher.encrypt_numerals(x, tweak) == ct
    assert cipher.decrypt_numerals(ct, tweak) == x
    assert _reference(KEY[:16], radix, tweak, ct, decrypt=True) == x


@settings(max_examples=60, deadline=None)
@given(
    radix=st.integers(2, 36),
    data=st.data(),
    tweak=st.binary(max_size=40),
)
def test_matches_reference_model_property(radix: int, data: st.DataObject, tweak: bytes) -> None:
    cipher = FF1(KEY, radix)
    length = data.draw(st.integers(cipher.min_length, cipher.min_length + 60))
    x = data.draw(st.lists(st.integers(0, radix - 1), min_size=length, max_size=length))
    ct = cipher.encrypt_numerals(x, tweak)
    assert ct == _reference(KEY, radix, tweak, x, decrypt=False)
    assert cipher.decrypt_numerals(ct, tweak) == x


# -- properties -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(x=st.text(alphabet=string.digits, min_size=6, max_size=40), tweak=st.binary(max_size=64))
def test_round_trip_keeps_length_and_alphabet(ff1: FF1, x: str, tweak: bytes) -> None:
    ct = ff1.encrypt(x, tweak)
    assert len(ct) == len(x)
    assert set(ct) <= set(string.digits)
    assert ff1.decrypt(ct, tweak) == x


@settings(max_examples=100, deadline=None)
@given(x=st.text(alphabet=ALPHABET, min_size=4, max_size=30), tweak=st.binary(max_size=20))
def test_round_trip_radix_36(x: str, tweak: bytes) -> None:
    cipher = FF1(KEY[:24], 36)
    ct = cipher.encrypt(x, tweak)
    assert len(ct) == len(x)
    assert set(ct) <= set(ALPHABET)
    assert cipher.decrypt(ct, tweak) == x


def test_tweaks_change_ciphertexts(ff1: FF1) -> None:
    # Fixed sample: a collision for one 16-digit plaintext has probability 1e-16.
    plaintexts = [f"{k * 7919:016d}" for k in range(200)]
    tweaks = [b"", b"a", b"b", b"customers.card", bytes(32)]
    for x in plaintexts:
        cts = {ff1.encrypt(x, t) for t in tweaks}
        assert len(cts) == len(tweaks)


def test_keys_change_ciphertexts() -> None:
    x = "1234567890123456"
    cts = {FF1(bytes([k]) * 16).encrypt(x) for k in range(20)}
    assert len(cts) == 20


def test_is_a_permutation_of_the_smallest_decimal_domain_sample(ff1: FF1) -> None:
    # Encrypt 20 000 distinct 6-digit inputs: outputs are distinct and decrypt back.
    xs = [f"{k:06d}" for k in range(0, 1_000_000, 50)]
    cts = [ff1.encrypt(x, b"perm") for x in xs]
    assert len(set(cts)) == len(xs)
    assert [ff1.decrypt(c, b"perm") for c in cts] == xs


def test_caches_stay_bounded(ff1: FF1) -> None:
    for k in range(1500):
        tweak = k.to_bytes(2, "big")
        assert ff1.decrypt(ff1.encrypt("12345678", tweak), tweak) == "12345678"
    assert len(ff1._plans) <= 512  # the memory bound


# -- domain rule and input validation -------------------------------------------------------


@pytest.mark.parametrize(
    ("radix", "min_length"),
    [
        (10, 6),  # 10**6 = 1_000_000 exactly
        (36, 4),  # 36**3 = 46_656 < 1e6 <= 36**4
        (2, 20),  # 2**20 = 1_048_576
        (16, 5),  # 16**5 = 1_048_576
        (26, 5),  # 26**4 = 456_976 < 1e6
    ],
)
def test_min_length_follows_domain_rule(radix: int, min_length: int) -> None:
    cipher = FF1(KEY, radix)
    assert cipher.min_length == min_length
    assert radix**min_length >= MIN_DOMAIN > radix ** (min_length - 1)
    x = ALPHABET[radix - 1] * min_length
    assert cipher.decrypt(cipher.encrypt(x)) == x
    with pytest.raises(InvalidInput, match="domain"):
        cipher.encrypt(x[:-1])


@pytest.mark.parametrize(
    "x",
    [
        "",  # empty
        "7",  # one numeral
        "12345",  # 10**5 < 1e6
        "9" * (MAX_LENGTH + 1),  # beyond the supported length
    ],
)
def test_refuses_lengths_outside_the_domain(ff1: FF1, x: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        ff1.encrypt(x)
    assert "domain" in str(exc.value)
    if x:
        assert x not in str(exc.value)
    with pytest.raises(InvalidInput):
        ff1.decrypt(x)


def test_refuses_short_int_and_numeral_inputs(ff1: FF1) -> None:
    with pytest.raises(InvalidInput, match="domain"):
        ff1.encrypt_int(12345, 5)
    with pytest.raises(InvalidInput, match="domain"):
        ff1.encrypt_numerals([1, 2, 3, 4, 5])


@pytest.mark.parametrize(
    ("radix", "x"),
    [
        (10, "12345a"),  # letter in a decimal string
        (10, "123 456"),  # space
        (10, "-123456"),  # sign that int() would accept
        (10, "123_456"),  # underscore that int() would accept
        (10, "\uff11\uff12\uff13\uff14\uff15\uff16"),  # full-width digits that int() would accept
        (10, "\u0661\u0662\u0663\u0664\u0665\u0666"),  # Arabic-Indic digits that int() would accept
        (36, "ABCDEF"),  # upper case is not in the alphabet
        (16, "12345g"),  # beyond the radix-16 numerals
        (2, "0101010101010101010121"),  # a 2 in binary
    ],
)
def test_refuses_characters_outside_the_alphabet(radix: int, x: str) -> None:
    cipher = FF1(KEY, radix)
    for op in (cipher.encrypt, cipher.decrypt):
        with pytest.raises(InvalidInput) as exc:
            op(x, b"")
        assert x not in str(exc.value)
        assert "outside" in str(exc.value)


@pytest.mark.parametrize(
    "numerals",
    [
        [1, 2, 3, 4, 5, 10],  # 10 is not a decimal numeral
        [1, 2, 3, 4, 5, -1],  # negative
        [1, 2, 3, 4, 5, True],  # bool is not a numeral
        [1, 2, 3, 4, 5, "6"],  # str is not a numeral
    ],
)
def test_refuses_bad_numerals(ff1: FF1, numerals: list[int]) -> None:
    with pytest.raises(InvalidInput, match="numeral"):
        ff1.encrypt_numerals(numerals)


@pytest.mark.parametrize(
    "value",
    [
        -1,  # below the domain
        10**8,  # one past the end for length 8
    ],
)
def test_refuses_ints_outside_the_domain(ff1: FF1, value: int) -> None:
    with pytest.raises(InvalidInput) as exc:
        ff1.encrypt_int(value, 8)
    assert str(value) not in str(exc.value)


@pytest.mark.parametrize(
    "key",
    [
        b"",  # empty
        bytes(15),  # one short of AES-128
        bytes(20),  # between sizes
        bytes(33),  # one past AES-256
    ],
)
def test_refuses_bad_key_sizes(key: bytes) -> None:
    with pytest.raises(InvalidInput, match="key"):
        FF1(key)


@pytest.mark.parametrize(
    "radix",
    [
        1,  # no information per numeral
        37,  # beyond the 36-character alphabet
        True,  # bool, not an int radix
        10.0,  # float
    ],
)
def test_refuses_bad_radix(radix: int) -> None:
    with pytest.raises(InvalidInput, match="radix"):
        FF1(KEY, radix)


def test_refuses_bad_tweaks(ff1: FF1) -> None:
    with pytest.raises(InvalidInput, match="bytes"):
        ff1.encrypt("123456", "tweak")  # type: ignore[arg-type]  # deliberately wrong type
    with pytest.raises(InvalidInput, match="bytes"):
        ff1.encrypt("123456", bytearray(b"tweak"))  # type: ignore[arg-type]  # unhashable
    with pytest.raises(InvalidInput, match="longer"):
        ff1.encrypt("123456", bytes(MAX_TWEAK_BYTES + 1))
    assert ff1.decrypt(ff1.encrypt("123456", bytes(MAX_TWEAK_BYTES)), bytes(MAX_TWEAK_BYTES))


def test_repr_hides_the_key() -> None:
    key = bytes.fromhex(K128)
    text = repr(FF1(key, 36))
    assert text == "FF1(radix=36, key=***)"
    assert K128.lower() not in text.lower()
    assert FF1(key, 36).radix == 36
