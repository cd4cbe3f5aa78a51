"""Alert notifiers: email (SMTP), webhooks (Slack- or Teams-shaped JSON); a registry.

Implementer's contract for a :class:`Notifier`: class-level ``name`` (the
config ``type``); ``send`` delivers one alert synchronously and raises on
failure (the caller logs and counts); messages carry alert metadata only
(rule, severity, ids, counts), never protected values.
"""

from __future__ import annotations

import json
import smtplib
import socket
import urllib.request
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from privault.core.errors import ConfigurationError
from privault.core.registry import Registry
from privault.monitor.model import Alert, severity_rank

_COLOURS = {"low": "#439FE0", "medium": "#E8A33D", "high": "#D24726", "critical": "#8B0000"}


class Notifier(Protocol):
    """Delivers alerts somewhere people will see them."""

    name: ClassVar[str]
    min_severity: str

    def send(self, alert: Alert) -> None:
        """Deliver ``alert`` now; raise on failure."""
        ...


def summary(alert: Alert) -> str:
    """One line naming the alert (no values)."""
    return f"[{alert.severity.upper()}] {alert.rule}: {alert.title}"


def body(alert: Alert) -> str:
    """Plain-text details of an alert."""
    lines = [
        summary(alert),
        f"alert: {alert.id} (state {alert.state}, seen {alert.count}x)",
        f"principal: {alert.actor}",
        f"tenant: {alert.tenant_id or '-'}",
        f"first seen: {alert.first_seen.isoformat()}  last seen: {alert.last_seen.isoformat()}",
        f"events: {', '.join(alert.event_ids)}",
    ]
    if alert.score is not None:
        lines.append(f"anomaly score: {alert.score}")
    lines.extend(f"{k}: {v}" for k, v in sorted(alert.detail.items()))
    return "\n".join(lines) + "\n"


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_severity: Literal["low", "medium", "high", "critical"] = "low"


class EmailParams(_Params):
    """SMTP options (plain SMTP or STARTTLS; credentials are not kept in the config)."""

    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = "privault@localhost"
    recipients: tuple[str, ...] = Field(min_length=1)
    starttls: bool = False
    timeout: float = Field(default=10.0, gt=0)


class EmailNotifier:
    """Sends one email per alert over SMTP."""

    name: ClassVar[str] = "email"

    def __init__(self, params: EmailParams) -> None:
        self.params = params
        self.min_severity: str = params.min_severity

    def send(self, alert: Alert) -> None:
        """Send the alert email."""
        msg = EmailMessage()
        msg["Subject"] = f"privault alert: {summary(alert)}"
        msg["From"] = self.params.sender
        msg["To"] = ", ".join(self.params.recipients)
        msg["X-Privault-Alert"] = alert.id
        msg.set_content(body(alert))
        with smtplib.SMTP(self.params.host, self.params.port, timeout=self.params.timeout) as smtp:
            if self.params.starttls:
                smtp.starttls()
            smtp.send_message(msg)


class WebhookParams(_Params):
    """Webhook options."""

    url: str = Field(pattern=r"^https?://")
    style: Literal["slack", "teams"] = "slack"
    timeout: float = Field(default=10.0, gt=0)


def slack_payload(alert: Alert) -> dict[str, Any]:
    """Slack incoming-webhook JSON (text + an attachment with fields)."""
    return {
        "text": f"privault alert: {summary(alert)}",
        "attachments": [
            {
                "color": _COLOURS.get(alert.severity, "#888888"),
                "title": summary(alert),
                "text": body(alert),
                "fields": [
                    {"title": "alert", "value": alert.id, "short": True},
                    {"title": "principal", "value": alert.actor, "short": True},
                    {"title": "tenant", "value": alert.tenant_id or "-", "short": True},
                    {"title": "count", "value": str(alert.count), "short": True},
                ],
            }
        ],
    }


def teams_payload(alert: Alert) -> dict[str, Any]:
    """Microsoft Teams connector MessageCard JSON."""
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": summary(alert),
        "themeColor": _COLOURS.get(alert.severity, "#888888").lstrip("#"),
        "title": f"privault alert: {summary(alert)}",
        "sections": [
            {
                "facts": [
                    {"name": "alert", "value": alert.id},
                    {"name": "principal", "value": alert.actor},
                    {"name": "tenant", "value": alert.tenant_id or "-"},
                    {"name": "count", "value": str(alert.count)},
                ],
                "text": body(alert),
            }
        ],
    }


class WebhookNotifier:
    """POSTs Slack- or Teams-shaped JSON to a webhook URL."""

    name: ClassVar[str] = "webhook"

    def __init__(self, params: WebhookParams) -> None:
        self.params = params
        self.min_severity: str = params.min_severity

    def send(self, alert: Alert) -> None:
        """POST the alert; a non-2xx answer raises."""
        shape = slack_payload if self.params.style == "slack" else teams_payload
        request = urllib.request.Request(  # noqa: S310 - the URL scheme is validated as http(s)
            self.params.url,
            data=json.dumps(shape(alert)).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.params.timeout) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise OSError(f"webhook answered HTTP {response.status}")


class SyslogParams(_Params):
    """Syslog collector options for alerts."""

    host: str = "127.0.0.1"
    port: int = Field(default=514, ge=1, le=65535)
    protocol: Literal["udp", "tcp"] = "udp"
    timeout: float = Field(default=5.0, gt=0)


_SYSLOG_SEVERITY = {"low": 5, "medium": 4, "high": 2, "critical": 1}


def _sd_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def syslog_line(alert: Alert, hostname: str | None = None) -> str:
    """An RFC 5424 message for an alert (facility 13, log alert)."""
    pri = 13 * 8 + _SYSLOG_SEVERITY.get(alert.severity, 4)
    ts = alert.last_seen.isoformat(timespec="microseconds").replace("+00:00", "Z")
    host = "".join(c for c in (hostname or socket.gethostname()) if 33 <= ord(c) <= 126) or "-"
    fields = {
        "id": alert.id,
        "rule": alert.rule,
        "severity": alert.severity,
        "actor": alert.actor,
        "count": str(alert.count),
    }
    sd = " ".join(f'{k}="{_sd_escape(v)}"' for k, v in fields.items())
    return f"<{pri}>1 {ts} {host} privault - alert [alert@32473 {sd}] {summary(alert)}"


class SyslogNotifier:
    """Sends one RFC 5424 message per alert (UDP datagram, or TCP with octet counting)."""

    name: ClassVar[str] = "syslog"

    def __init__(self, params: SyslogParams) -> None:
        self.params = params
        self.min_severity: str = params.min_severity

    def send(self, alert: Alert) -> None:
        """Send the alert line."""
        data = syslog_line(alert).encode()
        address = (self.params.host, self.params.port)
        if self.params.protocol == "udp":
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.sendto(data, address)
            return
        with socket.create_connection(address, timeout=self.params.timeout) as sock:
            sock.sendall(b"%d %s" % (len(data), data))


NotifierFactory = Callable[[Mapping[str, Any]], Notifier]
NOTIFIERS: Registry[NotifierFactory] = Registry("notifier")


def parse(model: type[BaseModel], spec: Mapping[str, Any], kind: str) -> Any:
    """Validate a notifier's options.

    Raises:
        ConfigurationError: naming the option.

    """
    try:
        return model.model_validate({k: v for k, v in spec.items() if k != "type"})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or kind
        raise ConfigurationError(f"bad {kind} notifier option {where}: {first['msg']}") from None


NOTIFIERS.register("email", lambda spec: EmailNotifier(parse(EmailParams, spec, "email")))
NOTIFIERS.register("webhook", lambda spec: WebhookNotifier(parse(WebhookParams, spec, "webhook")))
NOTIFIERS.register("syslog", lambda spec: SyslogNotifier(parse(SyslogParams, spec, "syslog")))


def build_notifier(spec: Mapping[str, Any]) -> Notifier:
    """Build a notifier from its config mapping.

    Raises:
        UnknownPlugin: unknown ``type``.
        ConfigurationError: bad options.

    """
    return NOTIFIERS.get(str(spec.get("type", "")))(spec)


def wants(notifier: Notifier, alert: Alert) -> bool:
    """True if ``alert`` is at or above the notifier's minimum severity."""
    return severity_rank(alert.severity) >= severity_rank(notifier.min_severity)
