"""The decision function every service asks before acting. Pure: no I/O.

Invariants:

* Deny by default: an action is allowed only if a role the principal holds
  *on that tenant* allows it.
* An explicit deny in any applicable role wins over every allow.
* An API key's scopes can only narrow what its owner's roles allow.
* Sensitive actions need a second factor proved within ``mfa_max_age``.
* Field views are capped per role; the most revealing cap among the
  principal's roles applies; an active break-glass grant lifts the cap to
  plain for its tenant; a plain view of a field that declares purposes needs
  one of those purposes, or it falls back to masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fnmatch import fnmatchcase

from privault.access.roles import BUILTIN_ROLES, SENSITIVE_ACTIONS, Role, view_rank
from privault.core.context import Principal

# Purposes that the law itself grants, whatever a field declares: a data
# subject's access request must show their data, and legal obligations apply.
PURPOSE_EXEMPT: frozenset[str] = frozenset({"dsr-access", "legal", "legal-claims"})


@dataclass(frozen=True, slots=True)
class Resource:
    """What an action is on: a tenant (None for platform-wide) and a path."""

    tenant_id: str | None
    path: str


@dataclass(frozen=True, slots=True)
class DecisionContext:
    """Everything besides principal, action and resource that a decision needs."""

    now: datetime
    roles: Mapping[str, Role] = field(default_factory=lambda: BUILTIN_ROLES)
    purpose: str | None = None
    break_glass: frozenset[str] = frozenset()  # tenants with an active grant
    mfa_max_age: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of :func:`decide`, with the rule that decided and why."""

    allowed: bool
    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class FieldView:
    """The view a reader gets of one field, and the rule that set it."""

    view: str
    rule: str


def _roles(principal: Principal, tenant_id: str | None, ctx: DecisionContext) -> list[Role]:
    names = sorted(principal.roles_on(tenant_id))
    return [ctx.roles[n] for n in names if n in ctx.roles]


def decide(
    principal: Principal, action: str, resource: Resource, context: DecisionContext
) -> Decision:
    """Decide whether ``principal`` may do ``action`` on ``resource``.

    Returns:
        A :class:`Decision`; its ``rule`` names what decided: ``role:NAME``,
        ``deny:role:NAME``, ``apikey-scope``, ``mfa-required``, ``tenant-scope``
        or ``default-deny``.
    """
    roles = _roles(principal, resource.tenant_id, context)
    if not roles:
        if principal.all_roles():
            return Decision(False, "tenant-scope", "no role on this tenant")
        return Decision(False, "default-deny", "the principal holds no role")
    if principal.scopes is not None and not any(fnmatchcase(action, s) for s in principal.scopes):
        return Decision(False, "apikey-scope", f"the API key's scopes do not include {action}")
    for role in roles:
        if role.denies(action):
            return Decision(False, f"deny:role:{role.name}", f"role {role.name} denies {action}")
    granting = [r for r in roles if r.allows(action)]
    if not granting:
        return Decision(False, "default-deny", f"no role allows {action}")
    if needs_mfa(action) and not mfa_fresh(principal, context):
        return Decision(
            False,
            "mfa-required",
            f"{action} needs a second factor proved "
            f"within {int(context.mfa_max_age.total_seconds() // 60)} minutes",
        )
    return Decision(True, f"role:{granting[0].name}", f"role {granting[0].name} allows {action}")


def needs_mfa(action: str) -> bool:
    """True for the sensitive actions that need a fresh second factor."""
    return any(fnmatchcase(action, pattern) for pattern in SENSITIVE_ACTIONS)


def mfa_fresh(principal: Principal, context: DecisionContext) -> bool:
    """True if the principal proved a second factor recently enough."""
    return principal.mfa_at is not None and context.now - principal.mfa_at <= context.mfa_max_age


def field_view(
    principal: Principal,
    tenant_id: str,
    field_key: str,
    pii: str | None,
    requested: str,
    context: DecisionContext,
    purposes: tuple[str, ...] = (),
) -> FieldView:
    """The view of one field: the requested one, capped by role, break-glass and purpose."""
    roles = _roles(principal, tenant_id, context)
    caps = [(r.view_cap(field_key, pii), r.name) for r in roles]
    cap, rule = max(caps, key=lambda c: view_rank(c[0]), default=("none", "default-deny"))
    rule = f"role:{rule}"
    if tenant_id in context.break_glass:
        cap, rule = "plain", "break-glass"
    view = requested if view_rank(requested) <= view_rank(cap) else cap
    if view != requested:
        rule = f"{rule}:capped"
    if (
        view == "plain"
        and purposes
        and context.purpose not in purposes
        and context.purpose not in PURPOSE_EXEMPT
    ):
        return FieldView("masked", "purpose-limited")
    return FieldView(view, rule)
