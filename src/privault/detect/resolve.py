"""Deterministic resolution of overlapping findings.

1. Findings of the same type that overlap are merged into their union span
   (an address found as street + city becomes one span), keeping the best score.
2. Across types, the higher score wins; ties go to the longer span, then to the
   type listed first in :data:`TYPE_PRIORITY`, then to the earlier start.

The result is sorted by ``(start, end, type)`` and does not depend on the order
in which recognizers ran.
"""

from __future__ import annotations

from collections.abc import Iterable

from privault.detect._types import Finding

__all__ = ["TYPE_PRIORITY", "resolve"]

#: Tie-break order across types: checksum-validated and structured types first.
TYPE_PRIORITY: tuple[str, ...] = (
    "SECRET", "CREDIT_CARD", "IBAN_CODE", "CRYPTO", "UK_NHS", "US_SSN", "EMAIL_ADDRESS",
    "URL", "IP_ADDRESS", "MAC_ADDRESS", "UK_NINO", "US_PASSPORT", "US_DRIVER_LICENSE",
    "US_BANK_NUMBER", "PHONE_NUMBER", "DATE_TIME", "LOCATION", "PERSON",
)  # fmt: skip
_RANK = {t: i for i, t in enumerate(TYPE_PRIORITY)}
_UNRANKED = len(_RANK)


def _order(f: Finding) -> tuple[float, int, int, int, str]:
    """Sort key: higher score, then longer span, then type priority, then start."""
    return (-f.score, f.start - f.end, _RANK.get(f.type, _UNRANKED), f.start, f.type)


def merge_same_type(findings: Iterable[Finding]) -> list[Finding]:
    """Merge overlapping findings of one type into union spans (best score and recognizer)."""
    out: list[Finding] = []
    for f in sorted(findings, key=lambda x: (x.type, x.start, -x.end, -x.score, x.recognizer)):
        last = out[-1] if out else None
        if last is not None and last.type == f.type and f.start < last.end:
            best = last if last.score >= f.score else f
            out[-1] = Finding(f.type, last.start, max(last.end, f.end), best.score, best.recognizer)
        else:
            out.append(f)
    return out


def resolve(findings: Iterable[Finding]) -> list[Finding]:
    """Return non-overlapping findings chosen deterministically (see module docstring).

    Args:
        findings: candidate findings, any order, possibly overlapping.

    Returns:
        Non-overlapping findings sorted by start offset.
    """
    merged = merge_same_type(findings)
    if len(merged) < 2:
        return merged
    order = sorted(merged, key=_order)
    kept: list[Finding] = []
    for f in order:
        if all(f.end <= k.start or k.end <= f.start for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end, f.type))
