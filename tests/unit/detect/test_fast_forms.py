"""Fast forms of recognizer regexes must find exactly what their plain forms find.

Each rewritten regex (first character consumed before the boundary check,
word-start tries, cheap prefilters, e-mail windows) is compared with the
plain form it replaces, on hand-picked rows and on generated texts over the
characters that matter to it.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privault.core.errors import InvalidInput
from privault.detect._scan import RUN_MIN_DIGITS, number_runs, word_gate, words
from privault.detect._trie import WORD, trie_pattern, word_start_pattern
from privault.detect.recognizer import (
    Pattern,
    PatternRecognizer,
    TextView,
    context_regex,
    context_scan,
)
from privault.detect.recognizers import (
    _address,
    dates,
    financial,
    location,
    network,
    person,
    phone,
)

#: The plain forms, as they read before the rewrite.
PLAIN_POSTAL = re.compile(
    r"(?=[\dA-Z])(?<![\w-])(?:(?P<pc>(?:\d{5}|\d{2}-\d{3}|\d{4}\s?[A-Z]{2}|[A-Z]-?\d{4,5}|\d{4})"
    rf",?[ ]{location._CAPS}(?:[ ]\([A-Z]{{2}}\))?(?:,?[ ]{location._STATE}(?:[ ]\d{{3,5}})?)?)"
    r"|(?P<uk>[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}))(?![\w@])"
)
PLAIN_PHONE = re.compile(
    r"(?=[\d+(])(?<![\w+/.,:-])(?:\+|00)?(?:\(\+?\d{1,4}\)[ ]?)?\(?\d[\d \t().\-/]{5,22}\d"
    r"(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,5})?(?![\w]|[.,:/-]\d)"
)
PLAIN_BTC = re.compile(
    r"(?=[13bB])(?<![\w])(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?:bc1|BC1)[0-9A-Za-z]{11,71})(?!\w)"
)
_UP = person._UP
PLAIN_UPPER = re.compile(
    rf"(?=[{_UP}])(?<![\w@.])(?P<u>[{_UP}]{{2,}}(?:[ ][{_UP}]{{2,}}){{1,2}})(?![\w])"
)
PLAIN_DAY_MONTH = re.compile(
    rf"\d(?<![\w]\d)\d?(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{dates._MONTHS}\.?,?\s+(?:19|20)\d{{2}}"
    + dates._NO_TIME
)
PLAIN_CSZ_HINT = re.compile(r"[A-Z]{2,3},?[ ](?:\d{4}|[A-Z]\d[A-Z])")

ROWS = [
    # postcodes and cities in several notations
    "75001 Paris, 00-950 Warszawa; 1234 AB Amsterdam / A-1010 Wien and SW1A 1AA London",
    # Italian province and a US-like state tail, a postcode glued to a word
    "00184, Roma (RM), IT 12345 then x12345 Foo and EC1A 1BB",
    # phones: international, 00 prefix, bracketed country code and trunk, extension
    "+44 20 7946 0958, 0049 30 1234567, (+33) 1 23 45 67 89, (020) 7946 0958 ext. 12",
    # phone-like runs after letters, dots and slashes (no candidate), nested brackets
    "a+1234567 v1.2345678 /0123456789 ((020) 1234567 00 1234 5678",
    # wallets: legacy, script, bech32 in both cases, glued to a word
    "1BoatSLRHtKNngkdXEeobR76b53LETtpyT 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy "
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ x1Boat",
    # upper-case names beside e-mail-like and dotted text
    "MARIA LOPEZ, a@JOHN SMITH, .ANNA KOWALSKA and ÉLODIE DURAND",
    # cities after triggers, one at the very start
    "Based in Lyon.\nmoved to Porto next week; from Ely",
    # key-value fields (quoted, bare) at the start and inside
    'city="Lyon" town: Ely\naddress=5 Elm St|.city: Oslo',
    # state and postcode notations for the city-led hint
    "Springfield, IL 62704\nCalgary, AB T2P 1J9\nAB,  1234",
    # dates: day-month-year in several notations, one glued to a word, one with a time
    "born 3rd of March 1990, 12 déc. 2001, x5 May 2020, 7 Jul 2019 10:30 and 1st Jan, 2000",
]


def _spans(regex: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], str | None]]:
    return [(m.span(), m.lastgroup) for m in regex.finditer(text)]


FAST_FORMS = [
    # (plain, fast) pairs that must give the same matches and groups
    (PLAIN_POSTAL, location._POSTAL),
    (PLAIN_PHONE, phone._CANDIDATE),
    (PLAIN_BTC, financial._BTC),
    (PLAIN_UPPER, person._UPPER_NAMES),
    (PLAIN_DAY_MONTH, dates._DAY_MONTH),
]

#: Characters the regexes above care about, for generated texts.
ALPHABET = "0123456789 +-()./,:@\nABCSWEJaxbcéÉ#tMayJn"


@pytest.mark.parametrize("text", ROWS)
@pytest.mark.parametrize(("plain", "fast"), FAST_FORMS)
def test_fast_form_rows(plain: re.Pattern[str], fast: re.Pattern[str], text: str) -> None:
    assert _spans(fast, text) == _spans(plain, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_fast_forms_generated(text: str) -> None:
    for plain, fast in FAST_FORMS:
        assert _spans(fast, text) == _spans(plain, text), plain.pattern[:30]


def _hinted_lines(hint: re.Pattern[str], text: str, *, padded: bool) -> set[int]:
    """Line starts the hint selects (what ``line_matches`` uses a hint for)."""
    if not padded:
        return {text.rfind("\n", 0, h.start()) + 1 for h in hint.finditer(text)}
    return {text.rfind("\n", 0, h.start(WORD) - 1) + 1 for h in hint.finditer("\n" + text)}


@pytest.mark.parametrize("text", ROWS)
def test_city_postal_hint_selects_same_lines(text: str) -> None:
    fast = location._CITY_POSTAL[0][1]
    assert _hinted_lines(fast, text, padded=True) == _hinted_lines(
        PLAIN_CSZ_HINT, text, padded=False
    )


WORD_LISTS = [
    # (words, plain left guard, fast `before`, right guard, lower-cased?)
    (set(person._TRIGGERS), person._LETTER, r"[^a-z](?<=[\W\d_])", person._AFTER_WORD, True),
    (location._CITY_STRONG | location._CITY_WEAK, "[a-z]", "[^a-z]", "(?![a-z])", True),
    (_address._BOX_WORDS, "[a-z]", "[^a-z]", "(?![a-z])", True),
    (_address._EU_PREFIXES, r"[\w]", r"[^a-zA-Z0-9_](?<=\W)", r"\s", False),
]
WORD_ROWS = [
    # triggers at the start, after digits, underscores, apostrophes and accented letters
    "Dear Ana, name: Bo; user_name=Cy 5customer ÉLabel my name is Di\ncc Ed, i'm Flo",
    # residence words back to back and glued to letters
    "lives in Lyon, born in Oslo; relocating to Rome; inliving city town",
    # box words, one non-ASCII
    "PO Box 12, Postfach 10 20, boîte postale 7, casella postale 3, xbox 5",
    # street prefixes at the start, after punctuation and inside words
    "Via Roma 1\nul. Długa 3; Largo Augusto 5, Viale, Calle Mayor 2 (Rue de Rivoli) Avia X",
]


@pytest.mark.parametrize("text", WORD_ROWS)
@pytest.mark.parametrize(("words", "left", "before", "after", "lower"), WORD_LISTS)
def test_word_start_pattern_equals_guarded_trie(
    words: set[str] | tuple[str, ...], left: str, before: str, after: str, lower: bool, text: str
) -> None:
    plain = re.compile(trie_pattern(words, left=left) + after)
    fast = re.compile(word_start_pattern(words, before) + after)
    scanned = text.lower() if lower else text
    got = [(m.start(WORD) - 1, m.end() - 1) for m in fast.finditer("\n" + scanned)]
    assert got == [m.span() for m in plain.finditer(scanned)]


PREFILTERED = [
    # (pattern, necessary part): texts where the part is missing are skipped
    (network._MAC_SEP, network._MAC_SEP_PART),
    (network._MAC_DOT, network._MAC_DOT_PART),
]


@pytest.mark.parametrize(
    "text",
    [
        # colon, dash and dotted notations
        "aa:bb:cc:dd:ee:ff 00-1A-2B-3C-4D-5E 0011.22aa.bbcc",
        # at the very start and end, upper case
        "AA:BB:CC:DD:EE:FF",
    ],
)
def test_prefilters_find_every_mac(text: str) -> None:
    for pattern, part in PREFILTERED:
        for m in pattern.finditer(text):
            assert part.search(m.group()), (pattern.pattern, m.group())
    assert any(pattern.search(text) for pattern, _ in PREFILTERED)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789abcdefAF:-.x ", max_size=40))
def test_prefilters_are_necessary(text: str) -> None:
    for pattern, part in PREFILTERED:
        if pattern.search(text):
            assert part.search(text), (pattern.pattern, text)


@pytest.mark.parametrize(
    "text",
    [
        # full form (seven colons, no "::"), and with an IPv4 tail
        "host 2001:0db8:85a3:0000:0000:8a2e:0370:7334 up",
        "map 1:2:3:4:5:6:192.0.2.1 done",
        # compressed and link-local forms
        "::1 and ::ffff:192.0.2.1 and fe80::1",
    ],
)
def test_ipv6_part_admits_every_address(text: str) -> None:
    found = network.IPv6Recognizer().analyze(TextView.of(text))
    assert found
    for f in found:
        value = text[f.start : f.end]
        assert "::" in value or network._IPV6_PART.search(value), value


def test_word_gate_skips_non_ascii_entries_on_ascii_text() -> None:
    gate = word_gate(("née le", "#", "dob"))
    assert gate.ascii_substrings == ("#",)
    assert gate.admits(frozenset(), "née le 1990")
    assert not gate.admits(frozenset(), "nee le 1990")
    assert gate.admits(frozenset(), "ref #5")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcxyzABZ é-_'0\n\t.ß", max_size=40))
def test_words_fast_path_equals_regex(text: str) -> None:
    lower = text.lower()
    assert words(lower) == frozenset(re.findall("[a-z]+", lower))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 .-/x٣\n", max_size=40))
def test_number_runs_are_the_long_plain_runs(text: str) -> None:
    plain = [
        (m.start(), m.end(), sum(map(str.isdigit, m.group())))
        for m in re.finditer(r"\d[\d .\-/]*", text)
    ]
    assert number_runs(text) == [r for r in plain if r[2] >= RUN_MIN_DIGITS]


def test_run_scanned_pattern_needs_enough_digits() -> None:
    with pytest.raises(InvalidInput):
        PatternRecognizer("short", "X", (Pattern("p", re.compile(r"\d\d"), 0.5),), min_digits=2)


def _emails(text: str) -> list[tuple[int, int]]:
    found = network.EmailRecognizer().analyze(TextView.of(text))
    return [(f.start, f.end) for f in found]


@pytest.mark.parametrize(
    "text",
    [
        # addresses at the start and end, two in one token, one after a long local part
        "a@b.co x.y+z@mail.example.org a@b@c.de " + "l" * 70 + "@long.example.com end@x.io",
        # an "@" with nothing around it, addresses glued to punctuation
        "@ (me@host.net), <you@host.net>; mail:him@host.net.",
    ],
)
def test_email_windows_equal_full_scan(text: str) -> None:
    assert _emails(text) == [m.span() for m in network._EMAIL.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab1.@- \n_+%'x", max_size=50))
def test_email_windows_generated(text: str) -> None:
    assert _emails(text) == [m.span() for m in network._EMAIL.finditer(text)]


_A = _address
PLAIN_STREET_FORMS = [
    # (plain, fast): the street-line forms as they read with a leading lookbehind
    (
        re.compile(
            rf"{_A._L}{_A._UNIT}?{_A._NUMBER},?\s(?:{_A.CAP}[ ]){{0,3}}(?i:{_A._SUFFIX})\b\.?"
            rf"{_A._TAIL_UNIT}?"
        ),
        _A.STREETS[0].regex,
    ),
    (
        re.compile(
            rf"{_A._L}(?:{_A.CAP}(?:[ -]{_A.CAP})?{_A._EU_SUFFIX}|{_A.CAP}(?:[ -]{_A.CAP}){{0,2}}"
            rf"[ -](?i:{_A._EU_SUFFIX[3:-1]}))\s+\d{{1,4}}[a-zA-Z]?"
            r"(?:\s?[-/]\s?\d{1,4}[a-zA-Z]?)?"
        ),
        _A.STREETS[1].regex,
    ),
    (
        re.compile(
            rf"(?<![\w-]){location._CAPS},?[ ]{location._STATE},?[ ]"
            r"(?:\d{5}(?:-\d{4})?|\d{4}|[A-Z]\d[A-Z]\s?\d[A-Z]\d)(?![\w@])"
        ),
        location._CITY_POSTAL[0][2],
    ),
    (
        re.compile(
            rf"(?<![\w-]){_A.CAP}(?:[ ]{_A.CAP})?(?:[ ]-)?[ ][1-9]\d{{2}}[ ]?\d{{3}}(?![\w@])"
        ),
        location._CITY_POSTAL[1][2],
    ),
]
STREET_ROWS = [
    # units before the number, a unit after the street, a slash number, a hash unit
    "Flat 5, 12 Main St. / Apt. 3B 40 High Street, Suite 200 / 56/81, Savant Nagar # 4 7 Elm Rd",
    # a number glued to a word, a hyphenated left neighbour, units in other languages
    "x12 Main St, a-12 Main St, Piso 3, 14 Calle Road; Étage 2 5 Park Lane; Apto 4 9 Oak Ave",
    # compounds, spaced and hyphenated, upper-case types
    "Hauptstraße 5, Am Ring 3, Damianboulevard 82-84, Storgatan 12, Unter den Linden-Weg 7",
    # city-led postcodes and PINs
    "Springfield, IL 62704; Calgary, AB T2P 1J9; Salt Lake City, UT 84101",
    "Pune 411 001, Mumbai - 400001, Navi Mumbai 400 703",
]


@pytest.mark.parametrize("text", STREET_ROWS)
@pytest.mark.parametrize(("plain", "fast"), PLAIN_STREET_FORMS)
def test_street_forms_equal_plain(plain: re.Pattern[str], fast: re.Pattern[str], text: str) -> None:
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Flat", "Apt.", "#", "5", "12", "3B", "56/81", "Main", "St", "Street", "Ring", "Am",
             "Hauptstraße", "weg", "IL", "62704", "AB", "T2P 1J9", "-", ",", " ", "x", "Pune"]
        ),
        max_size=10,
    ).map(" ".join)
)  # fmt: skip
def test_street_forms_generated(text: str) -> None:
    for plain, fast in PLAIN_STREET_FORMS:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_field_gate_admits_every_key() -> None:
    for key in location._FIELD_KEYS:
        view = TextView.of(f'x {key}: "Lyon"\n')
        assert view.admits(location._FIELD_WORDS), key
        assert location._FIELD.search(view.padded()), key


CONTEXT_LISTS = [dates._WORDS, financial._BANK_WORDS]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["dob", "born", "d.o.b", "b.", "account", "a/c", "x", "5", " ", "\n",
                         "-", "née le", "start", "starts", "bank", "é", "follow-up"]),
        max_size=8,
    ).map("".join)
)  # fmt: skip
def test_context_scan_finds_what_context_regex_finds(text: str) -> None:
    view = TextView.of(text)
    for entries in CONTEXT_LISTS:
        plain = context_regex(entries)
        assert plain is not None
        found = context_scan(entries).search(view.padded(lower=True)) is not None
        assert found == (plain.search(view.lower) is not None), (entries[0], text)
