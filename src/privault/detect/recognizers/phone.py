"""PHONE_NUMBER: a cheap candidate regex, then :mod:`phonenumbers` decides.

``phonenumbers.PhoneNumberMatcher`` is accurate but slow (it is most of
Presidio's phone cost); a regex finds the few digit runs worth parsing and each
is parsed once per region until one accepts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from privault.detect._scan import plain_led
from privault.detect._types import Finding
from privault.detect.recognizer import CONTEXT_BOOST, CONTEXT_NEAR, TextView, context_regex

__all__ = ["DEFAULT_REGIONS", "PhoneRecognizer", "phone_recognizers"]

#: Regions tried, in order, for numbers written without a country code.
DEFAULT_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "IN", "IT", "ES", "NL", "AU", "PL")

#: Candidates whose best possible score (shape + context) stays below this are not parsed.
MIN_SCORE = 0.3
#: A candidate is ``(?:\+|00)?(?:\(\+?\d{1,4}\)[ ]?)?\(?\d`` then ``_BODY``. Its first
#: character is consumed before the left-boundary check, and a lookbehind on it picks
#: the ways to go on (same order as that pattern), so ``re`` scans for ``[\d+(]`` only
#: (see ``plain_led``).
_BODY = r"[\d \t().\-/]{5,22}\d(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,5})?(?![\w]|[.,:/-]\d)"
_CC = r"(?:\(\+?\d{1,4}\)[ ]?)?"
_CANDIDATE = re.compile(
    plain_led("0-9+(", r"[\d+(]")
    + rf"(?<![\w+/.,:-].)(?:(?<=\+){_CC}\(?\d{_BODY}|(?<=0)0{_CC}\(?\d{_BODY}"
    rf"|(?<=\()\+?\d{{1,4}}\)[ ]?\(?\d{_BODY}|(?<=\()\d{_BODY}|(?<=\d){_BODY})"
)
_DATE_LIKE = re.compile(
    r"^\d{1,4}([./-])\d{1,2}\1\d{1,4}$|^\d+(?:\.\d+){3,}$|^\[?\d+\.\d+\]?$|^\d{1,3} \d{1,4}$"
)
_EXT = re.compile(r"[ ]?(?:x|ext\.?|#)[ ]?\d{1,5}$")
_CONTEXT = context_regex(
    ("phone", "phones", "tel", "telephone", "mobile", "mob", "cell", "call", "called", "calling",
     "callback", "call back", "contact", "fax", "whatsapp", "sms", "text", "ring", "reach", "dial",
     "landline", "handy", "telefon", "phone number", "support line", "hotline")
)  # fmt: skip
_NEGATIVE = context_regex(
    ("order", "invoice", "ticket", "tracking", "iban", "card", "nhs", "ssn", "passport",
     "license", "licence", "account", "acct", "contract", "ref", "reference", "serial", "build",
     "version", "sku", "imei", "routing", "id")
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PhoneRecognizer:
    """International and national phone numbers.

    Attributes:
        regions: regions tried for numbers without ``+``/``00``.

    """

    name: str = "phone"
    regions: tuple[str, ...] = DEFAULT_REGIONS

    @property
    def entities(self) -> frozenset[str]:
        """PHONE_NUMBER only."""
        return frozenset(("PHONE_NUMBER",))

    def analyze(self, view: TextView) -> list[Finding]:
        """Return phone numbers scored by shape, validity and context."""
        out: list[Finding] = []
        for m in _CANDIDATE.finditer(view.text):
            value = m.group().rstrip(" \t(-")
            core = _core(value)
            if core is None:
                continue  # no phone shape: skip the context look-up (most candidates)
            start, end = m.start(), m.start() + len(value)
            delta = _context_delta(view, start, end)
            if _best_score(value) + delta < MIN_SCORE:
                continue  # cannot become a useful finding: skip the costly parse
            base = self._base_score(core, 1.0 - delta)
            score = base + delta
            if base > 0.0 and score > 0.0:
                out.append(Finding("PHONE_NUMBER", start, end, min(1.0, score), self.name))
        return out

    def _base_score(self, core: str, ceiling: float = 1.0) -> float:
        """Score ``core`` (see :func:`_core`) by parsing; scores >= ``ceiling`` are alike."""
        if core.startswith("00"):
            core = "+" + core[2:]
        if core.startswith(("+", "(+")):
            return _parse_score(core, None, valid=0.85, possible=0.7, ceiling=ceiling)
        # a national trunk prefix (0...) is as telling as separators
        formatted = core.startswith("0") or any(c in core for c in " ()-./")
        valid, possible = (0.6, 0.5) if formatted else (0.35, 0.25)
        for region in self.regions:  # the first region that accepts the number decides
            score = _parse_score(core, region, valid=valid, possible=possible, ceiling=ceiling)
            if score > 0.0:
                return score
        return 0.0


def _core(value: str) -> str | None:
    """Return ``value`` without its extension, or ``None`` when no phone can have its shape."""
    core = _EXT.sub("", value) if "x" in value or "#" in value else value
    digits = sum(map(str.isdigit, core))
    if not 7 <= digits <= 15 or _DATE_LIKE.match(core):
        return None
    return core


def _best_score(value: str) -> float:
    """The highest base score ``value`` could get (before parsing; see ``_base_score``)."""
    if value.startswith(("+", "(+", "00")):
        return 0.85
    return 0.6 if value.startswith("0") or any(c in value for c in " ()-./") else 0.35


def _parse_score(
    value: str, region: str | None, *, valid: float, possible: float, ceiling: float = 1.0
) -> float:
    """Return ``valid``, ``possible`` or 0.0 for ``value`` parsed in ``region``.

    When ``possible >= ceiling`` (the context boost clamps either score to 1.0),
    the costly validity check is skipped and ``valid`` returned.
    """
    try:
        num = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return 0.0
    if not phonenumbers.is_possible_number(num):  # cheap length check first
        return 0.0
    if possible >= ceiling:
        return valid
    return valid if phonenumbers.is_valid_number(num) else possible


def _context_delta(view: TextView, start: int, end: int) -> float:
    pos = view.context_distance(start, end, _CONTEXT)
    neg = view.context_distance(start, end, _NEGATIVE, after=False)
    if neg is not None and (pos is None or neg < pos):
        return -CONTEXT_BOOST
    if pos is None:
        return 0.0
    return CONTEXT_BOOST if pos <= CONTEXT_NEAR else CONTEXT_BOOST * 0.7


def phone_recognizers() -> list[PhoneRecognizer]:
    """Return the phone recognizer."""
    return [PhoneRecognizer()]
