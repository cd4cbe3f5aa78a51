"""REST API (FastAPI) over the service layer: thin routes, errors mapped in one place."""

from __future__ import annotations

from privault.interfaces.api.app import create_app as create_app
from privault.interfaces.api.middleware import ApiConfig as ApiConfig

__all__ = ["ApiConfig", "create_app"]
