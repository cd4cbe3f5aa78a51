"""Split long texts into overlapping chunks whose cores tile the text.

Each chunk is analysed on its own; a finding is kept only by the chunk whose
*core* contains its start. A chunk extends ``overlap`` characters beyond its
core on both sides, so an entity shorter than ``overlap`` that starts in the
core is seen whole (with its context), and no entity is reported twice.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Chunk", "chunk_text"]


@dataclass(frozen=True, slots=True)
class Chunk:
    """One window of a text.

    Attributes:
        start: offset of the window in the text.
        end: end offset of the window.
        core_start: first offset this chunk owns.
        core_end: end of the offsets this chunk owns.
    """

    start: int
    end: int
    core_start: int
    core_end: int

    def owns(self, absolute_start: int) -> bool:
        """Return whether a finding starting at ``absolute_start`` belongs to this chunk."""
        return self.core_start <= absolute_start < self.core_end


def _cut(text: str, pos: int, slack: int) -> int:
    """Move a cut point back to the nearest whitespace within ``slack`` characters."""
    if pos >= len(text):
        return len(text)
    floor = max(0, pos - slack)
    ws = max(text.rfind(" ", floor, pos), text.rfind("\n", floor, pos))
    return ws + 1 if ws >= 0 else pos


def chunk_text(text: str, size: int, overlap: int) -> list[Chunk]:
    """Return the chunks of ``text`` (one chunk when it fits in ``size``).

    Args:
        text: the full text.
        size: target core size in characters (> 0).
        overlap: characters of context added on each side of a core.

    Returns:
        Chunks whose cores partition ``[0, len(text))``.
    """
    n = len(text)
    if n <= size + overlap:
        return [Chunk(0, n, 0, n)]
    chunks: list[Chunk] = []
    core_start = 0
    while core_start < n:
        core_end = _cut(text, core_start + size, size // 10) if core_start + size < n else n
        if core_end <= core_start:
            core_end = min(n, core_start + size)
        chunks.append(
            Chunk(max(0, core_start - overlap), min(n, core_end + overlap), core_start, core_end)
        )
        core_start = core_end
    return chunks
