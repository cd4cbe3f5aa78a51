"""The one place where errors become HTTP answers: RFC 9457 problem+json.

Every :class:`~privault.core.errors.PrivaultError` answers with its own
``http_status`` and ``code``; its message is shown (messages never hold
values, by the rule of the error tree). Validation errors list locations and
reasons but never the input. Anything unexpected is a 500 that names only the
request id: internals are not leaked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from privault.core.errors import AccessDenied, PrivaultError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

HtmlRenderer = Callable[[Request, int, str, str], Response]


class AuthenticationRequired(AccessDenied):
    """No credential, or one that does not authenticate (401, not 403)."""

    code = "unauthenticated"
    http_status = 401


def problem(request: Request, status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response (``type`` is a stable URN per error code)."""
    doc = {
        "type": f"urn:privault:problem:{code}",
        "title": code.replace("_", " "),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(doc, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def install(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    """Register the handlers; ``html`` renders pages for non-API paths."""

    def answer(request: Request, status: int, code: str, detail: str, **extra: Any) -> Response:
        if html is not None and not _is_api(request):
            return html(request, status, code, detail)
        return problem(request, status, code, detail, **extra)

    async def on_privault(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PrivaultError)
        status = exc.http_status
        detail = exc.message if status < 500 else "the server could not complete the request"
        if status >= 500 and status != 503:
            log.error("request failed: %s (%s)", exc.code, type(exc).__name__)
        return answer(request, status, exc.code, detail)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e["type"]}
            for e in exc.errors()
        ]
        return answer(request, 422, "invalid_input", "the request is not valid", errors=errors)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return answer(request, exc.status_code, code, str(exc.detail))

    async def on_other(request: Request, exc: Exception) -> Response:
        log.error("unexpected %s", type(exc).__name__)
        return answer(request, 500, "internal", "the server could not complete the request")

    app.add_exception_handler(PrivaultError, on_privault)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_other)
