"""The decision function every service asks before acting."""

from __future__ import annotations

from dataclasses import dataclass

from privault.core.context import Principal

ADMIN_ROLES = frozenset({"owner", "admin"})


@dataclass(frozen=True, slots=True)
class Resource:
    """What an action is on: a tenant and a path inside it."""

    tenant_id: str | None
    path: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of :func:`decide`, with the rule that decided and why."""

    allowed: bool
    rule: str
    reason: str


def decide(
    principal: Principal, action: str, resource: Resource, purpose: str | None = None
) -> Decision:
    """Decide whether ``principal`` may do ``action`` on ``resource``.

    First form: deny by default; the owner and admin roles may do anything
    within the tenants they are scoped to. ``purpose`` is recorded, not yet
    judged.
    """
    del action, purpose  # judged by the access issue's policy engine
    if (
        resource.tenant_id is not None
        and principal.tenants is not None
        and resource.tenant_id not in principal.tenants
    ):
        return Decision(False, "tenant-scope", "principal is not assigned to this tenant")
    if principal.roles & ADMIN_ROLES:
        return Decision(True, "stub:admin-only", "admin role")
    return Decision(False, "default-deny", "no rule grants this action")
