"""Fast forms of the person rules must find exactly what their plain forms find.

The given-name trie, the label words with their gap looked at ahead and the
line rules with non-backtracking names are compared with the plain passes they
replace, on hand-picked rows and on generated texts.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privault.detect._trie import trie_pattern
from privault.detect.recognizer import TextView
from privault.detect.recognizers import person
from privault.detect.recognizers._words import first_names


def _given_names_plain(text: str) -> list[tuple[int, int, float, str]]:
    """The given-name pass as it was: every capitalised word looked up in the list."""
    rec = person.PersonRuleRecognizer()
    names = first_names()
    out = []
    covered = 0
    for w in person._CAP_WORD.finditer(text):
        start = w.start()
        if start < covered or (start and (text[start - 1].isalpha() or text[start - 1] in
                                          "@._/\\'\u2019")):  # fmt: skip
            continue
        word = w.group()
        if word in names:
            m = person._NAME_AT.match(text, start)
            if m is not None:
                score = 0.7 if " " in m.group() else 0.5
                out.extend(rec._emit(start, m.group(), score, "given"))
                covered = m.end()
        elif len(word) == 1 and (m := person._INITIAL_NAME_AT.match(text, start)) is not None:
            out.append(person.Finding("PERSON", start, m.end(), 0.5, "person_rules:initial"))
    return [(f.start, f.end, f.score, f.recognizer) for f in out]


NAME_ROWS = [
    # a given name at the start, in the middle, glued to letters and after "@" or "'"
    "Maria Lopez met JohnSmith, a@Anna, O'Brien and x'Peter; Karl-Heinz too",
    # initials, an initial inside a covered name, McNames
    "J. Smith and Anna B. Keller; A. B. Jones, McDonald Jane",
    # apostrophes inside names, non-ASCII capitals, a name at the very end
    "D'Angelo, Élodie, Łucja and Ōtani spoke to Maria",
]


@pytest.mark.parametrize("text", NAME_ROWS)
def test_given_name_trie_equals_word_lookup(text: str) -> None:
    found = person.PersonRuleRecognizer()._given_names(text)
    assert [(f.start, f.end, f.score, f.recognizer) for f in found] == _given_names_plain(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Maria", "Anna", "John", "J.", "B.", "Smith", "x", "@", "'", "O'", "-"]),
        max_size=12,
    ).map(lambda parts: " ".join(parts).replace(" -", "-"))
)
def test_given_name_trie_generated(text: str) -> None:
    found = person.PersonRuleRecognizer()._given_names(text)
    assert [(f.start, f.end, f.score, f.recognizer) for f in found] == _given_names_plain(text)


PLAIN_NAME = rf"(?P<n>{person._WORD}(?:[ ]{person._TOKEN}){{0,3}})"
LINE_ROWS = [
    # speaker, IRC and signature lines; a name that gives back "'s" in the plain form
    "\nMaria Lopez: hi\n<Anna Keller> ok\nJohn O'Neil's | CEO\nJ. Smith's:\nDr Ana Ruiz, MD",
    # sign-offs with and without a blank line, quoted replies
    "\nKind regards,\n\nStephanie Jenkins\n> Thanks,\n> Jean-Luc Picard\nAna Maria de la Cruz:",
]


@pytest.mark.parametrize("text", LINE_ROWS)
@pytest.mark.parametrize("rule", person._LINE_RULES, ids=lambda r: r[0])
def test_line_rules_equal_backtracking_names(
    rule: tuple[str, re.Pattern[str], float], text: str
) -> None:
    _, fast, _ = rule
    assert person._NAME in fast.pattern
    plain = re.compile(fast.pattern.replace(person._NAME, PLAIN_NAME), fast.flags)
    assert [m.span("n") for m in fast.finditer(text)] == [m.span("n") for m in plain.finditer(text)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["\n", "Ana", "Lopez", "O'Neil", "'s", ":", " ", ",", "|", ">", "<", "MD"]),
        max_size=14,
    ).map("".join)
)
def test_line_rules_generated(text: str) -> None:
    for _, fast, _ in person._LINE_RULES:
        plain = re.compile(fast.pattern.replace(person._NAME, PLAIN_NAME), fast.flags)
        got = [m.span("n") for m in fast.finditer(text)]
        assert got == [m.span("n") for m in plain.finditer(text)]


def _triggered_plain(text: str) -> list[tuple[int, int, float, str]]:
    """The label pass as it was: every label word, its gap, then a name or not."""
    rec = person.PersonRuleRecognizer()
    plain = re.compile(
        trie_pattern(set(person._TRIGGERS), left=person._LETTER) + person._AFTER_WORD
    )
    out = []
    for t in plain.finditer(text.lower()):
        label, score = person._TRIGGERS[t.group()]
        pos = person._GAP.match(text, t.end())
        m = person._NAME_AT.match(text, pos.end() if pos else t.end())
        if m is not None:
            out.extend(rec._emit(m.start(), m.group(), score, label))
    return [(f.start, f.end, f.score, f.recognizer) for f in out]


def _triggered(text: str) -> list[tuple[int, int, float, str]]:
    found = person.PersonRuleRecognizer()._triggered(TextView.of(text))
    return [(f.start, f.end, f.score, f.recognizer) for f in found]


@pytest.mark.parametrize(
    "text",
    [
        # labels with colons, quotes, equals and hashes; greetings; a label at the end
        'Dear Maria, customer: "John Smith"; name=Ana user #Bo, Patient - Li Wei. Thanks',
        # labels followed by lower-case words, a McName, an apostrophe name, "name" twice
        "the customer said hi to my wife McKenna and O'Brien; name: name: Carla",
    ],
)
def test_triggered_equals_plain(text: str) -> None:
    assert _triggered(text) == _triggered_plain(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["dear", "Name", "name", ":", "=", '"', " ", "-", "Ana", "López", "McKay",
                         "the", "hi", "#", ".", "Ōta", "cc"]),
        max_size=10,
    ).map("".join)
)  # fmt: skip
def test_triggered_generated(text: str) -> None:
    assert _triggered(text) == _triggered_plain(text)
