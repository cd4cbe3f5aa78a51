"""The FastAPI application: REST API under ``/api/v1`` and the web dashboard under ``/``."""

from __future__ import annotations

from fastapi import FastAPI

from privault.app.bootstrap import Platform
from privault.interfaces.api import errors
from privault.interfaces.api.deps import Services
from privault.interfaces.api.docs import router as docs_router
from privault.interfaces.api.lanes import lanes
from privault.interfaces.api.middleware import ApiConfig, BodyLimit, RateLimit, SecurityHeaders
from privault.interfaces.api.routers import ROUTERS

API_PREFIX = "/api/v1"


def create_app(
    platform: Platform,
    config: ApiConfig | None = None,
    *,
    web: bool = True,
    recover_jobs: bool = True,
) -> FastAPI:
    """Build the app over ``platform``.

    Args:
        platform: the assembled services (see :mod:`privault.app.bootstrap`).
        config: limits and TLS facts; defaults suit a loopback server.
        web: also serve the dashboard (pages, static assets) under ``/``.
        recover_jobs: mark jobs a stopped server left running as interrupted
            (the supervisor does it once when several workers serve).

    Returns:
        An ASGI application; serve it with uvicorn (``privault serve``).
    """
    config = config or ApiConfig()
    app = FastAPI(
        title="privault",
        version="1",
        description="Customer-data protection: vault, gate, tokens, detection, access, audit.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lanes(config.threads),
    )
    app.state.services = Services.build(platform)
    if recover_jobs:  # jobs a stopped server left running: failed, interrupted
        platform.jobs.runner.recover()
    app.state.config = config
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(docs_router)
    html = None
    if web:
        from privault.interfaces.web import install as install_web

        html = install_web(app, config)
    errors.install(app, html)
    # Outermost first on the way in: headers on every answer, then limits.
    app.add_middleware(RateLimit, config=config)
    app.add_middleware(BodyLimit, config=config)
    app.add_middleware(SecurityHeaders, config=config)
    return app
