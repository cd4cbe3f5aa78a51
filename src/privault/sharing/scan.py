"""PII scan of an uploaded stream, in bounded memory, text files only.

The scanner sees each plaintext block as it is sealed. A file is text while
it decodes as UTF-8 with no NUL byte; the text is analysed in pieces cut at a
line break (or, failing that, whitespace), so an entity is not split unless
a line is longer than :data:`MAX_CARRY`. Only types and counts are kept:
never a value, an offset or a snippet.
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

SCAN_LIMIT = 16 << 20  # bytes of text analysed per file; the rest is not scanned
MAX_CARRY = 64 << 10  # longest line tail carried into the next piece

Analyze = Callable[[str], Sequence[object]]


def _default_analyze(text: str) -> Sequence[object]:
    from privault.detect import analyze

    return analyze(text, rules_only=True)


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """What the upload scan found.

    Attributes:
        kind: ``text``, ``binary`` (not scanned) or ``empty``.
        counts: entity type -> number of findings.
        scanned_bytes: bytes of text analysed.
        complete: False when the file was longer than the scan limit.
    """

    kind: str
    counts: dict[str, int] = field(default_factory=dict)
    scanned_bytes: int = 0
    complete: bool = True


class StreamScanner:
    """Feed it blocks with :meth:`feed`; read the summary with :meth:`finish`.

    Args:
        analyze: text -> findings with a ``type`` (default: rules-only detection).
        limit: bytes of text to analyse at most.
    """

    def __init__(self, analyze: Analyze | None = None, limit: int = SCAN_LIMIT) -> None:
        self._analyze = analyze or _default_analyze
        self._limit = limit
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._carry = ""
        self._counts: Counter[str] = Counter()
        self._seen = 0
        self._scanned = 0
        self._binary = False

    def feed(self, block: bytes) -> None:
        """Scan the next plaintext block."""
        self._seen += len(block)
        if self._binary or self._scanned >= self._limit or not block:
            return
        block = block[: self._limit - self._scanned]
        if b"\x00" in block:
            self._binary = True
            return
        try:
            text = self._carry + self._decoder.decode(block)
        except UnicodeDecodeError:
            self._binary = True
            return
        self._scanned += len(block)
        cut = _cut_point(text)
        self._run(text[:cut])
        self._carry = text[cut:]

    def _run(self, text: str) -> None:
        if text:
            self._counts.update(str(getattr(f, "type", "?")) for f in self._analyze(text))

    def finish(self) -> ScanSummary:
        """Analyse what is left and summarise."""
        if self._seen == 0:
            return ScanSummary("empty")
        if self._binary:
            return ScanSummary("binary", scanned_bytes=0, complete=False)
        self._run(self._carry)
        self._carry = ""
        return ScanSummary(
            "text",
            dict(sorted(self._counts.items())),
            self._scanned,
            complete=self._scanned >= self._seen,
        )


def _cut_point(text: str) -> int:
    """Where to end the piece analysed now: after the last line break near the end."""
    floor = max(0, len(text) - MAX_CARRY)
    for sep in ("\n", " "):
        pos = text.rfind(sep, floor)
        if pos >= 0:
            return pos + 1
    # No break near the end: keep it all for the next piece, unless too long.
    return len(text) if len(text) > MAX_CARRY else 0
