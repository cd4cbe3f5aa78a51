"""Syslog over UDP (one datagram per message) and TCP (RFC 6587 octet counting)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from privault.audit.chain import SealedEvent
from privault.audit.sinks.base import SINKS, AuditSink, parse_params
from privault.audit.sinks.formats import to_cef, to_rfc5424

MAX_UDP = 8192  # rsyslog's default maxMessageSize; longer datagrams are cut


class SyslogParams(BaseModel):
    """Options of a syslog sink."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=514, ge=1, le=65535)
    protocol: Literal["udp", "tcp"] = "udp"
    format: Literal["rfc5424", "cef"] = "rfc5424"
    hostname: str | None = None
    timeout: float = Field(default=5.0, gt=0)


class SyslogTransport:
    """Sends syslog lines to one collector; TCP reconnects once on a broken pipe."""

    def __init__(self, host: str, port: int, protocol: str, timeout: float = 5.0) -> None:
        self.host, self.port, self.protocol, self.timeout = host, port, protocol, timeout
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def send(self, lines: Sequence[str]) -> None:
        """Send ``lines`` (each one syslog message).

        Raises:
            OSError: the collector cannot be reached.

        """
        payloads = [line.encode("utf-8") for line in lines]
        with self._lock:
            if self.protocol == "udp":
                self._send_udp(payloads)
                return
            framed = b"".join(b"%d %s" % (len(p), p) for p in payloads)
            try:
                self._tcp().sendall(framed)
            except OSError:
                self._drop()
                self._tcp().sendall(framed)

    def _send_udp(self, payloads: list[bytes]) -> None:
        if self._sock is None:
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for payload in payloads:
            self._sock.sendto(payload[:MAX_UDP], (self.host, self.port))

    def _tcp(self) -> socket.socket:
        if self._sock is None:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        return self._sock

    def _drop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def close(self) -> None:
        """Close the socket."""
        with self._lock:
            self._drop()


class SyslogSink:
    """RFC 5424 messages (structured data + JSON event, or CEF as MSG) to a collector."""

    name: ClassVar[str] = "syslog"

    def __init__(self, params: SyslogParams) -> None:
        self.params = params
        self._transport = SyslogTransport(params.host, params.port, params.protocol, params.timeout)

    def emit(self, events: Sequence[SealedEvent]) -> None:
        """Format and send ``events``."""
        cef = self.params.format == "cef"
        lines = [
            to_rfc5424(e, hostname=self.params.hostname, message=to_cef(e) if cef else None)
            for e in events
        ]
        self._transport.send(lines)

    def close(self) -> None:
        """Close the connection."""
        self._transport.close()


def _factory(spec: Mapping[str, Any]) -> AuditSink:
    return SyslogSink(parse_params(SyslogParams, spec, "syslog"))


SINKS.register(SyslogSink.name, _factory)
