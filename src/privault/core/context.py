"""Who is asking, and why: the context every service call carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from privault.core.ids import new_id


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller.

    Attributes:
        id: stable id ("user:alice", "apikey:…", "cli:root").
        roles: roles granted on every tenant (MSP-wide).
        tenant_roles: (tenant_id, role) pairs: roles granted on one tenant only.
        mfa_at: when the caller last proved a second factor (None: never).
        scopes: for API keys, the action globs the key is limited to (None: no limit).
    """

    id: str
    roles: frozenset[str] = frozenset()
    tenant_roles: frozenset[tuple[str, str]] = frozenset()
    mfa_at: datetime | None = None
    scopes: frozenset[str] | None = None

    def roles_on(self, tenant_id: str | None) -> frozenset[str]:
        """The roles that apply on ``tenant_id`` (global ones, plus that tenant's)."""
        if tenant_id is None:
            return self.roles
        return self.roles | {role for t, role in self.tenant_roles if t == tenant_id}

    def all_roles(self) -> frozenset[str]:
        """Every role the principal holds anywhere."""
        return self.roles | {role for _t, role in self.tenant_roles}


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One request: the principal, a request id for the audit trail, the source."""

    principal: Principal
    request_id: str = field(default_factory=lambda: new_id("req"))
    source: str = "local"
