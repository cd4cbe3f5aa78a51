"""A monitor service over a test platform, with its own configuration."""

from __future__ import annotations

from privault.app.bootstrap import Platform
from privault.app.monitoring import MonitorService
from privault.monitor.config import parse_monitor_config


def monitor_service(platform: Platform, yaml_text: str = "") -> MonitorService:
    """A second monitor on the platform's store (not attached: the caller decides)."""
    return MonitorService(
        platform.data,
        platform.audit,
        platform.authz,
        platform.tenants,
        platform.vault,
        platform.identity,
        platform.clock,
        parse_monitor_config(yaml_text),
    )
