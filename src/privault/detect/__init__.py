"""PII detection in free text: a pure library (no database, no settings).

>>> from privault.detect import analyze
>>> [(f.type, f.start, f.end) for f in analyze("mail jane@example.com", rules_only=True)]
[('EMAIL_ADDRESS', 5, 21)]
"""

from __future__ import annotations

import functools as _functools
from collections.abc import Iterable as _Iterable
from collections.abc import Iterator as _Iterator

from privault.detect._types import ENTITY_TYPES as ENTITY_TYPES
from privault.detect._types import Finding as Finding
from privault.detect.analyzer import Analyzer as Analyzer
from privault.detect.analyzer import AnalyzerConfig as AnalyzerConfig
from privault.detect.custom import load_recognizers as load_recognizers
from privault.detect.ner import NerBackend as NerBackend
from privault.detect.ner import SpacyBackend as SpacyBackend
from privault.detect.recognizer import Pattern as Pattern
from privault.detect.recognizer import PatternRecognizer as PatternRecognizer
from privault.detect.recognizer import Recognizer as Recognizer
from privault.detect.recognizer import TextView as TextView
from privault.detect.resolve import resolve as resolve
from privault.detect.validators import VALIDATORS as VALIDATORS

__all__ = [
    "ENTITY_TYPES",
    "VALIDATORS",
    "Analyzer",
    "AnalyzerConfig",
    "Finding",
    "NerBackend",
    "Pattern",
    "PatternRecognizer",
    "Recognizer",
    "SpacyBackend",
    "TextView",
    "analyze",
    "analyze_batch",
    "default_analyzer",
    "load_recognizers",
    "resolve",
]


@_functools.cache
def default_analyzer(*, rules_only: bool = False) -> Analyzer:
    """Return a shared analyzer with default settings (built on first use)."""
    return Analyzer(AnalyzerConfig(rules_only=rules_only))


def analyze(
    text: str,
    entities: _Iterable[str] | None = None,
    language: str = "en",
    *,
    rules_only: bool = False,
) -> list[Finding]:
    """Find PII in ``text`` with the shared default analyzer.

    Args:
        text: the text to analyse.
        entities: restrict to these types (default: all).
        language: only ``"en"``.
        rules_only: skip the NER model.

    Returns:
        Non-overlapping findings sorted by offset.
    """
    return default_analyzer(rules_only=rules_only).analyze(text, entities, language)


def analyze_batch(
    texts: _Iterable[str],
    *,
    entities: _Iterable[str] | None = None,
    processes: int = 1,
    rules_only: bool = False,
) -> _Iterator[list[Finding]]:
    """Stream the findings of each text with the shared default analyzer.

    Args:
        texts: any iterable of texts, read lazily.
        entities: restrict to these types.
        processes: worker processes.
        rules_only: skip the NER model.

    Yields:
        One list of findings per text, in input order.
    """
    analyzer = default_analyzer(rules_only=rules_only)
    return analyzer.analyze_batch(texts, entities=entities, processes=processes)
