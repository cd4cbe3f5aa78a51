"""Key management use cases: rotate, rewrap, retire, status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.tenants import TenantService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.keys.hierarchy import KeyHierarchy


@dataclass(frozen=True, slots=True)
class KeyVersionStatus:
    """One key version as ``keys status`` shows it."""

    scope: str  # "root" or a tenant slug
    purpose: str
    version: int
    created_at: datetime
    age_days: float
    retired: bool
    current: bool
    wraps: int  # how many keys below still use this version
    wrapped_by: str  # e.g. "local:v1" for tenant keys, the provider for root keys


@dataclass(frozen=True, slots=True)
class RewrapReport:
    """Totals of a rewrap run."""

    tenant_keys: int
    subject_keys: int
    batches: int


class KeyService:
    """Rotation, rewrap and status of the key hierarchy."""

    def __init__(
        self,
        keys: KeyHierarchy,
        tenants: TenantService,
        auditor: Auditor,
        authz: Authorizer,
        clock: Clock,
    ) -> None:
        self._keys = keys
        self._tenants = tenants
        self._audit = auditor
        self._authz = authz
        self._clock = clock

    def rotate(self, ctx: RequestContext, tenant: str | None = None) -> int:
        """Add a version of the root key, or of a tenant's kek; return it."""
        t = self._tenants.get(tenant) if tenant else None
        path = f"keys/{t.slug}" if t else "keys/root"
        decision = self._authz.check(ctx, "key.rotate", t.id if t else None, path)
        version = self._keys.rotate_tenant(t.id) if t else self._keys.rotate_root()
        self._audit.write_now(
            [
                self._audit.event(
                    ctx,
                    "key.rotate",
                    path,
                    tenant_id=t.id if t else None,
                    decision=decision,
                    version=version,
                )
            ]
        )
        return version

    def rewrap(
        self,
        ctx: RequestContext,
        *,
        batch_size: int = 500,
        progress: Callable[[int], None] | None = None,
    ) -> RewrapReport:
        """Move every wrapped key to the newest versions, batch by batch (resumable)."""
        decision = self._authz.check(ctx, "key.rewrap", None, "keys")
        tenant_keys = subject_keys = batches = 0
        while True:
            step = self._keys.rewrap_batch(batch_size)
            if step.done:
                break
            batches += 1
            tenant_keys += step.tenant_keys
            subject_keys += step.subject_keys
            if progress is not None:
                progress(step.tenant_keys + step.subject_keys)
        self._audit.write_now(
            [
                self._audit.event(
                    ctx,
                    "key.rewrap",
                    "keys",
                    tenant_id=None,
                    decision=decision,
                    tenant_keys=tenant_keys,
                    subject_keys=subject_keys,
                )
            ]
        )
        return RewrapReport(tenant_keys, subject_keys, batches)

    def retire_root(self, ctx: RequestContext, version: int) -> None:
        """Destroy a root version nothing uses any more."""
        decision = self._authz.check(ctx, "key.retire", None, "keys/root")
        self._keys.retire_root(version)
        self._audit.write_now(
            [
                self._audit.event(
                    ctx,
                    "key.retire",
                    "keys/root",
                    tenant_id=None,
                    decision=decision,
                    version=version,
                )
            ]
        )

    def status(self, ctx: RequestContext) -> list[KeyVersionStatus]:
        """Every key version: age, whether current, and what still uses it."""
        self._authz.check(ctx, "key.status", None, "keys")
        roots, tenant_rows, subject_counts = self._keys.usage()
        now = self._clock.now()
        slugs = {t.id: t.slug for t in self._tenants.visible(ctx)}
        out = []
        for root in roots:
            uses = sum(1 for r in tenant_rows if r.root_version == root.version)
            out.append(
                KeyVersionStatus(
                    "root",
                    "root",
                    root.version,
                    root.created_at,
                    _age(now, root.created_at),
                    root.retired_at is not None,
                    root is roots[-1],
                    uses,
                    root.provider,
                )
            )
        latest: dict[tuple[str, str], int] = {}
        for row in tenant_rows:
            latest[(row.tenant_id, row.purpose)] = max(
                latest.get((row.tenant_id, row.purpose), 0), row.version
            )
        for row in tenant_rows:
            wraps = (
                subject_counts.get((row.tenant_id, row.version), 0) if row.purpose == "kek" else 0
            )
            out.append(
                KeyVersionStatus(
                    slugs.get(row.tenant_id, row.tenant_id),
                    row.purpose,
                    row.version,
                    row.created_at,
                    _age(now, row.created_at),
                    row.retired_at is not None,
                    latest[(row.tenant_id, row.purpose)] == row.version,
                    wraps,
                    f"root v{row.root_version}",
                )
            )
        return out


def _age(now: datetime, then: datetime) -> float:
    from datetime import UTC

    then = then if then.tzinfo else then.replace(tzinfo=UTC)
    return round((now - then).total_seconds() / 86400, 1)
