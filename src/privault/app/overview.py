"""Read-only aggregates for the dashboard and the API: authorized like every use case.

Counts, schemas and activity are metadata, not customer data, but they still
tell something: each one is asked of the policy first (``tenant.list`` per
tenant, ``audit.search`` for activity, ``user.list`` for people).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from privault.access.repository import User
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.identity import IdentityService
from privault.app.tenants import TenantService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import NotFound
from privault.store.uow import UnitOfWork
from privault.vault import repository as vault_repo
from privault.vault.schema import RecordSchema

if TYPE_CHECKING:
    from privault.app.bootstrap import Platform

ACTIVITY_SCAN = 5000  # newest read events bucketed for the chart


@dataclass(frozen=True, slots=True)
class TenantCount:
    """A tenant and how many records it holds."""

    tenant: vault_repo.Tenant
    records: int


@dataclass(frozen=True, slots=True)
class UserSummary:
    """A user with the roles it holds (global and per tenant)."""

    user: User
    roles: tuple[str, ...]
    tenant_roles: tuple[tuple[str, str], ...]


class OverviewService:
    """Tenants visible to a principal, their schemas and counts, and trail activity."""

    def __init__(
        self,
        data: UnitOfWork,
        tenants: TenantService,
        identity: IdentityService,
        auditor: Auditor,
        authz: Authorizer,
        clock: Clock,
    ) -> None:
        self._data = data
        self._tenants = tenants
        self._identity = identity
        self._audit = auditor
        self._authz = authz
        self._clock = clock

    @classmethod
    def from_platform(cls, platform: Platform) -> OverviewService:
        """Build the service over an assembled platform."""
        return cls(
            platform.data,
            platform.tenants,
            platform.identity,
            platform.audit,
            platform.authz,
            platform.clock,
        )

    def tenant(self, ctx: RequestContext, tenant: str) -> vault_repo.Tenant:
        """A tenant the principal may see.

        Raises:
            NotFound: unknown, or not visible to the principal (the same answer).
        """
        try:
            t = self._tenants.get(tenant)
        except NotFound:
            raise NotFound(f"unknown tenant {tenant!r}") from None
        # Visible = the principal holds a role that applies there. API-key
        # scopes are left to each action's own decision (403 apikey-scope).
        known = self._authz.roles()
        if not any(r in known for r in ctx.principal.roles_on(t.id)):
            raise NotFound(f"unknown tenant {tenant!r}")
        return t

    def schemas(self, ctx: RequestContext, tenant: str) -> list[tuple[RecordSchema, int]]:
        """The record schemas of a visible tenant, with their versions."""
        return self._tenants.schemas(self.tenant(ctx, tenant).id)

    def record_counts(self, ctx: RequestContext) -> list[TenantCount]:
        """Record counts of every tenant the principal may see."""
        visible = self._tenants.visible(ctx)
        with self._data.transaction() as conn:
            return [TenantCount(t, vault_repo.count_records(conn, t.id)) for t in visible]

    def users(self, ctx: RequestContext) -> list[UserSummary]:
        """Every user with its grants (needs ``user.list``)."""
        out = []
        for user in self._identity.list_users(ctx):
            p = self._identity.principal_for(user)
            out.append(UserSummary(user, tuple(sorted(p.roles)), tuple(sorted(p.tenant_roles))))
        return out

    def reads_per_day(self, ctx: RequestContext, days: int = 14) -> list[tuple[date, int]]:
        """Gated record reads per day over the last ``days`` days (oldest first)."""
        self._authz.check(ctx, "audit.search", None, "audit")
        today = self._clock.now().date()
        first = today - timedelta(days=days - 1)
        counts: Counter[date] = Counter()
        for action in ("record.read", "record.find"):
            for event in self._audit.search(action=action, limit=ACTIVITY_SCAN):
                day = event.ts.date()
                if day >= first and event.outcome == "allowed":
                    counts[day] += 1
        return [(first + timedelta(days=i), counts[first + timedelta(days=i)]) for i in range(days)]
