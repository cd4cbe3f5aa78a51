"""Pure ASGI middleware: security headers, request size limits, rate limits.

Written against raw ASGI (not ``BaseHTTPMiddleware``) so it adds no task or
buffer per request. Refusals answer with problem+json.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
App = Callable[[Scope, Receive, Send], Any]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ApiConfig:
    """Limits and transport facts of one server.

    Attributes:
        tls: served over HTTPS (Secure cookies, HSTS).
        body_limit: largest request body in bytes (imports excepted).
        import_limit: largest body of an ``…/import`` request.
        key_rate: requests per second per credential (token bucket refill).
        key_burst: bucket size per credential.
        address_rate: requests per second per client address.
        address_burst: bucket size per client address.
        threads: threads that run blocking route handlers (the default lane;
            see :mod:`privault.interfaces.api.lanes`).
    """

    tls: bool = False
    body_limit: int = MiB
    import_limit: int = 10 * MiB
    key_rate: float = 50.0
    key_burst: int = 100
    address_rate: float = 100.0
    address_burst: int = 200
    threads: int = 1


async def _refuse(send: Send, status: int, code: str, detail: str, headers: list[Any]) -> None:
    body = json.dumps(
        {
            "type": f"urn:privault:problem:{code}",
            "title": code.replace("_", " "),
            "status": status,
            "detail": detail,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds CSP, frame, sniffing, referrer and (over TLS) HSTS headers."""

    def __init__(self, app: App, config: ApiConfig) -> None:
        self.app = app
        headers = [
            (b"content-security-policy", CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cache-control", b"no-store"),
        ]
        if config.tls:
            headers.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [h for h in self.headers if not (static and h[0] == b"cache-control")]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """413 for bodies over the limit (declared or streamed)."""

    def __init__(self, app: App, config: ApiConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse declared or streamed bodies over the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = self.config.import_limit if path.endswith("/import") else self.config.body_limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, 413, "too_large", f"the body exceeds {limit} bytes", [])
            return
        seen, over = 0, False

        async def counted() -> Message:
            nonlocal seen, over
            message: Message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                # Hand the app an empty, final body and drop its answer below.
                over = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def guarded(message: Message) -> None:
            if not over:
                await send(message)

        await self.app(scope, counted, guarded)
        if over:
            await _refuse(send, 413, "too_large", f"the body exceeds {limit} bytes", [])


class TokenBuckets:
    """In-process token buckets by key (thread-safe)."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self._clock = rate, float(burst), clock
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token; 0 when allowed, else seconds until one is available."""
        now = self._clock()
        with self._lock:
            tokens, last = self._state.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._state[key] = (tokens - 1, now)
                if len(self._state) > 100_000:  # bound memory under address churn
                    self._state.clear()
                return 0.0
            self._state[key] = (tokens, now)
            return (1 - tokens) / self.rate


class RateLimit:
    """429 with Retry-After, per client address and per credential."""

    def __init__(self, app: App, config: ApiConfig) -> None:
        self.app = app
        self.by_address = TokenBuckets(config.address_rate, config.address_burst)
        self.by_key = TokenBuckets(config.key_rate, config.key_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Take a token per address and per credential, or answer 429."""
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.by_address.take(client[0] if client else "unknown")
        credential = _credential(scope)
        if not wait and credential:
            wait = self.by_key.take(credential)
        if wait:
            retry = str(max(1, math.ceil(wait))).encode()
            await _refuse(
                send, 429, "rate_limited", "too many requests; slow down", [(b"retry-after", retry)]
            )
            return
        await self.app(scope, receive, send)


def _credential(scope: Scope) -> str | None:
    """A digest of the caller's credential (bearer token or session cookie)."""
    headers = dict(scope["headers"])
    raw = headers.get(b"authorization") or headers.get(b"cookie")
    return hashlib.sha256(raw).hexdigest()[:24] if raw else None
