"""LOCATION from address shapes: street lines, postcode + city, and city context.

A one-line address is reported as one span: the street part is found first,
then extended over the ", City, ST 12345"-like segments that follow on the
same line. The NER backend adds bare city names; in rules-only mode cities
are found after movement/residence phrases ("moving to", "lives in").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from privault.detect._types import Finding
from privault.detect.recognizer import TextView
from privault.detect.recognizers._words import (
    NOT_NAMES,
    STREET_SUFFIXES,
    regex_alternation,
    word_set,
)

__all__ = ["AddressRecognizer", "location_recognizers"]

_CAP = r"[A-ZÀ-Þ][\w'\u2019-]*"
_LINKS = r"(?:de|la|le|du|des|di|del|da|von|van|der|den|am|an|im|of|on|upon|the)"
_CAPS = rf"{_CAP}(?:[ ](?:{_CAP}|{_LINKS})){{0,3}}"
_UNIT = (
    r"(?:(?:Flat|Apt\.?|Apartment|Unit|Suite|Ste\.?|Room|Floor|Fl\.?|Studio|Building|Bldg\.?"
    r"|No\.?)\s*[\w-]+,?\s+)"
)
_TAIL_UNIT = r"(?:,?\s(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|#)\s*[\w-]+)"
_SUFFIX = regex_alternation(STREET_SUFFIXES)
_EN_STREET = (
    rf"{_UNIT}?(?:\d{{1,5}}[A-Za-z]?(?:[/-]\d{{1,5}}[A-Za-z]?)?,?\s)(?:{_CAP}[ ]){{0,3}}"
    rf"(?i:{_SUFFIX})\b\.?{_TAIL_UNIT}?"
)
_EU_SUFFIX = (
    r"(?:stra(?:ss|ß)e|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|steig|pfad|markt"
    r"|straat|laan|dreef|plein|gracht|singel|kade|hof|steeg|pad|dijk|markt|vej|gade|gatan|vägen)"
)
_EU_PREFIX = (
    r"(?:ul\.|al\.|pl\.|os\.|[Rr]ue|Avenue|Av\.|Avda\.?|Boulevard|Bd\.?|Chemin|All[ée]e|Impasse"
    r"|Place|Quai|Cours|Via|Viale|Piazza|Piazzale|Corso|Vicolo|Largo|Contrada|Borgo|Strada"
    r"|Calle|C/|Avenida|Paseo|Plaza|Camino|Carrer|Ronda|Traves[ií]a|Rua|Travessa|Pra[çc]a|Estrada)"
)
_PARTICLES = r"(?:(?:de|du|des|la|le|l'|di|del|della|dei|degli|da|do|dos|das|der|van|von)\s+)*"
_EU_STREET = (
    rf"(?:{_CAP}(?:[ -]{_CAP})?{_EU_SUFFIX}|{_CAP}(?:[ -]{_CAP}){{0,2}}[ -](?i:{_EU_SUFFIX[3:-1]}))"
    rf"\s+\d{{1,4}}[a-zA-Z]?(?:\s?[-/]\s?\d{{1,4}}[a-zA-Z]?)?"
)
_EU_PREFIXED = (
    rf"(?:\d{{1,4}}[a-z]?,?\s+)?{_EU_PREFIX}\s+{_PARTICLES}{_CAP}(?:[ -]{_PARTICLES}{_CAP}){{0,3}}"
    rf"(?:,?\s+(?:n\.?\s?[°º]?\s?)?\d{{1,4}}[a-zA-Z]?(?:[-/]\d{{1,4}})?)?"
)
_MILITARY = r"(?:Unit|PSC|USNS|USNV|USS|USCGC)\s+\d{3,5}(?:\s+Box\s+\d{3,5})?"
_POSTCODE = (
    r"(?:\d{5}(?:-\d{4})?|\d{2}-\d{3}|\d{4}\s?[A-Z]{2}(?![a-z])|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
    r"|[A-Z]\d[A-Z]\s?\d[A-Z]\d|[A-Z]\d{2}\s?[A-Z0-9]{4}|\d{3,4})"
)
_STATE = r"(?:[A-Z]{2,3})"
_SEGMENT = rf"(?:{_POSTCODE}|{_STATE}\s+{_POSTCODE}|{_STATE}|(?:(?:DPO|APO|FPO)\s+)?{_CAPS})"
_TAIL = rf"(?:(?:,[ ]?|[ ])(?:{_SEGMENT})(?![\w@])){{0,5}}"
_ADDRESS = re.compile(
    rf"(?<![\w-])(?:{_EN_STREET}|{_EU_STREET}|{_EU_PREFIXED}|{_MILITARY}){_TAIL}(?![\w@])"
)
_POSTCODE_CITY = re.compile(
    rf"(?<![\w-])(?:\d{{5}}|\d{{2}}-\d{{3}}|\d{{4}}\s?[A-Z]{{2}},?|[A-Z]-?\d{{4,5}}|\d{{4}})[ ]"
    rf"{_CAPS}(?:,?[ ]{_STATE}(?:[ ]{_POSTCODE})?)?(?![\w@])"
)
_CITY_STATE_ZIP = re.compile(
    rf"(?<![\w-]){_CAPS},?[ ]{_STATE},?[ ]"
    r"(?:\d{5}(?:-\d{4})?|\d{4}|[A-Z]\d[A-Z]\s?\d[A-Z]\d)(?![\w@])"
)
_UK_POSTCODE = re.compile(r"(?<![\w-])[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}(?![\w])")
_CITY_AT = re.compile(
    rf"(?:(?:from|to|in)[ ]+)?(?P<v>{_CAP}(?:[ -]{_CAP}){{0,2}})"
    rf"(?=[ ]+(?:to|and|next|on|for|this|last|tomorrow|today)\b|[.,;:)\n\"]|$)"
)
#: Words after which a capitalised word is probably a place; strong ones score above threshold.
_CITY_STRONG = word_set(
    "moving moved relocating relocated relocate lives living based located residing resides "
    "near city town hometown"
)
_CITY_WEAK = word_set("from to in at born visiting visit office branch")
_PIPE_LAST = re.compile(rf"(?m)\|[ ]*(?P<v>{_CAP}(?:[ -]{_CAP}){{0,2}})[ ]*$")
_LOWER_WORD = re.compile(r"[^\W\d_]+")


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
        text = view.text
        out = [
            self._make(m.start(), _rstrip(text, m.start(), m.end()), 0.8)
            for m in _ADDRESS.finditer(text)
        ]
        out += [
            self._make(m.start(), _rstrip(text, m.start(), m.end()), 0.6)
            for m in _POSTCODE_CITY.finditer(text)
        ]
        out += [self._make(m.start(), m.end(), 0.65) for m in _CITY_STATE_ZIP.finditer(text)]
        out += [self._make(m.start(), m.end(), 0.55) for m in _UK_POSTCODE.finditer(text)]
        out += self._cities(view)
        return [f for f in out if f.end - f.start >= 3]

    def _cities(self, view: TextView) -> list[Finding]:
        out: list[Finding] = []
        strong_until = -1
        for w in _LOWER_WORD.finditer(view.lower):
            word = w.group()
            if word in _CITY_STRONG:
                strong_until = w.end() + 40
            elif word not in _CITY_WEAK:
                continue
            m = _CITY_AT.match(view.text, w.end() + 1)
            if m is not None and m.group("v").lower() not in NOT_NAMES:
                score = 0.6 if w.start() <= strong_until else 0.3
                out.append(self._make(m.start("v"), m.end("v"), score, "city"))
        for m in _PIPE_LAST.finditer(view.text):
            out.append(self._make(m.start("v"), m.end("v"), 0.55, "city"))
        return out

    def _make(self, start: int, end: int, score: float, kind: str = "address") -> Finding:
        return Finding("LOCATION", start, end, score, f"{self.name}:{kind}")


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " ,.;:-":
        end -= 1
    return end


def location_recognizers() -> list[AddressRecognizer]:
    """Return the address recognizer."""
    return [AddressRecognizer()]
