"""privault: self-hosted customer-data protection.

The Python API is the same service layer the CLI (and later the REST API and
the web dashboard) call. Start with :func:`privault.open_platform`.

Names are loaded lazily so that ``import privault.detect`` (a pure library)
does not pull in the database layer.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Clock",
    "FixedClock",
    "Platform",
    "PrivaultError",
    "Secret",
    "Settings",
    "SystemClock",
    "load_settings",
    "open_platform",
]
__version__ = "0.1.0"

_LAZY = {
    "Platform": "privault.app.bootstrap",
    "open_platform": "privault.app.bootstrap",
    "Clock": "privault.core.clock",
    "FixedClock": "privault.core.clock",
    "SystemClock": "privault.core.clock",
    "PrivaultError": "privault.core.errors",
    "Secret": "privault.core.secret",
    "Settings": "privault.core.settings",
    "load_settings": "privault.core.settings",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'privault' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
