"""Tenants (an MSP's clients) and their record schemas."""

from __future__ import annotations

from sqlalchemy import Connection

from privault.access.policy import Resource, decide
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import Conflict, NotFound
from privault.core.ids import check_slug, new_id
from privault.keys.hierarchy import KeyHierarchy
from privault.store.uow import UnitOfWork
from privault.vault import repository as repo
from privault.vault.schema import RecordSchema, parse_schema

#: Most tenants one process remembers (an MSP has hundreds).
_KNOWN_MAX = 100_000


class TenantService:
    """Create and list tenants; apply and read record schemas."""

    def __init__(
        self,
        data: UnitOfWork,
        keys: KeyHierarchy,
        auditor: Auditor,
        authz: Authorizer,
        clock: Clock,
    ) -> None:
        self._data = data
        self._keys = keys
        self._audit = auditor
        self._authz = authz
        self._clock = clock
        self._schemas: dict[tuple[str, str, int], RecordSchema] = {}
        # Tenants are never renamed or deleted: one found stays valid, by id and slug.
        self._known: dict[str, repo.Tenant] = {}

    def create(self, ctx: RequestContext, slug: str, name: str | None = None) -> repo.Tenant:
        """Create a tenant with its own keys.

        Raises:
            InvalidInput: bad slug.
            Conflict: the slug is taken.

        """
        check_slug(slug, "tenant")
        decision = self._authz.check(ctx, "tenant.create", None, f"tenants/{slug}")
        with self._data.transaction() as conn:
            if repo.get_tenant(conn, slug) is not None:
                raise Conflict(f"tenant {slug!r} already exists")
        tenant = repo.Tenant(new_id("tnt"), slug, name or slug, self._clock.now())
        # Keys first: an orphan key set is harmless, a tenant without keys is not.
        self._keys.create_tenant_keys(tenant.id)
        with self._data.transaction() as conn:
            repo.add_tenant(conn, tenant)
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "tenant.create",
                        f"tenants/{slug}",
                        tenant_id=tenant.id,
                        decision=decision,
                    )
                ],
            )
        return tenant

    def visible(self, ctx: RequestContext) -> list[repo.Tenant]:
        """Tenants the principal may list (those it holds a role on, or all)."""
        dctx = self._authz.context(ctx.principal)
        with self._data.read() as conn:
            tenants = repo.list_tenants(conn)
        return [
            t
            for t in tenants
            if decide(
                ctx.principal, "tenant.list", Resource(t.id, f"tenants/{t.slug}"), dctx
            ).allowed
        ]

    def get(self, tenant: str) -> repo.Tenant:
        """A tenant by id or slug (no authorization: callers authorize the action).

        Raises:
            NotFound: unknown tenant.

        """
        found = self._known.get(tenant)
        if found is not None:
            return found
        with self._data.read() as conn:
            found = repo.get_tenant(conn, tenant)
        if found is None:  # not remembered: another process may create it
            raise NotFound(f"unknown tenant {tenant!r}; see 'privault tenant list'")
        if len(self._known) < _KNOWN_MAX:
            self._known[found.id] = self._known[found.slug] = found
        return found

    def apply_schema(
        self, ctx: RequestContext, tenant: str, text: str, source: str = "schema"
    ) -> tuple[RecordSchema, int]:
        """Validate and store a record-type schema; return it and its version."""
        schema = parse_schema(text, source)
        t = self.get(tenant)
        path = f"tenants/{t.slug}/schemas/{schema.record_type}"
        decision = self._authz.check(ctx, "schema.apply", t.id, path)
        with self._data.transaction() as conn:
            version = repo.put_record_type(
                conn, t.id, schema.record_type, schema.model_dump_json(), self._clock.now()
            )
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "schema.apply",
                        path,
                        tenant_id=t.id,
                        decision=decision,
                        version=version,
                    )
                ],
            )
        return schema, version

    def schema(self, tenant_id: str, record_type: str) -> RecordSchema:
        """The current schema of a record type.

        Raises:
            NotFound: the tenant has no such record type.

        """
        with self._data.read() as conn:
            return self.schema_in(conn, tenant_id, record_type)[0]

    def schema_in(
        self, conn: Connection, tenant_id: str, record_type: str
    ) -> tuple[RecordSchema, int]:
        """The current schema of a record type and its version, read on ``conn``.

        Raises:
            NotFound: the tenant has no such record type.

        """
        found = repo.get_record_type(conn, tenant_id, record_type)
        if found is None:
            raise NotFound(f"unknown record type {record_type!r}; apply a schema first")
        version, definition = found
        key = (tenant_id, record_type, version)  # a version's definition never changes
        if key not in self._schemas:
            self._schemas[key] = RecordSchema.model_validate_json(definition)
        return self._schemas[key], version

    def schemas(self, tenant_id: str) -> list[tuple[RecordSchema, int]]:
        """Every schema of a tenant with its version."""
        with self._data.read() as conn:
            rows = repo.list_record_types(conn, tenant_id)
        return [(RecordSchema.model_validate_json(d), v) for _n, v, d in rows]
