"""Shared scans (``_scan``): number runs, run-restricted matching, word gates, line rules.

The run and word pre-checks must be exact: every row compares the restricted
scan with the plain full-text scan it replaces.
"""

from __future__ import annotations

import re

import pytest

from privault.detect import Analyzer
from privault.detect._scan import number_runs, run_matches, word_gate, words
from privault.detect.recognizer import TextView, context_regex
from privault.detect.recognizers import dates, financial, government, network
from privault.detect.recognizers._address import STREETS
from privault.detect.recognizers.secrets import _BITLOCKER

#: A BitLocker-shaped key, assembled at run time.
RECOVERY = "-".join(str(111111 * (i + 1)) for i in range(8))

SAMPLES = [
    # card with spaces, then a date and an IPv4 address
    "Card 4111 1111 1111 1111 exp 12/26, seen from 10.0.0.12/24 on 23.05.2021.",
    # SSN, NHS with dashes, an order number that must not leak into either
    "SSN 123-45-6789, NHS 943-476-5919; order #8459298-1 shipped",
    # runs touching letters and separators at both ends
    "ref A1234567890B x-9876543210- /5555 5555 5555 4444/ 1.2.3.4.5",
    # a number right at the end of the text (lookahead sees the end)
    "account number 12345678",
    # a recovery key, a long digit run and dates with times
    f"recovery key {RECOVERY} then 000123456789012345678 at 01/02/2020 10:30",
    # no digits at all
    "Nothing numeric here, just words.",
]

DIGIT_LED = [
    # (regex, min_digits) pairs the recognizers scan inside runs
    (financial._CARD, 13),
    (financial._BANK, 8),
    (government._SSN, 9),
    (government._NHS, 10),
    (network._IPV4, 4),
    (_BITLOCKER, 48),
    (dates._NUMERIC, 4),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a single run: digits counted, separators not
        ("tel 020 7946-0958.", [(4, 18, 11)]),
        # two runs split by a letter: the short one is dropped, a trailing space is kept
        ("1 2x3456 ", [(4, 9, 4)]),
        # runs of fewer than four digits are no runs
        ("Room 123, floor 4, 1.2.3", []),
        # slashes and dots are separators
        ("on 12/05/2021.", [(3, 14, 8)]),
        # no digits, no runs
        ("none", []),
    ],
)
def test_number_runs(text: str, expected: list[tuple[int, int, int]]) -> None:
    assert number_runs(text) == expected


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize(("regex", "min_digits"), DIGIT_LED)
def test_run_matches_equal_full_scan(text: str, regex: re.Pattern[str], min_digits: int) -> None:
    full = [m.span() for m in regex.finditer(text)]
    runs = number_runs(text)
    assert [m.span() for m in run_matches(regex, text, runs, min_digits)] == full


@pytest.mark.parametrize(
    ("entries", "tokens", "substrings"),
    [
        # phrases keep their longest ASCII word; "b." keeps "b"
        (("date of birth", "b.", "dob"), {"birth", "b", "dob"}, ()),
        # non-ASCII entries are checked as substrings
        (("née le", "führerschein", "dl#"), {"dl"}, ("führerschein", "née le")),
        # no ASCII letter at all: substring
        (("#",), set(), ("#",)),
    ],
)
def test_word_gate_build(
    entries: tuple[str, ...], tokens: set[str], substrings: tuple[str, ...]
) -> None:
    gate = word_gate(entries)
    assert gate.tokens == frozenset(tokens)
    assert gate.substrings == substrings


GATED_LISTS = [
    # every word list whose regex is guarded by a WordGate
    dates._WORDS,
    financial._BANK_WORDS,
    government._DL_WORDS,
    government._PASSPORT_WORDS,
]


@pytest.mark.parametrize("entries", GATED_LISTS)
def test_word_gate_admits_every_match(entries: tuple[str, ...]) -> None:
    regex = context_regex(entries)
    assert regex is not None
    gate = word_gate(entries)
    for entry in entries:
        for text in (entry, f"x {entry.upper()}.", f"({entry})", f"ab{entry}", f"{entry}s"):
            view = TextView.of(text)
            if regex.search(view.lower):
                assert gate.admits(view.words(), view.lower), (entry, text)


@pytest.mark.parametrize(
    "text",
    [
        # street type word
        "Send it to 12 Baker Street, London",
        # type-first prefix with a dot, and a non-ASCII prefix
        "ul. Długa 3 / Località Pian 5",
        # French lower-case type
        "41, chemin de Ferrand",
        # hint word glued to other letters: no hint, no gate
        "streetwise parkour",
    ],
)
def test_street_gates_admit_hinted_texts(text: str) -> None:
    view = TextView.of(text)
    for street in STREETS:
        if street.words is None:
            continue
        hinted = street.hint.search(view.padded(lower=street.hint_lower))
        if hinted:
            assert view.admits(street.words), (street.name, text)


def test_view_caches_scans() -> None:
    view = TextView.of("Call 555 0100 today")
    assert view.runs() is view.runs()
    assert view.words() is view.words() == words("call 555 0100 today")
    assert view.admits(None)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # sign-off at the very start of the text (line rules run on "\n" + text)
        ("Regards,\nStephanie Jenkins", "Stephanie Jenkins"),
        # chat speaker on a later line
        ("[10:02] support bot: hi\nMaria Lopez: my card is blocked", "Maria Lopez"),
    ],
)
def test_line_rules_offsets(rules: Analyzer, text: str, name: str) -> None:
    found = [text[f.start : f.end] for f in rules.analyze(text) if f.type == "PERSON"]
    assert name in found, found
