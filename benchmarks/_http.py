"""A minimal HTTP/1.1 keep-alive load client for the benchmarks (asyncio streams).

On a 2-core machine the load generator shares the CPU with the server it
measures; a general-purpose client (httpx) spends more CPU per request than
a fast server does, so the figures would mostly measure the client. This one
pre-encodes each request and parses only the status line, the headers and
a Content-Length or chunked body — what wrk or hey do, in a few lines. Both
privault and OpenBao are measured through it in the same run.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode, urlsplit


class HttpError(Exception):
    """A non-2xx answer or a broken connection."""


class Client:
    """Up to ``connections`` kept-alive connections to one ``http://host:port``."""

    def __init__(self, base_url: str, headers: dict[str, str], connections: int = 64) -> None:
        url = urlsplit(base_url)
        self._host, self._port = url.hostname or "127.0.0.1", url.port or 80
        self._headers = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(connections)

    async def get(self, path: str, params: dict[str, str] | None = None) -> bytes:
        """GET ``path``; the body of a 2xx answer."""
        target = f"{path}?{urlencode(params)}" if params else path
        return await self._send(f"GET {target} HTTP/1.1\r\n".encode(), b"")

    async def post(self, path: str, body: Any) -> bytes:
        """POST ``body`` as JSON; the body of a 2xx answer."""
        data = json.dumps(body).encode()
        head = f"POST {path} HTTP/1.1\r\nContent-Type: application/json\r\n"
        return await self._send(head.encode(), data)

    async def _send(self, start: bytes, body: bytes) -> bytes:
        tail = f"Host: {self._host}\r\n{self._headers}Content-Length: {len(body)}\r\n\r\n"
        request = start + tail.encode() + body
        async with self._slots:
            reused = bool(self._idle)
            conn = self._idle.pop() if reused else await self._connect()
            try:
                status, payload = await _exchange(conn, request)
            except _Closed:
                # The server closed this kept-alive connection while it sat idle
                # (its keep-alive timeout) before reading the request: send it
                # again on a fresh one, as HTTP clients do. A fresh one failing
                # the same way is a real error.
                if not reused:
                    raise HttpError("connection closed before an answer") from None
                conn = await self._connect()
                status, payload = await _exchange(conn, request)
            self._idle.append(conn)
        if not 200 <= status < 300:
            raise HttpError(f"HTTP {status}")
        return payload

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.open_connection(self._host, self._port)
        except OSError as exc:
            raise HttpError(type(exc).__name__) from None

    async def aclose(self) -> None:
        """Close every idle connection."""
        for _reader, writer in self._idle:
            writer.close()
        self._idle.clear()


class _Closed(HttpError):
    """The connection ended before any byte of the answer."""


async def _exchange(
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
) -> tuple[int, bytes]:
    reader, writer = conn
    try:
        writer.write(request)
        return await _response(reader)
    except asyncio.IncompleteReadError as exc:
        writer.close()
        if not exc.partial:
            raise _Closed("IncompleteReadError") from None
        raise HttpError("IncompleteReadError") from None
    except (ConnectionResetError, BrokenPipeError):
        writer.close()
        raise _Closed("ConnectionResetError") from None
    except (OSError, ValueError) as exc:
        writer.close()
        raise HttpError(type(exc).__name__) from None


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return status, b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    return status, b""
