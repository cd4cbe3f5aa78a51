"""The recognizer contract and the generic pattern recognizer.

Implementer's checklist for a new recognizer:

* expose ``name`` (unique, used in :class:`~privault.detect.Finding`) and
  ``entities`` (the types it can emit);
* ``analyze(view)`` returns findings for the whole of ``view.text``; it must be
  pure: no I/O, no state kept between calls, no mutation of shared objects;
* scores are in ``[0, 1]``; weak shapes score below the default threshold (0.5)
  and rely on context words to pass;
* drop candidates a checksum rejects rather than scoring them low.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from privault.core.errors import InvalidInput
from privault.detect._scan import RUN_MIN_DIGITS, Run, WordGate, number_runs, run_matches, words
from privault.detect._trie import trie_pattern, word_start_pattern
from privault.detect._types import Finding
from privault.detect.validators import Validator

__all__ = [
    "Pattern",
    "PatternRecognizer",
    "Recognizer",
    "TextView",
    "context_regex",
    "context_scan",
]

#: How far before / after a span context words are looked for (characters).
CONTEXT_BEFORE = 60
CONTEXT_AFTER = 25
#: Score added when a context word is close; halved at the edge of the window.
CONTEXT_BOOST = 0.45
CONTEXT_NEAR = 30


def context_regex(words: Iterable[str]) -> re.Pattern[str] | None:
    """Compile context words (lower case) into one word-bounded regex.

    Args:
        words: words or short phrases; matched case-insensitively.

    Returns:
        The compiled regex, or ``None`` when ``words`` is empty.

    """
    alts = sorted({w.lower() for w in words if w}, key=len, reverse=True)
    if not alts:
        return None
    return re.compile(rf"{trie_pattern(alts, left='[a-z0-9]')}(?![a-z])")


def context_scan(words: Iterable[str]) -> re.Pattern[str]:
    """Compile context words for a whole-text search of ``TextView.padded(lower=True)``.

    Finds a match exactly when :func:`context_regex` finds one in the lower-cased
    text, led by the character before the word (see
    :func:`~privault.detect._trie.word_start_pattern`): faster on long texts.
    """
    alts = sorted({w.lower() for w in words if w}, key=len, reverse=True)
    return re.compile(word_start_pattern(alts, "[^a-z0-9]") + "(?![a-z])")


@dataclass(frozen=True, slots=True)
class TextView:
    """The text under analysis, with derived forms computed once.

    Attributes:
        text: the original text.
        lower: ``text.lower()`` (same length for the scripts we handle).

    The shared scans (:mod:`privault.detect._scan`) and padded forms are computed
    once, when the view is built: nearly every text needs each of them, and a
    plain attribute is cheaper to read, a score of times per text, than a memo.
    """

    text: str
    lower: str = field(default="")
    _words: frozenset[str] = field(init=False, compare=False, repr=False)
    _runs: list[Run] = field(init=False, compare=False, repr=False)
    _padded: str = field(init=False, compare=False, repr=False)
    _padded_lower: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_words", words(self.lower))
        object.__setattr__(self, "_runs", number_runs(self.text))
        object.__setattr__(self, "_padded", "\n" + self.text)
        object.__setattr__(self, "_padded_lower", "\n" + self.lower)

    @classmethod
    def of(cls, text: str) -> TextView:
        """Build a view of ``text``."""
        lower = text.lower()
        if len(lower) != len(text):  # rare: some characters change length when lowered
            lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        return cls(text, lower)

    def words(self) -> frozenset[str]:
        """Return the lower-case ASCII words of the text (see :func:`~._scan.words`)."""
        return self._words

    def runs(self) -> list[Run]:
        """Return the number runs of the text (see :func:`~._scan.number_runs`)."""
        return self._runs

    def padded(self, *, lower: bool = False) -> str:
        r"""Return ``"\n"`` + the text (or its lower-cased form): offsets one more.

        Word-start regexes (:func:`~._trie.word_start_pattern`) and line rules run
        on it, so a match at offset 0 has a character before it.
        """
        return self._padded_lower if lower else self._padded

    def admits(self, gate: WordGate | None) -> bool:
        """Return whether ``gate`` lets a word list possibly match (``None``: always)."""
        return gate is None or gate.admits(self._words, self.lower)

    def context_distance(
        self, start: int, end: int, regex: re.Pattern[str] | None, *, after: bool = True
    ) -> int | None:
        """Return the distance from the span to the nearest context word, if any is near.

        Args:
            start: span start.
            end: span end.
            regex: context words (see :func:`context_regex`).
            after: also look a little past the span end.
        """
        if regex is None:
            return None
        best: int | None = None
        lo = max(0, start - CONTEXT_BEFORE)
        for m in regex.finditer(self.lower, lo, start):
            best = max(0, start - m.end())
        nxt = regex.search(self.lower, end, min(len(self.lower), end + CONTEXT_AFTER))
        if after and nxt is not None:
            dist = nxt.start() - end
            best = dist if best is None else min(best, dist)
        return best

    def boost(self, start: int, end: int, regex: re.Pattern[str] | None) -> float:
        """Return the context boost for a span: 0 when no context word is near."""
        dist = self.context_distance(start, end, regex)
        if dist is None:
            return 0.0
        return CONTEXT_BOOST if dist <= CONTEXT_NEAR else CONTEXT_BOOST * 0.7


@runtime_checkable
class Recognizer(Protocol):
    """Finds entities of some types in text. See the module docstring for the contract."""

    @property
    def name(self) -> str:
        """Unique recognizer name."""
        ...

    @property
    def entities(self) -> frozenset[str]:
        """Entity types this recognizer can emit."""
        ...

    def analyze(self, view: TextView) -> list[Finding]:
        """Return the findings in ``view.text``."""
        ...


@dataclass(frozen=True, slots=True)
class Pattern:
    """One regular expression of a pattern recognizer.

    Attributes:
        name: short label for debugging.
        regex: compiled expression; the value is group ``group``.
        score: base score of a match (before context).
        group: the group holding the value (0 = whole match).
        scores: optional ``(group, {text: score})``: the base score is looked up by the
            text of that group (one regex for several notations), ``score`` otherwise.
        min_digits: as :attr:`PatternRecognizer.min_digits`, for this pattern only.

    """

    name: str
    regex: re.Pattern[str]
    score: float
    group: int | str = 0
    scores: tuple[str, Mapping[str, float]] | None = None
    min_digits: int = 0

    def __post_init__(self) -> None:
        if 0 < self.min_digits < RUN_MIN_DIGITS:
            raise InvalidInput(f"min_digits must be 0 or at least {RUN_MIN_DIGITS}")

    def base(self, m: re.Match[str]) -> float:
        """Return the base score of match ``m``."""
        if self.scores is None:
            return self.score
        group, table = self.scores
        return table.get(m.group(group) or "", self.score)


@dataclass(frozen=True, slots=True)
class PatternRecognizer:
    """Regexes + optional validator + context words -> scored findings.

    Attributes:
        name: unique recognizer name.
        entity: the entity type emitted.
        patterns: the expressions tried, in order.
        validator: drops candidates for which it returns ``False``.
        context: words that raise the score when near a match.
        hints: substrings one of which must occur for the patterns to run.
        min_counts: ``(char, n)`` pairs: the patterns run only if some ``char`` occurs
            at least ``n`` times (a dotted-quad IP address has three ``.``).
        prefilter: a literal-led regex found inside every match (a MAC address holds
            ``:hh:hh:``): the patterns run only on texts where it is found, and it
            scans much faster than a pattern led by a lookbehind.
        adjacent_negative: words that drop a match when they end right before it
            (at most one space between): "follow up by 2021-06-01" is a deadline.
        negative_context: words that, when nearer than any context word, drop a match.
        context_gate: the context words' :class:`~._scan.WordGate`: with
            ``requires_context``, texts it rejects are skipped before any scan.
        context_scan: the context words as :func:`context_scan`: with
            ``requires_context``, searched instead of ``context`` on the whole text.
        min_digits: when > 0, every pattern is digit-led, stays inside a number
            run and holds at least this many digits (at least
            :data:`~._scan.RUN_MIN_DIGITS`): only such runs are scanned
            (see :func:`~._scan.run_matches`).

    """

    name: str
    entity: str
    patterns: Sequence[Pattern]
    validator: Validator | None = None
    context: re.Pattern[str] | None = None
    negative_context: re.Pattern[str] | None = None
    requires_context: bool = False
    hints: tuple[str, ...] = ()
    min_counts: tuple[tuple[str, int], ...] = ()
    prefilter: re.Pattern[str] | None = None
    adjacent_negative: re.Pattern[str] | None = None
    context_gate: WordGate | None = None
    context_scan: re.Pattern[str] | None = None
    min_digits: int = 0

    def __post_init__(self) -> None:
        if 0 < self.min_digits < RUN_MIN_DIGITS:
            raise InvalidInput(f"min_digits must be 0 or at least {RUN_MIN_DIGITS}")

    @property
    def entities(self) -> frozenset[str]:
        """The single entity type of this recognizer."""
        return frozenset((self.entity,))

    def analyze(self, view: TextView) -> list[Finding]:
        """Return scored findings for every pattern match that validates."""
        out: list[Finding] = []
        text = view.text
        if self.hints and not any(h in text for h in self.hints):
            return out
        if self.min_counts and all(text.count(c) < n for c, n in self.min_counts):
            return out
        if self.prefilter is not None and self.prefilter.search(text) is None:
            return out
        if self.requires_context and (
            self.context is None
            or not view.admits(self.context_gate)
            or not (
                self.context_scan.search(view.padded(lower=True))
                if self.context_scan is not None
                else self.context.search(view.lower)
            )
        ):
            return out
        for pat in self.patterns:
            if min_digits := pat.min_digits or self.min_digits:
                if not view.runs():
                    continue  # no run of digits: nothing to scan
                matches = run_matches(pat.regex, text, view.runs(), min_digits)
            else:
                matches = pat.regex.finditer(text)
            for m in matches:
                start, end = m.span(pat.group)
                if start >= end or (self.validator and not self.validator(m.group(pat.group))):
                    continue
                score = self._score(view, start, end, pat.base(m))
                if score > 0.0:
                    out.append(Finding(self.entity, start, end, min(1.0, score), self.name))
        return out

    def _score(self, view: TextView, start: int, end: int, base: float) -> float:
        if self.adjacent_negative is not None:
            adj = view.context_distance(start, end, self.adjacent_negative, after=False)
            if adj is not None and adj <= 1:
                return 0.0
        pos = view.context_distance(start, end, self.context)
        neg = view.context_distance(start, end, self.negative_context, after=False)
        if neg is not None and (pos is None or neg < pos):
            return base - CONTEXT_BOOST
        if pos is None:
            return base
        return base + (CONTEXT_BOOST if pos <= CONTEXT_NEAR else CONTEXT_BOOST * 0.7)
