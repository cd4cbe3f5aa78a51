"""The client-credential vault: items (never a secret in a list), reveal, health, generator."""

from __future__ import annotations

from fastapi import APIRouter, Request

from privault.interfaces.api.deps import Ctx, Svc, Tenant
from privault.interfaces.api.models import Page
from privault.interfaces.api.models_ops import (
    GeneratedOut,
    GenerateIn,
    HealthOut,
    ItemHealthOut,
    ItemOut,
    ReminderOut,
    RevealedOut,
    RevealIn,
)
from privault.interfaces.api.routers._paging import After, Limit, next_link, window

router = APIRouter(tags=["credentials"])


@router.get("/tenants/{tenant}/credentials", response_model=Page[ItemOut])
def list_items(
    request: Request, tenant: Tenant, ctx: Ctx, svc: Svc, after: After = None, limit: Limit = 50
) -> Page[ItemOut]:
    """Items the caller may open: titles, logins, URLs, rotation state; never secrets."""
    rows = window(svc.platform.credentials.list_items(ctx, tenant), lambda i: i.id, after, limit)
    items = [
        ItemOut(id=i.id, title=i.title, login=i.login, url=i.url, honeytoken=i.honeytoken,
                rotate_due=i.rotate_due, password_changed_at=i.password_changed_at,
                shared_with=list(i.shared_with))
        for i in rows
    ]  # fmt: skip
    return Page(items=items, next=next_link(request, items, lambda i: i.id, limit))


@router.post("/tenants/{tenant}/credentials/{item_id}/reveal", response_model=RevealedOut)
def reveal(tenant: Tenant, item_id: str, body: RevealIn, ctx: Ctx, svc: Svc) -> RevealedOut:
    """Reveal one secret part for a stated purpose (step-up; audited before decryption).

    ``field: totp`` answers the item's current one-time code, not its seed.
    """
    creds = svc.platform.credentials
    if body.field == "totp":
        value = creds.totp(ctx, tenant, item_id, purpose=body.purpose)
    else:
        value = creds.reveal(ctx, tenant, item_id, purpose=body.purpose, field=body.field)
    return RevealedOut(item_id=item_id, field=body.field, value=value.reveal())


@router.get("/tenants/{tenant}/credentials/health", response_model=HealthOut)
def health(tenant: Tenant, ctx: Ctx, svc: Svc) -> HealthOut:
    """Weak, reused, old and breached passwords, and rotation reminders (no secret shown)."""
    rep = svc.platform.credentials.health(ctx, tenant)
    return HealthOut(
        healthy=rep.healthy,
        counts=dict(rep.counts),
        items=[ItemHealthOut(item_id=i.item_id, title=i.title, issues=list(i.issues),
                             score=i.score, age_days=i.age_days) for i in rep.items],
        reminders=[ReminderOut(item_id=r.item_id, title=r.title, due_at=r.due_at,
                               overdue_days=r.overdue_days) for r in rep.reminders],
    )  # fmt: skip


@router.post("/credentials/generate", response_model=GeneratedOut)
def generate(body: GenerateIn, ctx: Ctx, svc: Svc) -> GeneratedOut:
    """A random password or passphrase (nothing is stored or audited)."""
    creds = svc.platform.credentials
    if body.kind == "passphrase":
        made = creds.generate_passphrase(body.words, body.separator)
    else:
        made = creds.generate_password(body.length, body.classes, body.avoid_ambiguous)
    return GeneratedOut(value=made.value.reveal(), bits=round(made.bits, 1))
