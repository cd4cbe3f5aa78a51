"""Sign-in, sign-out, first-owner setup, second-factor enrolment and step-up."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from privault.app.signin import SESSION_ABSOLUTE
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied, InvalidInput
from privault.core.secret import Secret
from privault.interfaces.api.deps import client_address
from privault.interfaces.api.lanes import slow
from privault.interfaces.api.qr import qr_svg
from privault.interfaces.web.render import page
from privault.interfaces.web.session import (
    PRE,
    SESSION,
    Ctx,
    Posted,
    Svc,
    User,
    check_csrf,
    pre_session,
    set_cookie,
)

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=1000)]
Code = Annotated[str, Form(max_length=64)]
Assertion = Annotated[str, Form(max_length=20_000)]


def _anonymous(request: Request) -> RequestContext:
    return RequestContext(Principal("anonymous"), source=f"web:{client_address(request)}")


def _local(path: str) -> str:
    """``path`` if it is a path on this site (no open redirect), else ``/``."""
    ok = path.startswith("/") and not path.startswith(("//", "/\\")) and path.isprintable()
    return path if ok else "/"


def _signed_in(request: Request, token: str, back: str = "/") -> Response:
    response = RedirectResponse(_local(back), status_code=303)
    set_cookie(request, response, SESSION, token, int(SESSION_ABSOLUTE.total_seconds()))
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    """The sign-in form."""
    response = Response()
    pre_session(request, response)
    out = page(request, "login.html", user=None)
    out.raw_headers.extend(h for h in response.raw_headers if h[0] == b"set-cookie")
    return out


@router.post("/login")
@slow
def login(
    request: Request,
    svc: Svc,
    username: Text,
    password: Text,
    csrf: Text,
    code: Code = "",
    webauthn: Assertion = "",
) -> Response:
    """Check password and code (or security-key assertion); set the session cookie."""
    check_csrf(request, request.cookies.get(PRE), csrf)
    try:
        done = svc.platform.signin.login(
            _anonymous(request), username, Secret(password), code=code or None,
            webauthn=webauthn or None,
        )  # fmt: skip
    except AccessDenied as exc:
        pre_session(request, Response())
        return page(request, "login.html", status=401, user=None, error=exc.message)
    return _signed_in(request, done.token.reveal())


@router.post("/logout")
def logout(request: Request, user: Posted, svc: Svc) -> Response:
    """End the session."""
    svc.platform.signin.logout(Secret(user.token))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION, path="/")
    return response


@router.get("/setup")
def setup_form(request: Request, token: str = "") -> Response:
    """The first-owner form of the one-time setup link."""
    response = Response()
    pre_session(request, response)
    out = page(request, "setup.html", user=None, token=token)
    out.raw_headers.extend(h for h in response.raw_headers if h[0] == b"set-cookie")
    return out


@router.post("/setup")
@slow
def setup(
    request: Request, svc: Svc, token: Text, username: Text, password: Text, csrf: Text
) -> Response:
    """Create the first owner, then go to sign-in."""
    check_csrf(request, request.cookies.get(PRE), csrf)
    svc.setup.redeem(Secret(token), username, Secret(password))
    return RedirectResponse("/login?setup=done", status_code=303)


@router.get("/mfa")
def mfa(request: Request, user: User, ctx: Ctx, svc: Svc) -> Response:
    """Second-factor status of the signed-in user: authenticator app and security keys."""
    enrolled = svc.platform.identity.user(user.username).mfa_enrolled_at is not None
    keys = svc.platform.mfa.webauthn_count(ctx, user.username)
    return page(request, "mfa.html", enrolled=enrolled, keys=keys)


@router.post("/mfa/enroll")
def mfa_enroll(request: Request, user: Posted, ctx: Ctx, svc: Svc) -> Response:
    """Start TOTP enrolment: show the QR code (once) and ask for a first code."""
    enrollment = svc.platform.mfa.enroll_totp(ctx, user.username)
    uri = enrollment.uri.reveal()
    return page(request, "mfa.html", enrolled=False, qr=qr_svg(uri), uri=uri)


@router.post("/mfa/confirm")
@slow
def mfa_confirm(request: Request, user: Posted, ctx: Ctx, svc: Svc, code: Code) -> Response:
    """Confirm enrolment; show the recovery codes once."""
    try:
        codes = svc.platform.mfa.confirm_totp(ctx, user.username, code)
    except InvalidInput as exc:
        return page(request, "mfa.html", status=422, enrolled=False, error=exc.message)
    return page(request, "mfa.html", enrolled=True, codes=[c.reveal() for c in codes])


@router.post("/stepup")
@slow
def step_up(
    request: Request, user: Posted, svc: Svc, code: Code = "", webauthn: Assertion = "",
    next: Text = "/",
) -> Response:  # fmt: skip
    """Prove a second factor again (code or security key): a new session with fresh MFA."""
    done = svc.platform.signin.step_up(
        _anonymous(request), Secret(user.token), code, webauthn=webauthn or None
    )
    return _signed_in(request, done.token.reveal(), next)
