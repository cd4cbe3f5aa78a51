"""Authorization for every use case: ask the pure policy, audit denials.

Services call :meth:`Authorizer.check` as their first step, so the CLI, the
API and the web get the same answers. Denials are written to the audit trail
before the error is raised.
"""

from __future__ import annotations

from collections.abc import Mapping

from privault.access import repository as access_repo
from privault.access.policy import (
    Decision,
    DecisionContext,
    FieldView,
    Resource,
    decide,
    field_view,
)
from privault.access.roles import BUILTIN_ROLES, Role, parse_roles
from privault.app.auditing import Auditor
from privault.core.clock import Clock
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied
from privault.store.uow import UnitOfWork

_ACCOUNT_PREFIX = "user:"


class Authorizer:
    """Builds decision contexts (roles, break-glass, time) and enforces decisions."""

    def __init__(self, data: UnitOfWork, auditor: Auditor, clock: Clock) -> None:
        self._data = data
        self._audit = auditor
        self._clock = clock

    def roles(self) -> Mapping[str, Role]:
        """Built-in roles plus the custom roles stored in the data store."""
        with self._data.transaction() as conn:
            definitions = access_repo.custom_role_definitions(conn)
        if not definitions:
            return BUILTIN_ROLES
        import yaml

        custom = parse_roles(yaml.safe_dump({"roles": definitions}), "stored roles")
        return {**BUILTIN_ROLES, **{r.name: r for r in custom}}

    def context(self, principal: Principal, purpose: str | None = None) -> DecisionContext:
        """The decision context for ``principal`` now."""
        now = self._clock.now()
        glass: frozenset[str] = frozenset()
        if principal.id.startswith(_ACCOUNT_PREFIX):
            with self._data.transaction() as conn:
                user = access_repo.get_user(conn, principal.id[len(_ACCOUNT_PREFIX) :])
                if user is not None:
                    glass = access_repo.active_break_glass(conn, user.id, now)
        return DecisionContext(now=now, roles=self.roles(), purpose=purpose, break_glass=glass)

    def decide(
        self,
        principal: Principal,
        action: str,
        tenant_id: str | None,
        path: str,
        purpose: str | None = None,
    ) -> Decision:
        """The decision, without enforcing or auditing it (``access check``)."""
        return decide(
            principal, action, Resource(tenant_id, path), self.context(principal, purpose)
        )

    def check(
        self,
        ctx: RequestContext,
        action: str,
        tenant_id: str | None,
        path: str,
        purpose: str | None = None,
    ) -> Decision:
        """Allow or raise; a denial is audited first.

        Raises:
            AccessDenied: naming the action and the deciding rule.
        """
        decision = self.decide(ctx.principal, action, tenant_id, path, purpose)
        if not decision.allowed:
            self._audit.write_now(
                [
                    self._audit.event(
                        ctx, action, path, tenant_id=tenant_id, decision=decision, purpose=purpose
                    )
                ]
            )
            raise AccessDenied(
                f"{action} on {path} denied ({decision.rule}: {decision.reason})",
                rule=decision.rule,
            )
        return decision

    def field_views(
        self,
        ctx: RequestContext,
        tenant_id: str,
        fields: Mapping[str, tuple[str, str | None, tuple[str, ...]]],
        requested: str,
        purpose: str | None,
    ) -> dict[str, FieldView]:
        """The view of each field: ``fields`` maps name → (key, pii, purposes)."""
        dctx = self.context(ctx.principal, purpose)
        return {
            name: field_view(ctx.principal, tenant_id, key, pii, requested, dctx, purposes)
            for name, (key, pii, purposes) in fields.items()
        }
