"""A real SMTP receiver (aiosmtpd) on loopback for tests that send mail."""

from __future__ import annotations

import email
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    """Collects every message an SMTP server accepted (envelope recipients and parsed mail)."""

    def __init__(self) -> None:
        self.messages: list[tuple[tuple[str, ...], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd hook
        self.messages.append((tuple(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        """Messages addressed to ``address``."""
        return [m for rcpt, m in self.messages if address in rcpt]

    def raw(self) -> str:
        """Every message as one text (headers and bodies)."""
        return "\n".join(m.as_string() for _r, m in self.messages)


def start_smtp(inbox: Inbox, port: int) -> Controller:
    """Start an SMTP server on ``127.0.0.1:port`` delivering into ``inbox``."""
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller
