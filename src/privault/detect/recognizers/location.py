"""LOCATION from address shapes: street lines, postcode + city, and city context.

A one-line address is reported as one span: the street part is found first,
then extended over the ", City, ST 12345"-like segments that follow on the
same line. Street forms cover English (number first, type last), German/Dutch
/Nordic compounds ("Hauptstraße 5"), Romance and Polish type-first forms
("Via Roma 12", "41, chemin de Ferrand", "ul. Długa 3"), Indian localities
("56/81, Savant Nagar"), unit lines and PO boxes. The NER backend adds bare
city names; rules find cities after residence phrases ("lives in", "born …
in") and in key-value fields (``city="…"``).

Speed: each street form is tried only when a cheap literal pre-check passes
(see :mod:`privault.detect.recognizers._address`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from privault.detect._scan import plain_led, word_gate
from privault.detect._trie import WORD, word_start_pattern
from privault.detect._types import Finding
from privault.detect.recognizer import TextView
from privault.detect.recognizers._address import (
    CAP,
    CAP_LED,
    STREETS,
    TAIL,
    line_matches,
    rstrip_span,
)
from privault.detect.recognizers._words import NOT_NAMES, common_words, word_set

__all__ = ["AddressRecognizer", "location_recognizers"]

_STATE = r"(?:[A-Z]{2,3})"
_CAPS_TAIL = rf"(?:[ ](?:{CAP}|de|la|le|du|di|del|da|von|van|der|am|an|im|on|upon)){{0,3}}"
_CAPS = CAP + _CAPS_TAIL
#: A digit or capital (see ``plain_led``).
_DIGIT_OR_CAP = plain_led("0-9A-Z", r"[\dA-Z]")
#: "postcode city" (EU, Dutch "1234 AB", Italian "00184, Roma (RM)") and UK postcodes.
#: Forms: ``\d{5}``, ``\d{2}-\d{3}``, ``\d{4}\s?[A-Z]{2}``, ``[A-Z]-?\d{4,5}``, ``\d{4}``, then
#: the city; UK ``[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}``. The first character is consumed
#: before the left-boundary check and each form goes on after it (a lookbehind picks
#: the forms that start with it), so ``re`` scans for digits and capitals only.
_POSTAL = re.compile(
    rf"{_DIGIT_OR_CAP}(?<![\w-].)(?:(?P<pc>(?:(?<=\d)\d{{4}}|(?<=\d)\d-\d{{3}}|(?<=\d)\d{{3}}\s?[A-Z]{{2}}"
    rf"|(?<=[A-Z])-?\d{{4,5}}|(?<=\d)\d{{3}}),?[ ]{_CAPS}(?:[ ]\([A-Z]{{2}}\))?"
    rf"(?:,?[ ]{_STATE}(?:[ ]\d{{3,5}})?)?)"
    r"|(?P<uk>(?<=[A-Z])[A-Z]?\d[A-Z\d]?\s\d[A-Z]{2}))(?![\w@])"
)
#: City-led forms, scanned only on lines where their number part occurs (see ``line_matches``):
#: "City, ST 12345" / "City, AB T2P 1J9", and "City 560001" / "City - 560 001" (Indian PIN).
_CITY_POSTAL = (
    (
        "csz",
        # "ST 1234" / "ST, T2P": led by the space (a literal: fast to scan for)
        re.compile(
            rf"(?P<{WORD}>[ ])(?:(?<=[A-Z]{{2}}[ ])|(?<=[A-Z]{{2}},[ ]))(?:\d{{4}}|[A-Z]\d[A-Z])"
        ),
        re.compile(
            rf"{CAP_LED}{_CAPS_TAIL},?[ ]{_STATE},?[ ]"
            r"(?:\d{5}(?:-\d{4})?|\d{4}|[A-Z]\d[A-Z]\s?\d[A-Z]\d)(?![\w@])"
        ),
    ),
    (
        "pin",
        re.compile(rf"(?P<{WORD}>[ ][1-9]\d{{2}}[ ]?\d{{3}})(?!\d)"),
        re.compile(rf"{CAP_LED}(?:[ ]{CAP})?(?:[ ]-)?[ ][1-9]\d{{2}}[ ]?\d{{3}}(?![\w@])"),
    ),
)
_POSTAL_SCORES = {"pc": 0.6, "csz": 0.65, "uk": 0.55, "pin": 0.6}
_CITY_AT = re.compile(
    rf"(?:(?:from|to|in)[ ]+)?(?P<v>{CAP}(?:[ -]{CAP}){{0,2}})"
    rf"(?=[ ]+(?:to|and|next|on|for|this|last|tomorrow|today)\b|[.,;:)\n\"]|$)"
)
#: Words after which a capitalised word is probably a place; strong ones score above threshold.
_CITY_STRONG = word_set(
    "moving moved relocating relocated relocate lives living based located residing resides "
    "near city town hometown born"
)
_CITY_WEAK = word_set("from to in at visiting visit office branch")
#: Runs on the padded lower-cased text (see ``word_start_pattern``).
_CITY_TRIGGER = re.compile(word_start_pattern(_CITY_STRONG | _CITY_WEAK, "[^a-z]") + r"(?![a-z])")
_FIELD_KEYS = (
    "city", "town", "location", "address", "addr", "home address", "postal address", "street",
    "place of birth", "birthplace", "hometown", "municipality", "village",
)  # fmt: skip
#: Texts without a key word (a word of the text, when the key is matched) have no field.
_FIELD_WORDS = word_gate(_FIELD_KEYS)
#: Key-value fields holding a place: ``city="Lyon"``, ``"town": "Ely"``, ``Address: 5 Elm St``.
#: Runs on the padded text (see ``word_start_pattern``).
_FIELD = re.compile(
    word_start_pattern(_FIELD_KEYS, r"[^a-zA-Z0-9_.](?<=[^\w.])")
    + r"""(?![\w])["']?[ ]?[:=][ ]?(?:"(?P<q>[^"\n]{2,80})"|'(?P<s>[^'\n]{2,80})'"""
    + rf"""|(?P<v>(?:\d|{CAP})[^\n|;"<>]{{1,80}}?))(?=[ ]*(?:[|;"<>\n]|$|[ ]{{2}}|\w+=))"""
)
_PIPE_LAST = re.compile(rf"(?m)\|[ ]*(?P<v>{CAP}(?:[ -]{CAP}){{0,2}})[ ]*$")


@dataclass(frozen=True, slots=True)
class AddressRecognizer:
    """Street addresses, postcode + city lines, and cities after residence phrases."""

    name: str = "address"

    @property
    def entities(self) -> frozenset[str]:
        """LOCATION only."""
        return frozenset(("LOCATION",))

    def analyze(self, view: TextView) -> list[Finding]:
        """Return address and city spans."""
        out = self._streets(view) + self._postal(view) + self._fields(view)
        out += self._cities(view)
        return [f for f in out if f.end - f.start >= 3]

    def _streets(self, view: TextView) -> list[Finding]:
        text = view.text
        out: list[Finding] = []
        for street in STREETS:
            if not view.admits(street.words):
                continue
            hint_text = view.padded(lower=street.hint_lower)
            for m in line_matches(street.regex, street.hint, text, hint_text):
                tail = TAIL.match(text, m.end())
                end = rstrip_span(text, m.start(), tail.end() if tail else m.end())
                out.append(self._make(m.start(), end, street.score, street.name))
        return out

    def _postal(self, view: TextView) -> list[Finding]:
        text = view.text
        out: list[Finding] = []
        common = common_words()
        found = [(m.lastgroup or "pc", m) for m in _POSTAL.finditer(text)]
        for kind, hint, regex in _CITY_POSTAL:
            found.extend((kind, m) for m in line_matches(regex, hint, text, view.padded()))
        for kind, m in found:
            first = m.group().split(" ")[0].lower()
            if kind == "pin" and (first in NOT_NAMES or first in common):
                continue  # "Invoice 482913", "Room 120 455"
            end = rstrip_span(text, m.start(), m.end())
            out.append(self._make(m.start(), end, _POSTAL_SCORES[kind], kind))
        return out

    def _fields(self, view: TextView) -> list[Finding]:
        text = view.text
        out: list[Finding] = []
        if not view.admits(_FIELD_WORDS):
            return out
        for m in _FIELD.finditer(view.padded()):
            group = "q" if m.group("q") else "s" if m.group("s") else "v"
            start, end = m.start(group) - 1, m.end(group) - 1
            value = text[start:end].strip()
            if not value or value.split(" ")[0].lower() in NOT_NAMES:
                continue
            if not (value[0].isdigit() or value[0].isupper()):
                continue
            start += len(text[start:end]) - len(text[start:end].lstrip())
            out.append(self._make(start, rstrip_span(text, start, end), 0.7, "field"))
        return out

    def _cities(self, view: TextView) -> list[Finding]:
        out: list[Finding] = []
        strong_until = -1
        for w in _CITY_TRIGGER.finditer(view.padded(lower=True)):
            start, end = w.start(WORD) - 1, w.end() - 1
            if w.group(WORD) in _CITY_STRONG:
                strong_until = end + 40
            m = _CITY_AT.match(view.text, end + 1)
            if m is not None and m.group("v").lower() not in NOT_NAMES:
                score = 0.6 if start <= strong_until else 0.3
                out.append(self._make(m.start("v"), m.end("v"), score, "city"))
        for m in _PIPE_LAST.finditer(view.text):
            out.append(self._make(m.start("v"), m.end("v"), 0.55, "city"))
        return out

    def _make(self, start: int, end: int, score: float, kind: str = "address") -> Finding:
        return Finding("LOCATION", start, end, score, f"{self.name}:{kind}")


def location_recognizers() -> list[AddressRecognizer]:
    """Return the address recognizer."""
    return [AddressRecognizer()]
