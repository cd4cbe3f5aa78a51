"""Monitoring configuration: rules (thresholds, severity, response), sinks, notifiers.

Defaults are the rules' own; a YAML file overrides them::

    dedup_minutes: 60
    checkpoint_every: 1000
    sinks:
      - {type: jsonl, path: /var/log/privault/audit.jsonl, max_bytes: 52428800, backups: 10}
      - {type: syslog, host: 127.0.0.1, port: 514, protocol: tcp, format: cef}
    notifiers:
      - {type: email, host: smtp.example.com, port: 25, sender: privault@example.com,
         recipients: [soc@example.com], min_severity: high}
      - {type: webhook, url: https://hooks.slack.com/services/..., style: slack}
    rules:
      bulk-read: {params: {window_minutes: 60, min_records: 200, factor: 3}}
      honeytoken: {response: [lock_user]}
      off-hours: {enabled: false}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from privault.core.errors import ConfigurationError

Response = Literal["lock_user", "revoke_sessions", "revoke_api_keys"]


class RuleConfig(BaseModel):
    """Overrides for one rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    severity: Literal["low", "medium", "high", "critical"] | None = None
    response: tuple[Response, ...] = ()
    notify: bool = True
    params: dict[str, Any] = Field(default_factory=dict)


class MonitorConfig(BaseModel):
    """Everything monitoring reads from its configuration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    dedup_minutes: int = Field(default=60, ge=0)
    checkpoint_every: int = Field(default=1000, ge=0)
    sinks: tuple[dict[str, Any], ...] = ()
    notifiers: tuple[dict[str, Any], ...] = ()
    rules: dict[str, RuleConfig] = Field(default_factory=dict)


def parse_monitor_config(text: str, source: str = "monitor config") -> MonitorConfig:
    """Parse YAML text into a :class:`MonitorConfig`.

    Raises:
        ConfigurationError: naming the offending key (never quoting values).

    """
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        raise ConfigurationError(f"{source} is not valid YAML") from None
    try:
        return MonitorConfig.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "config"
        raise ConfigurationError(f"bad {source} option {where}: {first['msg']}") from None


def load_monitor_config(path: Path | None) -> MonitorConfig:
    """Read ``path`` if it exists; the defaults otherwise."""
    if path is None or not path.is_file():
        return MonitorConfig()
    return parse_monitor_config(path.read_text(encoding="utf-8"), str(path))
