"""A wrapper that keeps secret values out of logs, reprs and tracebacks."""

from __future__ import annotations

import hmac
from typing import Generic, TypeVar

T = TypeVar("T")


class Secret(Generic[T]):
    """Holds a secret value; ``repr``/``str`` show ``***``.

    Call :meth:`reveal` at the point of use, never earlier. Equality is
    constant-time for ``bytes`` and ``str`` payloads.
    """

    __slots__ = ("_value",)

    def __init__(self, value: T) -> None:
        self._value = value

    def reveal(self) -> T:
        """Return the wrapped value."""
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        a, b = self._value, other._value
        if isinstance(a, str) and isinstance(b, str):
            return hmac.compare_digest(a.encode(), b.encode())
        if isinstance(a, bytes) and isinstance(b, bytes):
            return hmac.compare_digest(a, b)
        return bool(a == b)

    def __hash__(self) -> int:
        raise TypeError("Secret values are not hashable")

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("Secret values cannot be pickled")
