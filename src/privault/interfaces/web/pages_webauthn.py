"""Security keys (WebAuthn) in the dashboard: register, sign in, step up.

The browser half is ``static/webauthn.js`` (served locally; the CSP allows
only same-origin scripts). Each flow is two requests: options (JSON, the
challenge kept server-side, single use) and the signed answer, posted with
the page's form so CSRF and sessions work as for every other form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied, NotFound
from privault.core.secret import Secret
from privault.interfaces.api.deps import client_address
from privault.interfaces.web.render import page
from privault.interfaces.web.session import PRE, Ctx, Posted, Svc, check_csrf

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=1000)]
Assertion = Annotated[str, Form(max_length=20_000)]


def _options(make: Callable[[], str]) -> Response:
    """The options JSON for ``navigator.credentials``, or the refusal as JSON."""
    try:
        return JSONResponse(json.loads(make()))
    except (AccessDenied, NotFound) as exc:
        status = 401 if exc.fields.get("rule") == "login" else exc.http_status
        return JSONResponse({"detail": exc.message}, status_code=status)


@router.post("/login/webauthn")
def login_options(
    request: Request, svc: Svc, username: Text, password: Text, csrf: Text
) -> Response:
    """Assertion options for a security-key sign-in (after the password is checked)."""
    check_csrf(request, request.cookies.get(PRE), csrf)
    ctx = RequestContext(Principal("anonymous"), source=f"web:{client_address(request)}")
    return _options(lambda: svc.platform.signin.webauthn_challenge(ctx, username, Secret(password)))


@router.post("/stepup/webauthn")
def step_up_options(user: Posted, svc: Svc) -> Response:
    """Assertion options for proving a second factor again with a security key."""
    return _options(lambda: svc.platform.mfa.webauthn_auth_begin(user.username))


@router.post("/mfa/webauthn/options")
def register_options(user: Posted, ctx: Ctx, svc: Svc) -> Response:
    """Creation options for a new security key (step-up first when a factor exists)."""
    return _options(lambda: svc.platform.mfa.webauthn_register_begin(ctx, user.username))


@router.post("/mfa/webauthn")
def register(request: Request, user: Posted, ctx: Ctx, svc: Svc, webauthn: Assertion) -> Response:
    """Verify and store the new security key."""
    mfa = svc.platform.mfa
    mfa.webauthn_register_finish(ctx, user.username, webauthn)
    keys = mfa.webauthn_count(ctx, user.username)
    return page(request, "mfa.html", enrolled=True, keys=keys, key_added=True)
