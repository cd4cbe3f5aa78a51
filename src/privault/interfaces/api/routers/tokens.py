"""Tokens: tokenize and detokenize in batch."""

from __future__ import annotations

from fastapi import APIRouter

from privault.interfaces.api.deps import Ctx, Svc, Tenant
from privault.interfaces.api.models import DetokenizeIn, TokenizeIn, Values

router = APIRouter(tags=["tokens"])


@router.post("/tenants/{tenant}/tokens/tokenize", response_model=Values)
def tokenize(tenant: Tenant, body: TokenizeIn, ctx: Ctx, svc: Svc) -> Values:
    """Tokenize values under a scope (random, deterministic or format-preserving)."""
    out = svc.platform.vault.tokenize(
        ctx, tenant, body.values, kind=body.kind, scope=body.scope, pii=body.pii
    )
    return Values(values=out)


@router.post("/tenants/{tenant}/tokens/detokenize", response_model=Values)
def detokenize(tenant: Tenant, body: DetokenizeIn, ctx: Ctx, svc: Svc) -> Values:
    """Turn tokens back into values (audited; needs a purpose and step-up)."""
    out = svc.platform.gate.detokenize(
        ctx, tenant, body.tokens, purpose=body.purpose, scope=body.scope, pii=body.pii
    )
    return Values(values=out)
