"""A small typed registry for extension points (recognizers, providers, …)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from privault.core.errors import Conflict, UnknownPlugin

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to plugins; unknown names raise, listing the valid ones.

    Args:
        kind: what the registry holds, for error messages ("key provider").

    """

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T) -> T:
        """Add ``item`` under ``name``.

        Raises:
            Conflict: if the name is taken.

        """
        if name in self._items:
            raise Conflict(f"{self._kind} {name!r} is already registered", name=name)
        self._items[name] = item
        return item

    def get(self, name: str) -> T:
        """Return the plugin called ``name``.

        Raises:
            UnknownPlugin: naming the valid choices.

        """
        try:
            return self._items[name]
        except KeyError:
            valid = ", ".join(sorted(self._items)) or "none"
            raise UnknownPlugin(
                f"unknown {self._kind} {name!r}; valid: {valid}", name=name
            ) from None

    def names(self) -> list[str]:
        """Return the registered names, sorted."""
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)
