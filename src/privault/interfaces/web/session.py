"""Web sign-in state: session cookie, CSRF tokens (per-session synchronizer), the user.

The CSRF token is an HMAC, under a key held only by this server process, of
the session token (or, before sign-in, of a random pre-session cookie). A
form must echo it; a cross-site page can neither read it nor compute it.
Cookies are HttpOnly and SameSite=Strict, and Secure when served over TLS.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request, Response

from privault.app.identity import API_KEY_PREFIX
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied
from privault.core.ids import new_id
from privault.interfaces.api.deps import Services, authenticate, client_address, services
from privault.interfaces.api.errors import AuthenticationRequired

SESSION = "pv_session"
PRE = "pv_pre"


@dataclass(frozen=True)
class WebUser:
    """The signed-in user of a page request."""

    principal: Principal
    token: str

    @property
    def username(self) -> str:
        """The username (principal id without ``user:``)."""
        return self.principal.id.removeprefix("user:")


def csrf_for(request: Request, binding: str) -> str:
    """The CSRF token bound to ``binding`` (a session token or pre-session value)."""
    key: bytes = request.app.state.csrf_key
    return hmac.new(key, binding.encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, binding: str | None, sent: str) -> None:
    """Raise unless ``sent`` is the CSRF token of ``binding``.

    Raises:
        AccessDenied: missing or wrong token.
    """
    if not binding or not hmac.compare_digest(csrf_for(request, binding), sent):
        raise AccessDenied(
            "the form expired or did not come from this site; reload and retry", rule="csrf"
        )


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """A HttpOnly, SameSite=Strict cookie (Secure behind TLS)."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.app.state.config.tls,
        path="/",
    )


def pre_session(request: Request, response: Response) -> str:
    """The pre-session value (set as a cookie when missing) and its CSRF token."""
    value = request.cookies.get(PRE) or secrets.token_urlsafe(24)
    set_cookie(request, response, PRE, value, 3600)
    request.state.csrf = csrf_for(request, value)
    return value


def web_user(request: Request, svc: Annotated[Services, Depends(services)]) -> WebUser:
    """The signed-in user (session cookie only; API keys do not open pages)."""
    token = request.cookies.get(SESSION)
    if not token or token.startswith(API_KEY_PREFIX):
        raise AuthenticationRequired("sign in first")
    user = WebUser(authenticate(svc, token), token)
    request.state.web_user = user
    request.state.csrf = csrf_for(request, token)
    return user


User = Annotated[WebUser, Depends(web_user)]


def web_context(request: Request, user: User) -> RequestContext:
    """The request context of a page."""
    return RequestContext(user.principal, new_id("req"), f"web:{client_address(request)}")


def posted(request: Request, user: User, csrf: Annotated[str, Form(max_length=200)]) -> WebUser:
    """A signed-in form post with a valid CSRF token."""
    check_csrf(request, user.token, csrf)
    return user


Ctx = Annotated[RequestContext, Depends(web_context)]
Posted = Annotated[WebUser, Depends(posted)]
Svc = Annotated[Services, Depends(services)]
