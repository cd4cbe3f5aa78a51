"""US_SSN, US_DRIVER_LICENSE, US_PASSPORT, UK_NHS and UK_NINO recognizers.

Most government identifiers are short digit strings that also look like order
numbers or phone numbers, so their bare shapes score low and need a context
word ("SSN", "passport", "driver's license") close by to pass the threshold.
Checksums (NHS mod-11, SSN area/group/serial) drop impossible values outright.
"""

from __future__ import annotations

import re

from privault.detect._scan import word_gate
from privault.detect.recognizer import Pattern, PatternRecognizer, Recognizer, context_regex
from privault.detect.validators import nhs_valid, nino_valid, ssn_valid

__all__ = ["government_recognizers"]

_L = r"(?<![\w/.,-])"
_R = r"(?![\w-]|[.,/]\w)"

#: One scan for the three notations; the separator decides the base score.
#: Digit-led patterns check the left boundary after the first digit (``\d(?<![…]\d)``):
#: same meaning as a leading lookbehind, but ``re`` can then skip ahead to digits.
_LD = r"\d(?<![\w/.,-]\d)"
_SSN = re.compile(rf"{_LD}\d{{2}}(?P<sep>[- ]?)\d{{2}}(?P=sep)\d{{4}}{_R}")
_SSN_SCORES = {"-": 0.6, " ": 0.35, "": 0.15}
_SSN_CONTEXT = context_regex(
    ("ssn", "ss#", "ss #", "social security", "social-security", "tax id", "taxpayer", "itin")
)

_DL_VALUE = re.compile(
    _L
    + r"(?:[A-Z]{1,3}\d{4,14}|\d{7,13}|\d{2,3}(?: \d{3}){2,4}|[A-Z]\d{2,4}(?:-\d{1,4}){2,4}"
    + r"|[A-Z](?: \d{3}){3,4}|(?=[A-Z0-9]*\d)[A-Z][A-Z0-9]{9,13})"
    + _R
)
_DL_WORDS = (
    "driver's license", "drivers license", "driver license", "driver's licence", "driving licence",
    "driving license", "driver licence", "dl", "dl#", "dln", "license number", "licence number",
    "license no", "licence no", "führerschein", "permis de conduire",
)  # fmt: skip
_DL_CONTEXT = context_regex(_DL_WORDS)

_PASSPORT = re.compile(rf"{_L}(?:[A-Z]\d{{8}}|\d{{9}}|[A-Z]{{2}}\d{{7}}){_R}")
_PASSPORT_WORDS = ("passport", "passport number", "passport no", "travel document")
_PASSPORT_CONTEXT = context_regex(_PASSPORT_WORDS)

_NHS = re.compile(rf"{_LD}\d{{2}}([ -]?)\d{{3}}\1\d{{4}}{_R}")
_NHS_CONTEXT = context_regex(("nhs", "nhs number", "nhs no", "national health"))

_NINO = re.compile(r"[A-Z](?<![\w][A-Z])[A-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])")
_NINO_CONTEXT = context_regex(("national insurance", "nino", "ni number", "ni no", "nin"))


def government_recognizers() -> list[Recognizer]:
    """Return the SSN, driver's license, passport, NHS and NINO recognizers."""
    return [
        PatternRecognizer(
            "us_ssn",
            "US_SSN",
            (Pattern("ssn", _SSN, 0.15, scores=("sep", _SSN_SCORES)),),
            validator=ssn_valid,
            context=_SSN_CONTEXT,
            min_digits=9,
        ),
        PatternRecognizer(
            "us_driver_license",
            "US_DRIVER_LICENSE",
            (Pattern("dl", _DL_VALUE, 0.15),),
            context=_DL_CONTEXT,
            requires_context=True,
            context_gate=word_gate(_DL_WORDS),
        ),
        PatternRecognizer(
            "us_passport",
            "US_PASSPORT",
            (Pattern("passport", _PASSPORT, 0.15),),
            context=_PASSPORT_CONTEXT,
            requires_context=True,
            context_gate=word_gate(_PASSPORT_WORDS),
        ),
        PatternRecognizer(
            "uk_nhs",
            "UK_NHS",
            (Pattern("nhs", _NHS, 0.4),),
            validator=nhs_valid,
            context=_NHS_CONTEXT,
            min_digits=10,
        ),
        PatternRecognizer(
            "uk_nino",
            "UK_NINO",
            (Pattern("nino", _NINO, 0.6),),
            validator=nino_valid,
            context=_NINO_CONTEXT,
        ),
    ]
