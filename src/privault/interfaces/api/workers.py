"""The app of one worker process when ``privault serve --workers N`` runs several.

uvicorn starts each worker as a fresh process that imports :func:`app` (a
factory). The worker opens the installation from the same environment as the
supervisor (``PRIVAULT_*`` settings, and ``PRIVAULT_PASSPHRASE`` for a local
keyfile, which the supervisor sets for its workers when it prompted for it)
and reads the serve options the supervisor put in ``PRIVAULT_SERVE_CONFIG``.

What is shared between workers lives in the store: sessions, CSRF (a key
derived from the platform's keys), WebAuthn challenges, jobs, the audit
trail and the monitor's cursor (each event evaluated once, by any worker).
Rate limits are counted per worker.
"""

from __future__ import annotations

import dataclasses
import json
import os

from fastapi import FastAPI

from privault.app.bootstrap import open_platform
from privault.core.errors import ConfigurationError
from privault.core.settings import load_settings
from privault.interfaces.api.app import create_app
from privault.interfaces.api.middleware import ApiConfig

CONFIG_ENV = "PRIVAULT_SERVE_CONFIG"


def config_env(config: ApiConfig, *, web: bool = True) -> str:
    """The ``PRIVAULT_SERVE_CONFIG`` value that hands ``config`` to the workers."""
    return json.dumps({"api": dataclasses.asdict(config), "web": web})


def app() -> FastAPI:
    """Open the installation and build this worker's app (uvicorn ``factory=True``).

    Raises:
        ConfigurationError: not started by ``privault serve --workers``.
    """
    raw = os.environ.get(CONFIG_ENV)
    if raw is None:
        raise ConfigurationError(f"{CONFIG_ENV} is not set: start workers with privault serve")
    options = json.loads(raw)
    platform = open_platform(load_settings())
    platform.monitor.start_background()
    return create_app(
        platform, ApiConfig(**options["api"]), web=bool(options["web"]), recover_jobs=False
    )
