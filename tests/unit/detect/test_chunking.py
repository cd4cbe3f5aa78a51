from __future__ import annotations

import itertools

import pytest

from privault.detect import Analyzer, AnalyzerConfig
from privault.detect.chunking import chunk_text


@pytest.mark.parametrize("n", [0, 10, 999, 5000, 12345])
def test_chunk_cores_tile_the_text(n):
    text = ("word " * (n // 5 + 1))[:n]
    chunks = chunk_text(text, size=300, overlap=50)
    cores = [(c.core_start, c.core_end) for c in chunks]
    assert cores[0][0] == 0 and cores[-1][1] >= n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(cores))
    assert all(c.start <= c.core_start and c.core_end <= c.end for c in chunks)


@pytest.mark.parametrize("shift", range(0, 40, 3))
def test_email_straddling_a_chunk_boundary_is_found_once(shift):
    analyzer = Analyzer(AnalyzerConfig(rules_only=True, chunk_size=200, chunk_overlap=60))
    email = "jane.doe.longname@example.org"
    text = "x" * (190 + shift) + " " + email + " " + "filler text " * 30
    found = [text[f.start : f.end] for f in analyzer.analyze(text) if f.type == "EMAIL_ADDRESS"]
    assert found == [email]


def test_long_text_finds_every_entity():
    analyzer = Analyzer(AnalyzerConfig(rules_only=True, chunk_size=500, chunk_overlap=80))
    text = "".join(f"note {i}: mail user{i}@example.com now. " for i in range(300))
    found = [f for f in analyzer.analyze(text) if f.type == "EMAIL_ADDRESS"]
    assert len(found) == 300
