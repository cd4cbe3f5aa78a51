"""Incident containment: disable users, revoke sessions and keys, rotate keys, freeze exports.

Each action is carried out by the service that owns it (which authorizes and
audits its own act); the incident records it on its timeline.
"""

from __future__ import annotations

from privault.access import repository as access_repo
from privault.app.incident_base import IncidentBase
from privault.core.context import RequestContext
from privault.core.errors import Conflict, InvalidInput, NotFound
from privault.incidents import repository as repo

CONTAINMENTS = (
    "disable-user",
    "revoke-sessions",
    "revoke-api-key",
    "rotate-keys",
    "freeze-exports",
)


class ContainmentOps(IncidentBase):
    """Containment actions of the incident service."""

    def contain(self, ctx: RequestContext, incident_id: str, action: str, target: str) -> str:
        """Run a containment action (each service audits its own act) and put it on the timeline.

        Actions: disable-user USER, revoke-sessions USER, revoke-api-key KEY_ID,
        rotate-keys TENANT, freeze-exports TENANT.
        """
        if action not in CONTAINMENTS:
            raise InvalidInput(f"unknown containment {action!r}; valid: {', '.join(CONTAINMENTS)}")
        decision = self._check(ctx, "incident.contain", incident_id)
        with self._data.transaction() as conn:
            self._load(conn, incident_id)
        text = self._act(ctx, incident_id, action, target)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            self._record(
                conn,
                ctx,
                decision,
                incident,
                "containment",
                text,
                containment=action,
                target=target,
            )
        return text

    def _act(self, ctx: RequestContext, incident_id: str, action: str, target: str) -> str:
        if action == "disable-user":
            self._identity.disable(ctx, target.removeprefix("user:"))
            return f"disabled user {target} (sessions and API keys revoked)"
        if action == "revoke-sessions":
            user = self._identity.user(target.removeprefix("user:"))
            self._authz.check(ctx, "user.session.revoke", None, f"users/{user.username}")
            with self._data.transaction() as conn:
                n = access_repo.revoke_user_sessions(conn, user.id, self._clock.now())
            return f"revoked {n} session(s) of {user.username}"
        if action == "revoke-api-key":
            self._identity.revoke_api_key(ctx, target)
            return f"revoked API key {target}"
        tenant = self._tenants.get(target)
        if action == "rotate-keys":
            version = self._keys.rotate(ctx, tenant.slug)
            return f"rotated the keys of tenant {tenant.slug} (version {version})"
        with self._data.transaction() as conn:
            if not repo.freeze(conn, tenant.id, incident_id, ctx.principal.id, self._clock.now()):
                raise Conflict(f"exports of {tenant.slug} are frozen already")
        return f"froze exports of tenant {tenant.slug}"

    def unfreeze(self, ctx: RequestContext, incident_id: str, tenant: str) -> None:
        """Lift a tenant's export freeze (on the timeline)."""
        decision = self._check(ctx, "incident.contain", incident_id)
        t = self._tenants.get(tenant)
        with self._data.transaction() as conn:
            incident = self._load(conn, incident_id)
            if not repo.unfreeze(conn, t.id):
                raise NotFound(f"exports of {t.slug} are not frozen")
            self._record(
                conn,
                ctx,
                decision,
                incident,
                "containment",
                f"lifted the export freeze of {t.slug}",
                target=t.slug,
            )

    def is_frozen(self, tenant: str) -> bool:
        """Whether exports of ``tenant`` (id or slug) are frozen by an incident."""
        t = self._tenants.get(tenant)
        with self._data.transaction() as conn:
            return repo.frozen(conn, t.id) is not None
