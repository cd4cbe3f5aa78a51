r"""Street-line shapes for the address recognizer, each with a cheap pre-check.

Every form is a regex for the street part; :data:`TAIL` then extends a match
over the ", City, ST 12345"-like segments that follow on the same line. A form
runs only when its ``hint`` (a literal-led regex, fast to scan) finds the word
the form cannot do without: a street type, a prefix such as "Via", a box word.
Hints run on ``TextView.padded`` texts (``"\n"`` + text) and hold the hinted
word in group ``w``, so that word-bounded hints can be word-start regexes
(see :func:`~privault.detect._trie.word_start_pattern`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from privault.detect._scan import WordGate, word_gate
from privault.detect._trie import WORD, trie_pattern, word_start_pattern
from privault.detect.recognizers._words import STREET_SUFFIXES, regex_alternation

__all__ = ["CAP", "CAP_LED", "STREETS", "TAIL", "Street", "line_matches", "rstrip_span"]

#: A capitalised word (Latin-1 and Latin Extended-A capitals: "Żwirowa", "Łódź").
_CAP_FIRST = "[A-ZÀ-ÖØ-ÞĀ-Ž]"
_CAP_REST = r"[\w'\u2019-]*"
CAP = _CAP_FIRST + _CAP_REST
#: The street forms start with a word not right after ``[\w-]``. Checking that after the
#: first character (a plain class: ``re`` scans fast for it) instead of before it (a
#: lookbehind, tried at every position) finds the same matches.
_AFTER_FIRST = r"(?<![\w-].)"
#: ``(?<![\w-])`` + :data:`CAP`, led by the capital.
CAP_LED = _CAP_FIRST + _AFTER_FIRST + _CAP_REST
_LINK = r"(?:de|la|le|du|des|di|del|da|von|van|der|den|am|an|im|of|on|upon|the)"
_CAPS = rf"{CAP}(?:[ ](?:{CAP}|{_LINK})){{0,3}}"
_UNIT_ALTS = (
    "Flat", r"Apt\.?", "Apartment", r"Apto\.?", "Unit", "Suite", r"Ste\.?", "Room", "Floor",
    r"Fl\.?", "Studio", "Building", r"Bldg\.?", r"No\.?", "Piano", "Interno", r"Int\.", "Scala",
    r"Sc\.", "Appartamento", r"App\.", "Piso", "Puerta", r"Pta\.", "Escalera", r"Esc\.", "Étage",
    "Etage", "Bâtiment", r"Bât\.", "Stock", r"Whg\.", "Wohnung", "Andar", "Sala", "#",
)  # fmt: skip
_UNIT_WORDS = "(?:" + "|".join(_UNIT_ALTS) + ")"


def _after_first(alts: tuple[str, ...]) -> str:
    r"""Return the alternation of ``alts`` (each led by a literal) after its first character.

    ``(?:(?<=F)(?:lat|loor|l\.?)|…)``: a lookbehind on the consumed character picks the
    alternatives it leads, in their order, so the match is the one ``(?:alts)`` gives.
    """
    groups: dict[str, list[str]] = {}
    for alt in alts:
        groups.setdefault(alt[0], []).append(alt[1:])
    branches = (f"(?<={re.escape(c)})(?:{'|'.join(rests)})" for c, rests in groups.items())
    return "(?:" + "|".join(branches) + ")"


_UNIT = rf"(?:{_UNIT_WORDS}\s*[\w-]+,?\s+)"
_TAIL_UNIT = rf"(?:,?\s{_UNIT_WORDS}\s*[\w-]+)"
_NUMBER = r"\d{1,5}[A-Za-z]?(?:[/-]\d{1,5}[A-Za-z]?)?"
_SUFFIX = regex_alternation(STREET_SUFFIXES)
_EU_SUFFIXES = (
    "strasse", "straße", "str.", "weg", "allee", "platz", "gasse", "ring", "damm", "ufer",
    "chaussee", "steig", "pfad", "markt", "straat", "laan", "dreef", "plein", "gracht", "singel",
    "kade", "hof", "steeg", "pad", "dijk", "boulevard", "vej", "gade", "gatan", "vägen", "väg",
    "gata", "veien", "gate", "katu", "tie",
)  # fmt: skip
_EU_SUFFIX = "(?:" + "|".join(re.escape(s) for s in sorted(_EU_SUFFIXES, key=len, reverse=True))
_EU_SUFFIX += ")"
_EU_PREFIXES = (
    "ul.", "al.", "pl.", "os.", "Plac", "Aleja", "Osiedle", "Rue", "rue", "Avenue", "Av.", "Avda.",
    "Avda", "Boulevard", "Bd.", "Bd", "Chemin", "Allée", "Allee", "Impasse", "Place", "Quai",
    "Cours", "Via", "Viale", "Piazza", "Piazzale", "Corso", "Vicolo", "Vico", "Largo", "Contrada",
    "Borgo", "Strada", "Stretto", "Salita", "Rampa", "Lungomare", "Lungotevere", "Galleria",
    "Località", "Loc.", "Frazione", "Fraz.", "Calle", "C/", "Avenida", "Paseo", "Plaza", "Camino",
    "Carrer", "Ronda", "Rambla", "Pasaje", "Glorieta", "Carretera", "Ctra.", "Avinguda",
    "Passeig", "Plaça", "Travesía", "Travesia", "Urbanización", "Urb.", "Alameda", "Rua",
    "Travessa", "Praça", "Praca", "Estrada", "Ladeira", "Largo",
)  # fmt: skip
_FR_TYPES = (
    "rue", "avenue", "boulevard", "bd", "chemin", "allée", "impasse", "place", "quai", "cours",
    "route", "square", "passage", "voie", "faubourg", "sentier", "esplanade", "promenade",
)  # fmt: skip
_PARTICLES = r"(?:(?:de|du|des|la|le|l'|di|del|della|dei|degli|da|do|dos|das|der|van|von)\s+)*"
_HOUSE = r"(?:,?\s+(?:n\.?\s?[°º]?\s?)?\d{1,4}[a-zA-Z]?(?:[-/]\d{1,4})?)"
_NAME_AFTER_TYPE = rf"{_PARTICLES}{CAP}(?:[ -]{_PARTICLES}{CAP}){{0,3}}"

_POSTCODE = (
    r"(?:\d{5}(?:-\d{4})?|\d{2}-\d{3}|\d{4}\s?[A-Z]{2}(?![a-z])|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}"
    r"|[A-Z]\d[A-Z]\s?\d[A-Z]\d|[A-Z]\d{2}\s?[A-Z0-9]{4}|[1-9]\d{5}|\d{3}\s\d{3}|\d{3,4})"
)
_STATE = r"(?:[A-Z]{2,3})"
_SEGMENT = (
    rf"(?:{_POSTCODE}|{_STATE}\s+{_POSTCODE}|{_STATE}|\([A-Z]{{2}}\)|{_UNIT_WORDS}\s*[\w-]+"
    rf"|\d{{1,2}}[ºª°](?:\s?[A-Z0-9]{{1,2}}[ºª]?)?|(?:(?:DPO|APO|FPO)\s+)?{_CAPS})"
)
#: The ", City, ST 12345" segments after a street (same line only).
TAIL = re.compile(rf"(?:(?:,[ ]?|[ ])(?:{_SEGMENT})(?![\w@])){{0,5}}")


@dataclass(frozen=True, slots=True)
class Street:
    """One street-line form.

    Attributes:
        name: short label (recognizer suffix).
        hint: must match somewhere in the padded text (lower-cased when ``hint_lower``);
            group ``w`` holds the hinted word.
        regex: the street part.
        score: base score.
        words: the hint's words as a :class:`~privault.detect._scan.WordGate`
            (a set intersection with the text's words, checked before the hint scan).
    """

    name: str
    hint: re.Pattern[str]
    regex: re.Pattern[str]
    score: float
    hint_lower: bool = True
    words: WordGate | None = None


def _hint(words: tuple[str, ...] | frozenset[str], after: str = r"(?![a-z])") -> re.Pattern[str]:
    return re.compile(word_start_pattern(words, "[^a-z]") + after)


_BOX_WORDS = ("box", "postfach", "apartado", "casella postale", "caixa postal", "boîte postale")
_MILITARY_WORDS = ("unit", "psc", "usns", "usnv", "uss", "uscgc")
_L = r"(?<![\w-])"
STREETS: tuple[Street, ...] = (
    Street(  # "684 Hogg Access", "Apt. 5, 12 Main St.", "56/81, Savant Nagar"
        "street",
        _hint(STREET_SUFFIXES),
        # ``{_L}{_UNIT}?{_NUMBER}…``, led by the unit word's first character or the digit
        re.compile(
            rf"[0-9A-Z#\u0080-\U0010ffff]{_AFTER_FIRST}(?:{_after_first(_UNIT_ALTS)}\s*[\w-]+,?\s+"
            rf"{_NUMBER}|(?<=\d)\d{{0,4}}[A-Za-z]?(?:[/-]\d{{1,5}}[A-Za-z]?)?),?\s"
            rf"(?:{CAP}[ ]){{0,3}}(?i:{_SUFFIX})\b\.?{_TAIL_UNIT}?"
        ),
        0.8,
        words=word_gate(STREET_SUFFIXES),
    ),
    Street(  # "Hauptstraße 5", "Damianboulevard 82", "Am Ring 3", "Storgatan 12"
        "compound",
        re.compile(rf"(?P<{WORD}>{trie_pattern(_EU_SUFFIXES)})\s+\d"),
        re.compile(  # both forms start with ``{_L}{CAP}``: led by its capital
            rf"{_CAP_FIRST}{_AFTER_FIRST}(?:{_CAP_REST}(?:[ -]{CAP})?{_EU_SUFFIX}|{_CAP_REST}"
            rf"(?:[ -]{CAP}){{0,2}}[ -](?i:{_EU_SUFFIX[3:-1]}))\s+\d{{1,4}}[a-zA-Z]?"
            rf"(?:\s?[-/]\s?\d{{1,4}}[a-zA-Z]?)?"
        ),
        0.8,
    ),
    Street(  # "Via Roma, 12", "ul. Żwirowa 63", "12 Rue de la Paix", "Rambla Nova 14"
        "prefixed",
        re.compile(word_start_pattern(_EU_PREFIXES, r"[^a-zA-Z0-9_](?<=\W)") + r"\s"),
        re.compile(
            rf"{_L}(?:\d{{1,4}}[a-z]?,?\s+)?(?:{trie_pattern(_EU_PREFIXES)})\s+{_NAME_AFTER_TYPE}"
            rf"{_HOUSE}?"
        ),
        0.8,
        hint_lower=False,
        words=word_gate(_EU_PREFIXES),
    ),
    Street(  # French number-first with a lower-case type: "41, chemin de Ferrand"
        "fr",
        _hint(_FR_TYPES, r"\s"),
        re.compile(
            rf"{_L}\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?:{trie_pattern(_FR_TYPES)})\s+{_NAME_AFTER_TYPE}"
        ),
        0.8,
        words=word_gate(_FR_TYPES),
    ),
    Street(  # "PO Box 1234", "P.O. Box 7", "Postfach 10 20", "Apartado 55"
        "box",
        _hint(_BOX_WORDS),
        re.compile(
            r"(?<![\w-])(?:P\.?[ ]?O\.?[ ]?Box|Post Office Box|Postfach|Apartado(?: de Correos)?"
            r"|Casella Postale|Caixa Postal|Bo[îi]te Postale)[ ]?\d{1,6}(?:[ ]\d{2,4})?(?![\w])",
            re.IGNORECASE,
        ),
        0.75,
        words=word_gate(_BOX_WORDS),
    ),
    Street(  # US military mail: "Unit 4190 Box 2882", "PSC 0381", "USNS Bryant"
        "military",
        _hint(_MILITARY_WORDS),
        re.compile(rf"{_L}(?:Unit|PSC|USNS|USNV|USS|USCGC)\s+\d{{3,5}}(?:\s+Box\s+\d{{3,5}})?"),
        0.8,
        words=word_gate(_MILITARY_WORDS),
    ),
)


def line_matches(
    regex: re.Pattern[str], hint: re.Pattern[str], text: str, hint_text: str
) -> Iterator[re.Match[str]]:
    r"""Yield the matches of ``regex`` on the lines of ``text`` where ``hint`` matches.

    ``hint`` is searched in ``hint_text``: ``"\n"`` + a same-offset form of
    ``text`` (``TextView.padded``); the hinted line is the one of its group ``w``.
    Addresses do not cross lines, so scanning only hinted lines loses nothing.
    """
    done = -1
    for h in hint.finditer(hint_text):
        start, end = h.start(WORD) - 1, h.end() - 1  # offsets in ``text``
        if start < done:
            continue
        lo = text.rfind("\n", 0, start) + 1
        hi = text.find("\n", end)
        done = len(text) if hi < 0 else hi
        yield from regex.finditer(text, lo, done)


def rstrip_span(text: str, start: int, end: int) -> int:
    """Return ``end`` moved left over trailing separators and punctuation."""
    while end > start and text[end - 1] in " ,.;:-":
        end -= 1
    return end
