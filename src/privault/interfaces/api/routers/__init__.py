"""The routers of ``/api/v1``: one module per capability, listed once here.

Adding a capability is one new module and one line in :data:`ROUTERS`.
"""

from __future__ import annotations

from fastapi import APIRouter

from privault.interfaces.api.routers import (
    alerts,
    apikeys,
    audit,
    auth,
    compliance,
    consent,
    credentials,
    detect,
    incidents,
    lifecycle,
    masking,
    mfa,
    records,
    scans,
    sharing,
    tenants,
    tokens,
    users,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    tenants.router,
    records.router,
    tokens.router,
    detect.router,
    users.router,
    apikeys.router,
    mfa.router,
    audit.router,
    consent.router,
    scans.router,
    masking.router,
    alerts.router,
    compliance.router,
    lifecycle.router,
    sharing.router,
    credentials.router,
    incidents.router,
)
