"""Batch token recipes give exactly the per-value tokens."""

from __future__ import annotations

import base64
import os

from privault.vault import tokens as tok


def test_batch_deterministic_tokens_equal_the_per_value_ones() -> None:
    key = os.urandom(32)
    values = ["", "a", "ä" * 50, "person1@example.test", "person1@example.test"]
    values += [f"v{i}" for i in range(500)]
    batch = tok.deterministic_tokens(key, "leads", values)
    assert batch == [tok.deterministic_token(key, "leads", v) for v in values]
    assert batch[3] == batch[4] and batch[0].startswith("dtk_") and len(batch[0]) == 30
    assert tok.deterministic_tokens(key, "other", values[:3]) != batch[:3]  # scoped
    assert tok.deterministic_tokens(key, "leads", []) == []


def test_batch_base32_matches_the_standard_library() -> None:
    blobs = [os.urandom(16) for _ in range(300)] + [b"\x00" * 16, b"\xff" * 16]
    expected = [base64.b32encode(b).decode().rstrip("=").lower() for b in blobs]
    assert tok._b32_many(blobs) == expected
