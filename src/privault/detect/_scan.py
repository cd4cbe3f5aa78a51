"""Shared scans done once per text, and the cheap pre-checks built on them.

Python's ``re`` enters its matcher at every position a pattern could start:
a digit-led pattern costs about as much per digit as a full match attempt, and
the sample texts are dense with numbers. Two scans are therefore done once per
text (and cached on the :class:`~privault.detect.recognizer.TextView`):

* :func:`number_runs`: maximal runs of digits and number separators
  (``[0-9 .-/]``, starting at a digit) with their digit counts, for the runs
  of at least :data:`RUN_MIN_DIGITS` digits. A digit-led pattern that consumes
  only those characters matches inside one run, so :func:`run_matches` scans
  only the runs with enough digits for it (a card needs 13), instead of the
  whole text once per recognizer;
* :func:`words`: the set of lower-case ASCII words (maximal ``[a-z]+`` runs).
  A :class:`WordGate` tells from it, with a set intersection, whether a
  word-bounded list (context words, street types) can match at all, so the
  list's regex runs only on the texts where it might.

Both pre-checks are exact: they never skip a text where the scan they guard
would have matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

__all__ = [
    "RUN_MIN_DIGITS",
    "RUN_PAD",
    "WordGate",
    "number_runs",
    "plain_led",
    "run_matches",
    "word_gate",
    "words",
]


def plain_led(ascii_class: str, exact: str) -> str:
    r"""Return a regex source for one character of ``exact``, led by a plain class.

    ``re`` scans quickly for the first character of a pattern when it is a plain
    class (``[0-9]``) and slowly when it tests a Unicode category (``\d``, ``\w``).
    The plain class holds the ASCII characters of ``exact`` (``ascii_class``) and
    every non-ASCII character; a lookbehind then applies ``exact`` itself.

    Args:
        ascii_class: the ASCII members of ``exact``, as class contents (``"0-9A-Z"``).
        exact: the class the character must belong to (``r"[\dA-Z]"``).
    """
    return f"[{ascii_class}\u0080-\U0010ffff](?<={exact})"


#: The fewest digits of a kept run (and of a match of any run-scanned pattern).
RUN_MIN_DIGITS = 4
#: A digit, then digits and separators: the run a digit-led number pattern stays inside.
#: Only runs with ``RUN_MIN_DIGITS`` digits match: a shorter run fails from its first
#: digit, and so from every later one.
_RUN = re.compile(plain_led("0-9", r"\d") + r"(?:[ .\-/]*\d){3}[\d .\-/]*")
_WORD = re.compile(r"[a-z]+")
#: Characters past a run end that a pattern's lookahead may inspect (dates look 7 ahead).
RUN_PAD = 16

#: ``(start, end, digits)``: one run of :func:`number_runs`.
Run = tuple[int, int, int]


def number_runs(text: str) -> list[Run]:
    """Return the maximal runs of ``[0-9 .-/]`` from a digit, of :data:`RUN_MIN_DIGITS` digits.

    Args:
        text: the text to scan.

    Returns:
        ``(start, end, digits)`` per run, in text order; ``end`` may include
        trailing separators.
    """
    # a run holds \d digits and ASCII separators only: its digits are its ``isdigit`` chars
    return [(m.start(), m.end(), sum(map(str.isdigit, m.group()))) for m in _RUN.finditer(text)]


def run_matches(
    regex: re.Pattern[str], text: str, runs: Sequence[Run], min_digits: int
) -> Iterator[re.Match[str]]:
    """Yield the matches of ``regex`` in ``text``, scanning only runs with ``min_digits``.

    Same matches as ``regex.finditer(text)`` when every match of ``regex``
    starts with a digit, consumes only ``[0-9 .-/]`` characters, holds at least
    ``min_digits`` digits and looks at most :data:`RUN_PAD` characters ahead.

    Args:
        regex: a digit-led pattern (see above).
        text: the text the runs were computed on.
        runs: :func:`number_runs` of ``text``.
        min_digits: the fewest digits a match of ``regex`` holds.
    """
    n = len(text)
    for start, end, digits in runs:
        if digits < min_digits:
            continue
        for m in regex.finditer(text, start, min(n, end + RUN_PAD)):
            if m.start() >= end:
                break
            yield m


#: Every ASCII byte that is no lower-case letter, to a space.
_NOT_LOWER = bytes.maketrans(bytes(c for c in range(256) if not 97 <= c <= 122), b" " * 230)


def words(lower: str) -> frozenset[str]:
    """Return the maximal ``[a-z]+`` runs of ``lower`` (a lower-cased text)."""
    if lower.isascii():  # most texts: a byte translation and a split beat the regex
        return frozenset(lower.encode("ascii").translate(_NOT_LOWER).decode("ascii").split())
    return frozenset(_WORD.findall(lower))


@dataclass(frozen=True, slots=True)
class WordGate:
    """Whether a word list, matched word-bounded, can occur in a text.

    Attributes:
        tokens: ASCII words (one ``[a-z]+`` part per entry) one of which must be
            a word of the text.
        substrings: entries that are not reducible to a word; checked with ``in``.
        ascii_substrings: the ASCII ones among them, the only ones an ASCII text
            (most texts) can hold.

    """

    tokens: frozenset[str]
    substrings: tuple[str, ...]
    ascii_substrings: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ascii_only = tuple(s for s in self.substrings if s.isascii())
        object.__setattr__(self, "ascii_substrings", ascii_only)

    def admits(self, text_words: frozenset[str], lower: str) -> bool:
        """Return whether some entry may occur (``False`` means it certainly does not)."""
        if not self.tokens.isdisjoint(text_words):
            return True
        subs = self.ascii_substrings if lower.isascii() else self.substrings
        return any(s in lower for s in subs)


def word_gate(entries: Iterable[str]) -> WordGate:
    """Build the :class:`WordGate` of a word list matched with ``[a-z]`` excluded on both sides.

    The guarded regex must not match right after an ``[a-z]`` letter, nor end
    right before one (as :func:`~privault.detect.recognizer.context_regex` and
    the street hints do); comparison is on the lower-cased text. Every
    ``[a-z]+`` part of an entry is then a whole word of a text holding the
    entry; the longest part (the rarest, usually) is the entry's token.
    Entries with other letters or no ASCII letter are checked as substrings.

    Args:
        entries: the words or phrases of the list (any case).
    """
    tokens: set[str] = set()
    subs: set[str] = set()
    for entry in entries:
        low = entry.lower()
        parts = _WORD.findall(low)
        if not parts or not low.isascii():
            subs.add(low)
        else:
            tokens.add(max(parts, key=len))
    return WordGate(frozenset(tokens), tuple(sorted(subs)))
