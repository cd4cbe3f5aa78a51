"""Decide where the NER model needs to look.

Running the model is most of the cost of a NER analysis, and rules already
explain most capitalised words (names after titles, addresses, e-mails…).
The model therefore runs only on short windows around *unexplained*
capitalised words, and only its spans that touch such a word are kept. The
windows are wide enough (about ten tokens each side) for the model's
receptive field, so its decision on the word is the same as on the full text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from privault.detect._types import Finding
from privault.detect.recognizers._words import NOT_NAMES, common_words, word_set

__all__ = ["touches", "unexplained_words", "windows"]

_CAP_WORD = re.compile(r"(?<![\w@./\\-])[A-ZÀ-ÖØ-Þ][^\W\d_]+(?:['\u2019-][^\W\d_]+)*(?![\w@])")
WINDOW = 35
#: Titles, month and weekday abbreviations: capitalised, never names themselves.
_NOT_NAME_WORDS = word_set(
    "mr mrs ms miss mx dr prof sir dame herr frau mme mlle rev sr sra jan feb mar apr jun jul "
    "aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun"
)
#: Product and brand shapes: an inner capital ("DataVault", "GitHub", not "McKay"/"DeLuca"),
#: or a hyphenated word with a lower-case or all-caps part ("Wake-on-LAN", "CORP-GUEST").
_PRODUCT_SHAPE = re.compile(
    r"^(?!Mc|Mac|O'|D'|De|Di|La|Le|Van|Von|Fitz)[A-Z][a-z]+[A-Z]|-(?:[a-z]|[A-Z]+(?:-|$))"
)


def unexplained_words(text: str, found: Sequence[Finding]) -> list[tuple[int, int]]:
    """Return spans of capitalised words no finding covers and that are not common words."""
    spans = [(f.start, f.end) for f in found]
    common = common_words()
    out: list[tuple[int, int]] = []
    for m in _CAP_WORD.finditer(text):
        word = m.group()
        lower = word.lower()
        if lower in NOT_NAMES or lower in common or lower in _NOT_NAME_WORDS:
            continue
        if (word.isupper() and len(word) <= 5) or _PRODUCT_SHAPE.search(word):
            continue
        s, e = m.span()
        if not any(fs < e and s < fe for fs, fe in spans):
            out.append((s, e))
    return out


def windows(
    text: str, words: Sequence[tuple[int, int]], width: int = WINDOW
) -> list[tuple[int, int]]:
    """Return merged windows of about ``width`` characters around each word, cut at spaces."""
    out: list[tuple[int, int]] = []
    n = len(text)
    for s, e in words:
        lo = max(0, s - width)
        hi = min(n, e + width)
        while lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        while hi < n and not text[hi].isspace():
            hi += 1
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def touches(f: Finding, words: Sequence[tuple[int, int]]) -> bool:
    """Return whether ``f`` overlaps one of ``words``."""
    return any(s < f.end and f.start < e for s, e in words)
