from __future__ import annotations

import itertools

import pytest

from privault.detect import Finding, resolve


def f(kind: str, start: int, end: int, score: float) -> Finding:
    return Finding(kind, start, end, score, "test")


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        # same type overlapping: merged into the union span, best score kept
        ([f("LOCATION", 0, 10, 0.6), f("LOCATION", 5, 20, 0.9)], [f("LOCATION", 0, 20, 0.9)]),
        # different types: the higher score wins
        ([f("PHONE_NUMBER", 0, 10, 0.6), f("UK_NHS", 0, 10, 0.85)], [f("UK_NHS", 0, 10, 0.85)]),
        # equal scores: the longer span wins
        (
            [f("PHONE_NUMBER", 2, 10, 0.6), f("US_DRIVER_LICENSE", 0, 10, 0.6)],
            [f("US_DRIVER_LICENSE", 0, 10, 0.6)],
        ),
        # equal score and length: type priority decides (SECRET before PERSON)
        ([f("PERSON", 0, 5, 0.7), f("SECRET", 0, 5, 0.7)], [f("SECRET", 0, 5, 0.7)]),
        # touching spans do not overlap
        (
            [f("PERSON", 0, 5, 0.7), f("EMAIL_ADDRESS", 5, 9, 1.0)],
            [f("PERSON", 0, 5, 0.7), f("EMAIL_ADDRESS", 5, 9, 1.0)],
        ),
    ],
)
def test_resolve_table(findings, expected):
    assert resolve(findings) == expected


def test_resolve_is_order_independent():
    items = [
        f("PERSON", 0, 8, 0.7),
        f("LOCATION", 4, 12, 0.7),
        f("PHONE_NUMBER", 10, 20, 0.6),
        f("US_BANK_NUMBER", 10, 20, 0.6),
    ]
    results = {tuple(resolve(list(p))) for p in itertools.permutations(items)}
    assert len(results) == 1
