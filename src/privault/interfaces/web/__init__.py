"""The web dashboard: server-rendered pages, local assets, CSRF, secure cookies."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from privault.app.auditing import PLATFORM
from privault.interfaces.api.middleware import ApiConfig
from privault.interfaces.web import (
    pages_admin,
    pages_alerts,
    pages_auth,
    pages_incidents,
    pages_jobs,
    pages_lifecycle,
    pages_main,
    pages_vaults,
    pages_webauthn,
)
from privault.interfaces.web.render import HtmlRenderer, error_page

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI, config: ApiConfig) -> HtmlRenderer:
    """Add the pages and ``/static`` to ``app``; return the HTML error renderer."""
    # Derived from the platform's keys, so every worker process of one server
    # (and a restarted one) accepts the forms another rendered.
    platform = app.state.services.platform
    app.state.csrf_key = platform.keys.derived_key(PLATFORM, "index", "web-csrf")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (pages_auth, pages_main, pages_admin, pages_jobs, pages_alerts):
        app.include_router(module.router)
    for module in (pages_webauthn, pages_lifecycle, pages_vaults, pages_incidents):
        app.include_router(module.router)
    return error_page
