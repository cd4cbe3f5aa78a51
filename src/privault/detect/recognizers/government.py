"""US_SSN, US_DRIVER_LICENSE, US_PASSPORT, UK_NHS and UK_NINO recognizers.

Most government identifiers are short digit strings that also look like order
numbers or phone numbers, so their bare shapes score low and need a context
word ("SSN", "passport", "driver's license") close by to pass the threshold.
Checksums (NHS mod-11, SSN area/group/serial) drop impossible values outright.
"""

from __future__ import annotations

import re

from privault.detect.recognizer import Pattern, PatternRecognizer, Recognizer, context_regex
from privault.detect.validators import nhs_valid, nino_valid, ssn_valid

__all__ = ["government_recognizers"]

_L = r"(?<![\w/.,-])"
_R = r"(?![\w-]|[.,/]\w)"

_SSN_DASH = re.compile(rf"{_L}\d{{3}}-\d{{2}}-\d{{4}}{_R}")
_SSN_SPACE = re.compile(rf"{_L}\d{{3}} \d{{2}} \d{{4}}{_R}")
_SSN_PLAIN = re.compile(rf"{_L}\d{{9}}{_R}")
_SSN_CONTEXT = context_regex(
    ("ssn", "ss#", "ss #", "social security", "social-security", "tax id", "taxpayer", "itin")
)

_DL_VALUE = re.compile(
    _L
    + r"(?:[A-Z]{1,3}\d{4,14}|\d{7,13}|\d{2,3}(?: \d{3}){2,4}|[A-Z]\d{2,4}(?:-\d{1,4}){2,4}"
    + r"|[A-Z](?: \d{3}){3,4}|(?=[A-Z0-9]*\d)[A-Z][A-Z0-9]{9,13})"
    + _R
)
_DL_CONTEXT = context_regex(
    ("driver's license", "drivers license", "driver license", "driver's licence", "driving licence",
     "driving license", "driver licence", "dl", "dl#", "dln", "license number", "licence number",
     "license no", "licence no", "führerschein", "permis de conduire")
)  # fmt: skip

_PASSPORT = re.compile(rf"{_L}(?:[A-Z]\d{{8}}|\d{{9}}|[A-Z]{{2}}\d{{7}}){_R}")
_PASSPORT_CONTEXT = context_regex(("passport", "passport number", "passport no", "travel document"))

_NHS = re.compile(rf"{_L}\d{{3}}([ -]?)\d{{3}}\1\d{{4}}{_R}")
_NHS_CONTEXT = context_regex(("nhs", "nhs number", "nhs no", "national health"))

_NINO = re.compile(r"(?<![\w])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])")
_NINO_CONTEXT = context_regex(("national insurance", "nino", "ni number", "ni no", "nin"))


def government_recognizers() -> list[Recognizer]:
    """Return the SSN, driver's license, passport, NHS and NINO recognizers."""
    return [
        PatternRecognizer(
            "us_ssn",
            "US_SSN",
            (
                Pattern("dashed", _SSN_DASH, 0.6),
                Pattern("spaced", _SSN_SPACE, 0.35),
                Pattern("plain", _SSN_PLAIN, 0.15),
            ),
            validator=ssn_valid,
            context=_SSN_CONTEXT,
        ),
        PatternRecognizer(
            "us_driver_license",
            "US_DRIVER_LICENSE",
            (Pattern("dl", _DL_VALUE, 0.15),),
            context=_DL_CONTEXT,
            requires_context=True,
        ),
        PatternRecognizer(
            "us_passport",
            "US_PASSPORT",
            (Pattern("passport", _PASSPORT, 0.15),),
            context=_PASSPORT_CONTEXT,
            requires_context=True,
        ),
        PatternRecognizer(
            "uk_nhs",
            "UK_NHS",
            (Pattern("nhs", _NHS, 0.4),),
            validator=nhs_valid,
            context=_NHS_CONTEXT,
        ),
        PatternRecognizer(
            "uk_nino",
            "UK_NINO",
            (Pattern("nino", _NINO, 0.6),),
            validator=nino_valid,
            context=_NINO_CONTEXT,
        ),
    ]
