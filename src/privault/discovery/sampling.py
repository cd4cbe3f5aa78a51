"""Uniform samples across a whole table: index draws and reservoir sampling.

A sample is drawn across the whole input, never from its head, so a column
that fills up late in a file (newer rows, a different export) is still seen.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from typing import Generic, TypeVar

__all__ = ["Reservoir", "sample_indices"]

T = TypeVar("T")


def sample_indices(total: int, size: int, seed: int) -> list[int]:
    """Return ``min(size, total)`` distinct row indices in ``[0, total)``, sorted.

    Args:
        total: rows in the table.
        size: rows wanted.
        seed: makes a rescan draw the same rows.

    """
    if total <= size:
        return list(range(total))
    return sorted(random.Random(seed).sample(range(total), size))  # noqa: S311 - not security


class Reservoir(Generic[T]):
    """Keeps a uniform sample of ``size`` items from a stream of unknown length.

    Algorithm L (Li, 1994): after the reservoir fills, it jumps over a
    geometrically distributed number of items instead of drawing a random
    number for each, so a long stream costs little more than iterating it.

    Args:
        size: items kept.
        seed: seed of the generator (sampling is not a security decision).

    """

    def __init__(self, size: int, seed: int) -> None:
        self.size = max(1, size)
        self.items: list[T] = []
        self.seen = 0
        self._rng = random.Random(seed)  # noqa: S311 - sampling, not security
        self._w = 1.0
        self._next = 0

    def _draw(self) -> float:
        return self._rng.random() or 1e-12

    def _schedule(self) -> None:
        self._w *= math.exp(math.log(self._draw()) / self.size)
        skip = math.floor(math.log(self._draw()) / math.log1p(-self._w)) if self._w < 1 else 0
        self._next = self.seen + skip + 1

    def add(self, item: T) -> None:
        """Offer one item."""
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
            if len(self.items) == self.size:
                self._schedule()
            return
        if self.seen == self._next:
            self.items[self._rng.randrange(self.size)] = item
            self._schedule()

    def extend(self, items: Iterable[T]) -> None:
        """Offer every item of ``items``."""
        for item in items:
            self.add(item)
