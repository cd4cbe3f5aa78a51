"""Value types shared by every part of :mod:`privault.detect`."""

from __future__ import annotations

from dataclasses import dataclass

from privault.core.entities import DETECTABLE

__all__ = ["ENTITY_TYPES", "Finding"]

#: The entity types the built-in recognizers emit (Presidio's names plus SECRET);
#: the canonical list lives in :mod:`privault.core.entities`.
ENTITY_TYPES: tuple[str, ...] = DETECTABLE


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected entity: a span of the analysed text.

    Attributes:
        type: the entity type, e.g. ``"EMAIL_ADDRESS"``.
        start: offset of the first character (Python ``str`` index).
        end: offset one past the last character.
        score: confidence in ``[0, 1]``.
        recognizer: name of the recognizer that produced it.

    """

    type: str
    start: int
    end: int
    score: float
    recognizer: str

    def shifted(self, offset: int) -> Finding:
        """Return the same finding moved by ``offset`` characters."""
        return Finding(
            self.type, self.start + offset, self.end + offset, self.score, self.recognizer
        )

    def with_score(self, score: float) -> Finding:
        """Return a copy with ``score`` clamped into ``[0, 1]``."""
        clamped = min(1.0, max(0.0, score))
        return Finding(self.type, self.start, self.end, clamped, self.recognizer)
