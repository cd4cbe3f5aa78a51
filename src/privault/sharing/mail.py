"""Sending one-time codes by e-mail: a Protocol and an SMTP implementation."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from privault.core.errors import ConfigurationError
from privault.core.secret import Secret


class Mailer(Protocol):
    """Delivers one plain-text message."""

    def send(self, to: str, subject: str, body: str) -> None:
        """Send ``body`` to ``to``.

        Raises:
            ConfigurationError: the message could not be handed over.
        """
        ...


@dataclass(frozen=True, slots=True)
class SmtpMailer:
    """Hands messages to an SMTP server (``smtplib``).

    Attributes:
        host: server name.
        port: server port.
        sender: the From address.
        username: for AUTH (None: no login).
        password: for AUTH.
        starttls: upgrade the connection before AUTH.
        timeout: seconds.
    """

    host: str
    port: int
    sender: str
    username: str | None = None
    password: Secret[str] | None = None
    starttls: bool = False
    timeout: float = 10.0

    def send(self, to: str, subject: str, body: str) -> None:
        """Send one message; errors never quote the address or the body."""
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, to, subject
        msg.set_content(body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username and self.password is not None:
                    smtp.login(self.username, self.password.reveal())
                smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            raise ConfigurationError(
                f"the e-mail could not be sent ({type(exc).__name__})"
            ) from None
