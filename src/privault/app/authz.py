"""Authorization for every use case: ask the pure policy, audit denials.

Services call :meth:`Authorizer.check` as their first step, so the CLI, the
API and the web get the same answers. Denials are written to the audit trail
before the error is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

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
ROLES_TTL = timedelta(seconds=5)


class Authorizer:
    """Builds decision contexts (roles, break-glass, time) and enforces decisions."""

    def __init__(self, data: UnitOfWork, auditor: Auditor, clock: Clock) -> None:
        self._data = data
        self._audit = auditor
        self._clock = clock
        self._roles: tuple[datetime, Mapping[str, Role]] | None = None
        #: Bumped by :meth:`invalidate`: what was remembered about access before is stale.
        self.epoch = 0
        self._user_ids: dict[str, str] = {}
        self._memo: tuple[str, str | None, DecisionContext] | None = None

    def roles(self) -> Mapping[str, Role]:
        """Built-in roles plus the custom roles stored in the data store.

        Cached for :data:`ROLES_TTL`: a change made in this process is seen at
        once (:meth:`invalidate`), one made by another process within the TTL.
        """
        now = self._clock.now()
        if self._roles is not None and now - self._roles[0] < ROLES_TTL:
            return self._roles[1]
        with self._data.read() as conn:
            definitions = access_repo.custom_role_definitions(conn)
        roles: Mapping[str, Role] = BUILTIN_ROLES
        if definitions:
            import yaml

            custom = parse_roles(yaml.safe_dump({"roles": definitions}), "stored roles")
            roles = {**BUILTIN_ROLES, **{r.name: r for r in custom}}
        self._roles = (now, roles)
        return roles

    def invalidate(self) -> None:
        """Forget what this process remembers about access (roles, grants, keys).

        Called after roles, grants, API keys or users change.
        """
        self._roles = None
        self.epoch += 1

    def context(self, principal: Principal, purpose: str | None = None) -> DecisionContext:
        """The decision context for ``principal`` now (break-glass grants read live).

        Break-glass is emergency access for a person at the console: a
        principal acting through a credential (``user:NAME/apikey:ID``) never
        holds it, so no lookup is made for one.
        """
        now = self._clock.now()
        glass: frozenset[str] = frozenset()
        if principal.id.startswith(_ACCOUNT_PREFIX) and "/" not in principal.id:
            username = principal.id[len(_ACCOUNT_PREFIX) :]
            with self._data.read() as conn:
                user_id = self._user_ids.get(username)
                if user_id is None:
                    user = access_repo.get_user(conn, username)
                    if user is not None:  # ids never change: safe to remember
                        user_id = self._user_ids[username] = user.id
                if user_id is not None:
                    glass = access_repo.active_break_glass(conn, user_id, now)
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
        dctx = self.context(ctx.principal, purpose)
        self._memo = (ctx.request_id, purpose, dctx)
        decision = decide(ctx.principal, action, Resource(tenant_id, path), dctx)
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
        """The view of each field: ``fields`` maps name → (key, pii, purposes).

        Reuses the decision context of this request's :meth:`check` when there
        was one (same request id and purpose), saving a round trip.
        """
        memo = self._memo
        if memo is not None and memo[0] == ctx.request_id and memo[1] == purpose:
            dctx = memo[2]
        else:
            dctx = self.context(ctx.principal, purpose)
        return {
            name: field_view(ctx.principal, tenant_id, key, pii, requested, dctx, purposes)
            for name, (key, pii, purposes) in fields.items()
        }
