"""Request lanes: the threads blocking route handlers run on.

FastAPI runs every sync route and dependency on anyio's default thread pool
(40 threads). Our handlers are CPU-bound Python over a local store: threads
running side by side only take turns at the GIL, and each turn costs. On
2 cores one thread served about 1.8x the gated reads per second that
40 did at the same concurrency, with half the latency (api_bench). So:

* the **default lane** has :attr:`ApiConfig.threads` threads (1 unless
  configured): short requests run there one after another;
* handlers that may run long (password hashing, chain verification,
  detection, imports, reports) are marked :func:`slow` and run on a lane of
  their own (:data:`SLOW_THREADS` threads), so a long request never holds up
  the short ones queued behind it.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

from privault.core.errors import InvalidInput

P = ParamSpec("P")
T = TypeVar("T")

#: Threads of the slow lane (long handlers at once, per server process).
SLOW_THREADS = 4

_slow_lane: RunVar[CapacityLimiter] = RunVar("privault_slow_lane")


def _slow_limiter() -> CapacityLimiter:
    """The slow lane of the running event loop (made on first use)."""
    try:
        return _slow_lane.get()
    except LookupError:
        limiter = CapacityLimiter(SLOW_THREADS)
        _slow_lane.set(limiter)
        return limiter


def slow(handler: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """Run a blocking route handler on the slow lane instead of the default one.

    FastAPI reads the handler's signature through the wrapper (parameters,
    dependencies and the response model are unchanged).
    """

    @functools.wraps(handler)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        call = functools.partial(handler, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=_slow_limiter())

    return run


def lanes(threads: int) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan that sizes the default lane to ``threads`` threads.

    Raises:
        InvalidInput: fewer than one thread.
    """
    if threads < 1:
        raise InvalidInput(f"the server needs at least 1 request thread, not {threads}")

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    return lifespan
