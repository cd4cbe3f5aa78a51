"""Shared analyzers: built once per session (spaCy loads once)."""

from __future__ import annotations

import pytest

from privault.detect import Analyzer, AnalyzerConfig


@pytest.fixture(scope="session")
def rules() -> Analyzer:
    return Analyzer(AnalyzerConfig(rules_only=True))


@pytest.fixture(scope="session")
def ner() -> Analyzer:
    return Analyzer(AnalyzerConfig())
