"""Access administration: roles, grants, access checks, break-glass, least privilege."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import yaml

from privault.access import repository as repo
from privault.access.policy import Decision, FieldView, field_view
from privault.access.roles import BUILTIN_ROLES, Role, parse_roles
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.identity import IdentityService
from privault.app.tenants import TenantService
from privault.audit import repository as audit_repo
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied, InvalidInput, NotFound
from privault.core.ids import new_id
from privault.store.uow import UnitOfWork

MIN_JUSTIFICATION = 20
MAX_BREAK_GLASS = timedelta(hours=4)


@dataclass(frozen=True, slots=True)
class Explanation:
    """What ``access check`` shows: the decision, the roles, and a field's view."""

    decision: Decision
    roles: tuple[str, ...]
    field: FieldView | None


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the least-privilege report."""

    kind: str  # "no-mfa", "stale-account", "unused-grant"
    user: str
    detail: str


class AccessService:
    """Roles and grants, explained decisions, break-glass, least-privilege report."""

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

    def roles(self, ctx: RequestContext) -> list[Role]:
        """Built-in and custom roles."""
        self._authz.check(ctx, "role.list", None, "roles")
        return sorted(self._authz.roles().values(), key=lambda r: r.name)

    def apply_roles(self, ctx: RequestContext, text: str, source: str = "policy") -> list[str]:
        """Store the custom roles of a policy file (replacing same-named ones)."""
        roles = parse_roles(text, source)
        decision = self._authz.check(ctx, "role.apply", None, "roles")
        doc = yaml.safe_load(text)["roles"]
        with self._data.transaction() as conn:
            for role, definition in zip(roles, doc, strict=True):
                repo.put_custom_role(conn, role.name, definition, self._clock.now())
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "role.apply",
                        "roles",
                        tenant_id=None,
                        decision=decision,
                        roles=[r.name for r in roles],
                    )
                ],
            )
        self._authz.invalidate()
        return [r.name for r in roles]

    def grant(
        self,
        ctx: RequestContext,
        username: str,
        role: str,
        tenant: str | None = None,
        *,
        revoke: bool = False,
    ) -> None:
        """Grant (or revoke) a role on a tenant or on all; ends the user's sessions."""
        user = self._identity.user(username)
        if role not in self._authz.roles():
            raise InvalidInput(
                f"unknown role {role!r}; valid: {', '.join(sorted(self._authz.roles()))}"
            )
        t = self._tenants.get(tenant) if tenant else None
        action = "role.revoke" if revoke else "role.grant"
        path = f"users/{user.username}/roles/{role}"
        decision = self._authz.check(ctx, action, t.id if t else None, path)
        now = self._clock.now()
        with self._data.transaction() as conn:
            if revoke:
                if not repo.remove_grant(conn, user.id, role, t.id if t else None):
                    raise NotFound(f"{username} does not hold {role} there")
            else:
                repo.add_grant(conn, user.id, role, t.id if t else None, now, ctx.principal.id)
            # Privileges changed: every session must be re-established.
            repo.revoke_user_sessions(conn, user.id, now)
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx, action, path, tenant_id=t.id if t else None, decision=decision
                    )
                ],
            )
        self._authz.invalidate()  # after the commit: no one re-reads the old grants

    def check(
        self,
        ctx: RequestContext,
        username: str,
        action: str,
        tenant: str | None,
        *,
        field: str | None = None,
        pii: str | None = None,
        purpose: str | None = None,
    ) -> Explanation:
        """Explain what a user may do: the decision, the rule, and a field's view."""
        self._authz.check(ctx, "access.check", None, "access")
        user = self._identity.user(username)
        principal = self._identity.principal_for(user, mfa_at=self._clock.now())
        t = self._tenants.get(tenant) if tenant else None
        tid = t.id if t else None
        decision = self._authz.decide(principal, action, tid, f"check/{action}", purpose)
        view = None
        if field and tid:
            dctx = self._authz.context(principal, purpose)
            view = field_view(principal, tid, field, pii, "plain", dctx)
        return Explanation(decision, tuple(sorted(principal.roles_on(tid))), view)

    def break_glass(
        self, ctx: RequestContext, tenant: str, justification: str, minutes: int = 60
    ) -> datetime:
        """Open a time-bounded emergency grant of plain views on one tenant.

        Needs a role that allows break-glass, a fresh second factor and a
        written justification; raises a critical alert event in the trail.
        """
        t = self._tenants.get(tenant)
        if len(justification.strip()) < MIN_JUSTIFICATION:
            raise InvalidInput(
                f"a justification of at least {MIN_JUSTIFICATION} characters is required"
            )
        duration = timedelta(minutes=minutes)
        if not timedelta(minutes=1) <= duration <= MAX_BREAK_GLASS:
            raise InvalidInput("break-glass lasts 1 minute to 4 hours")
        path = f"tenants/{t.slug}/break-glass"
        decision = self._authz.check(ctx, "breakglass.open", t.id, path)
        roles = self._authz.roles()
        if not any(roles[r].break_glass for r in ctx.principal.roles_on(t.id) if r in roles):
            raise AccessDenied("no role of yours may open break-glass", rule="break-glass")
        user = self._identity.user(ctx.principal.id.removeprefix("user:"))
        now = self._clock.now()
        with self._data.transaction() as conn:
            repo.add_break_glass(
                conn,
                id=new_id("bg"),
                user_id=user.id,
                tenant_id=t.id,
                justification=justification.strip(),
                starts_at=now,
                ends_at=now + duration,
            )
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "breakglass.open",
                        path,
                        tenant_id=t.id,
                        decision=decision,
                        outcome="alert",
                        severity="critical",
                        minutes=minutes,
                        justification=self._audit.hmac(justification.strip()),
                    )
                ],
            )
        return now + duration

    def report(self, ctx: RequestContext, days: int = 90) -> list[Finding]:
        """Users without MFA, stale accounts, and grants unused for ``days`` days."""
        self._authz.check(ctx, "access.report", None, "access")
        now = self._clock.now()
        since = now - timedelta(days=days)
        with self._data.transaction() as conn:
            users = repo.list_users(conn)
            grants = {u.id: repo.grants_of(conn, u.id) for u in users}
            used = audit_repo.rules_used_since(conn, since)
        out: list[Finding] = []
        for u in users:
            if u.status != "active":
                continue
            out += _user_findings(u, grants[u.id], used, since, days)
        return out


def _user_findings(
    user: repo.User,
    grants: list[tuple[str, str | None, datetime]],
    used: set[tuple[str, str]],
    since: datetime,
    days: int,
) -> list[Finding]:
    out = []
    if user.kind == "user" and grants and user.mfa_enrolled_at is None:
        out.append(Finding("no-mfa", user.username, "holds roles but has no second factor"))
    last = user.last_login_at or user.created_at
    if last < since:
        out.append(Finding("stale-account", user.username, f"no sign-in for more than {days} days"))
    actors = {a for a, _r in used if a.split("/")[0] == f"user:{user.username}"}
    for role, tenant, granted_at in grants:
        if granted_at >= since:
            continue  # too new to judge
        if not any((a, f"role:{role}") in used for a in actors):
            where = f" on {tenant}" if tenant else ""
            out.append(
                Finding("unused-grant", user.username, f"role {role}{where} unused for {days} days")
            )
    return out


def builtin_role_names() -> list[str]:
    """Names of the built-in roles."""
    return sorted(BUILTIN_ROLES)
