"""The upload scan: text only, bounded, types and counts only."""

from __future__ import annotations

from privault.sharing.chunks import rechunk
from privault.sharing.scan import StreamScanner


def _scan(data: bytes, block: int = 64, limit: int = 1 << 20):
    scanner = StreamScanner(limit=limit)
    for b in rechunk([data], block):
        scanner.feed(b)
    return scanner.finish()


def test_counts_types_across_block_boundaries() -> None:
    lines = [f"contact person{i}@example.org about the invoice" for i in range(20)]
    summary = _scan("\n".join(lines).encode(), block=37)
    assert summary.kind == "text" and summary.complete
    assert summary.counts == {"EMAIL_ADDRESS": 20}


def test_binary_is_not_scanned() -> None:
    assert _scan(b"jane@example.org \x00\x01\x02").kind == "binary"
    assert _scan(b"\xff\xfe broken utf-8").kind == "binary"
    assert _scan(b"").kind == "empty"


def test_scan_stops_at_the_limit() -> None:
    text = ("mail jane@example.org now\n" * 100).encode()
    summary = _scan(text, limit=260)
    assert not summary.complete and 0 < summary.counts["EMAIL_ADDRESS"] <= 10


def test_utf8_split_across_blocks() -> None:
    summary = _scan(("é" * 50 + " mail jane@example.org").encode(), block=7)
    assert summary.kind == "text" and summary.counts == {"EMAIL_ADDRESS": 1}
