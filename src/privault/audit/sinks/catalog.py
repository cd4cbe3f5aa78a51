"""Build configured sinks by name (importing the built-in sinks registers them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from privault.audit.sinks import files, syslog
from privault.audit.sinks.base import SINKS, AuditSink

BUILTIN = (files.JsonlFileSink, syslog.SyslogSink)


def build_sink(spec: Mapping[str, Any]) -> AuditSink:
    """Build a sink from its config mapping (``type`` picks the registered factory).

    Raises:
        UnknownPlugin: unknown ``type``, listing the valid ones.
        ConfigurationError: bad options.

    """
    return SINKS.get(str(spec.get("type", "")))(spec)
