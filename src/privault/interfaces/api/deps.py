"""Dependencies every route shares: the services, the caller, the request context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from privault.app.bootstrap import Platform
from privault.app.detection import DetectionService
from privault.app.identity import API_KEY_PREFIX
from privault.app.overview import OverviewService
from privault.app.setup import SetupService
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied
from privault.core.ids import new_id
from privault.core.secret import Secret
from privault.interfaces.api.errors import AuthenticationRequired

SESSION_COOKIE = "pv_session"


@dataclass(frozen=True)
class Services:
    """The platform plus the interface-facing services built over it."""

    platform: Platform
    overview: OverviewService
    detection: DetectionService
    setup: SetupService

    @classmethod
    def build(cls, platform: Platform) -> Services:
        """Wire the extra services over an assembled platform."""
        return cls(
            platform,
            OverviewService.from_platform(platform),
            DetectionService(platform.audit, platform.authz),
            SetupService(platform.data, platform.identity, platform.access, platform.clock),
        )


# Dependencies that neither block nor touch the store are ``async``: FastAPI runs
# each sync dependency on a worker thread, and the hop costs more than they do.


async def services(request: Request) -> Services:
    """The services of this app."""
    found: Services = request.app.state.services
    return found


def client_address(request: Request) -> str:
    """The peer address (no proxy headers are trusted)."""
    return request.client.host if request.client else "unknown"


def bearer(request: Request) -> str | None:
    """The bearer token of the request, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def authenticate(svc: Services, token: str | None) -> Principal:
    """API key (``pvk_…``) or session token → principal.

    Raises:
        AuthenticationRequired: no token, or it does not authenticate.
    """
    if not token:
        raise AuthenticationRequired("authentication required: send a bearer token")
    signin = svc.platform.signin
    try:
        if token.startswith(API_KEY_PREFIX):
            return signin.api_key(Secret(token))
        return signin.session(Secret(token))
    except AccessDenied as exc:
        raise AuthenticationRequired(exc.message) from None


async def api_principal(request: Request, svc: Annotated[Services, Depends(services)]) -> Principal:
    """The caller of an API route (bearer API key or session token).

    An API key checked a moment ago is answered here without a thread hop
    (:meth:`SignInService.remembered_api_key`); anything else is looked up
    on the request lane.
    """
    token = bearer(request)
    if token and token.startswith(API_KEY_PREFIX):
        known = svc.platform.signin.remembered_api_key(Secret(token))
        if known is not None:
            return known
    return await run_in_threadpool(authenticate, svc, token)


async def api_context(
    request: Request, principal: Annotated[Principal, Depends(api_principal)]
) -> RequestContext:
    """The request context of an authenticated API call."""
    return RequestContext(principal, new_id("req"), f"api:{client_address(request)}")


Svc = Annotated[Services, Depends(services)]
Ctx = Annotated[RequestContext, Depends(api_context)]


async def visible_tenant(tenant: str, ctx: Ctx, svc: Svc) -> str:
    """The path's tenant, if the caller may see it (else 404, never 403).

    ``async``: tenants and role definitions are remembered by the services,
    so after a process's first look at a tenant this touches no store.
    """
    return svc.overview.tenant(ctx, tenant).slug


Tenant = Annotated[str, Depends(visible_tenant)]
