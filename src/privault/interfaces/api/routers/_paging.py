"""Keyset pagination helpers: ``after`` + ``limit`` in, ``next`` link out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, TypeVar

from fastapi import Query, Request

T = TypeVar("T")

After = Annotated[
    str | None, Query(max_length=200, description="the last key of the previous page")
]
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]


def next_link(
    request: Request, items: Sequence[T], key: Callable[[T], str], limit: int
) -> str | None:
    """The URL of the next page, when this one is full."""
    if len(items) < limit:
        return None
    return str(request.url.include_query_params(after=key(items[-1])))


def window(items: Sequence[T], key: Callable[[T], str], after: str | None, limit: int) -> list[T]:
    """One page of an in-memory list sorted by ``key`` (small lists: users, keys, tenants)."""
    ordered = sorted(items, key=key)
    return [i for i in ordered if after is None or key(i) > after][:limit]
