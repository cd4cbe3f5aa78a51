"""Column classification: value evidence first, the column name as a hint.

For every entity type the profile gives a share of non-null values that
matched (pattern + validator) and how telling such a match is (the
detector's strength). A type is chosen when its share reaches 60 %, or 30 %
when the column name hints at it; generic shapes (plain digits, capitalised
words) count only under a hint. A name alone never decides. Text columns
without a type go through privault.detect's analyzer (rules only) on a
sample of values: the types found there are the column's ``freeform_pii``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from privault.detect import analyze_batch
from privault.discovery._types import ColumnResult
from privault.discovery.detectors import DETECTORS
from privault.discovery.names import is_identifier_name
from privault.discovery.profile import ColumnStats

__all__ = ["MIN_RATIO", "MIN_RATIO_HINTED", "classify_column", "freeform_types", "is_text"]

MIN_RATIO = 0.6
MIN_RATIO_HINTED = 0.3
HINT_BONUS = 0.15
#: Types whose detectors overlap (a full name is also a capitalised-words shape).
_OVERLAPPING = frozenset({"PERSON", "LOCATION"})
_GENERIC = frozenset({"phone_plain", "phone_formatted", "ssn_plain", "bank_number", "passport"})
_GIVEN_STRENGTH = 0.85
_DOB_SPAN = 25
_TEXT_WORDS = 4.0


def is_text(stats: ColumnStats) -> bool:
    """True for free-text columns (four or more words per value on average)."""
    return stats.non_null > 0 and stats.words / stats.non_null >= _TEXT_WORDS


def _detector_evidence(stats: ColumnStats, identifier: bool) -> dict[str, tuple[float, float]]:
    """Entity -> (share of values, strength), from the pattern+validator detectors."""
    sums: dict[str, list[float]] = {}
    for d in DETECTORS:
        hits = stats.matches.get(d.name, 0.0)
        if not hits or (d.needs_hint and stats.hint != d.entity):
            continue
        ratio = stats.ratio(hits)
        if identifier and d.name in _GENERIC and stats.hint != d.entity:
            ratio *= 0.5  # digits in a key column are keys first
        total, weighted = sums.setdefault(d.entity, [0.0, 0.0])
        if d.entity in _OVERLAPPING:
            if ratio * d.strength > weighted:
                sums[d.entity] = [ratio, ratio * d.strength]
        else:
            sums[d.entity] = [total + ratio, weighted + ratio * d.strength]
    return {e: (min(1.0, r), w / r if r else 0.0) for e, (r, w) in sums.items()}


def _evidence(name: str, stats: ColumnStats) -> dict[str, tuple[float, float]]:
    evidence = _detector_evidence(stats, is_identifier_name(name))
    given = stats.ratio(stats.given_names)
    if given and given * _GIVEN_STRENGTH > _score(evidence.get("PERSON")):
        evidence["PERSON"] = (given, _GIVEN_STRENGTH)
    dob = _birth_date_evidence(name, stats)
    if dob is not None:
        evidence["DATE_TIME"] = dob
    return evidence


def _score(ev: tuple[float, float] | None) -> float:
    return ev[0] * ev[1] if ev else 0.0


def _birth_date_evidence(name: str, stats: ColumnStats) -> tuple[float, float] | None:
    """Dates are personal under a birth/death hint, or when spread over decades."""
    ratio = stats.ratio(stats.dates)
    if not ratio:
        return None
    if stats.hint == "DATE_TIME":
        return ratio, 0.9
    if stats.times * 5 > stats.dates or is_identifier_name(name) or _span(stats) < _DOB_SPAN:
        return None
    return ratio, 0.6


def _span(stats: ColumnStats) -> int:
    """Years between the 5th and 95th percentile of the years seen."""
    total = sum(stats.years.values())
    if not total:
        return 0
    ordered = sorted(stats.years.elements())
    return ordered[int(total * 0.95) - 1 if total > 1 else 0] - ordered[int(total * 0.05)]


def _choose(
    stats: ColumnStats, evidence: dict[str, tuple[float, float]]
) -> tuple[str, float, float] | None:
    best: tuple[float, str, float] | None = None
    for entity, (ratio, strength) in evidence.items():
        hinted = stats.hint == entity
        if ratio < (MIN_RATIO_HINTED if hinted else MIN_RATIO):
            continue
        score = ratio * strength + (HINT_BONUS if hinted else 0.0)
        if best is None or score > best[0]:
            best = (score, entity, ratio)
    return None if best is None else (best[1], min(1.0, best[0]), best[2])


def classify_column(name: str, stats: ColumnStats) -> ColumnResult:
    """Decide the PII type of one column from its profile (without the text analyzer)."""
    evidence = _evidence(name, stats)
    chosen = _choose(stats, evidence)
    reasons: list[str] = []
    if stats.hint:
        reasons.append(f"name hints {stats.hint}")
    if chosen is None:
        if stats.hint and stats.non_null:
            reasons.append("values do not support the hint")
        return ColumnResult(
            name, None, 0.0, 0.0, (), stats.non_null, stats.rows, (), tuple(reasons)
        )
    entity, confidence, ratio = chosen
    reasons.insert(0, f"{ratio:.0%} of values match {entity}")
    examples = tuple(stats.examples.get(entity, ())[:3])
    return ColumnResult(
        name, entity, round(confidence, 3), round(ratio, 3), (), stats.non_null, stats.rows,
        examples, tuple(reasons),
    )  # fmt: skip


def freeform_types(texts: Sequence[str]) -> tuple[tuple[str, ...], float]:
    """Run the text analyzer (rules only) over ``texts``.

    Returns:
        The types found in at least two texts (and 5 % of them), sorted, and
        the share of texts with any finding.

    """
    if not texts:
        return (), 0.0
    counts: dict[str, int] = {}
    with_any = 0
    for found in analyze_batch(texts, rules_only=True):
        kinds = {f.type for f in found}
        with_any += bool(kinds)
        for kind in kinds:
            counts[kind] = counts.get(kind, 0) + 1
    floor = max(2, math.ceil(len(texts) * 0.05))
    return tuple(sorted(k for k, n in counts.items() if n >= floor)), with_any / len(texts)
