"""Destruction certificates: build, sign (Ed25519), store and export (JSON, PDF).

The signing seed is derived from the platform's index key
(``destruction-certificates``), so certificates verify with one published
public key and are never signed with a key that also seals data.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from privault.app.auditing import PLATFORM
from privault.core.context import RequestContext
from privault.core.errors import NotFound
from privault.core.ids import new_id
from privault.crypto._primitives import ed25519_public_key
from privault.lifecycle import certificate as certs
from privault.lifecycle import pdf
from privault.lifecycle import repository as repo
from privault.lifecycle.repository import DESTROYED, GONE, HELD, Run, RunItem
from privault.vault.repository import Tenant

if TYPE_CHECKING:
    from privault.app.lifecycle import Deps


class CertificateService:
    """Signs destruction certificates and reads them back."""

    def __init__(self, deps: Deps) -> None:
        self._data, self._keys = deps.data, deps.keys
        self._tenants, self._authz = deps.tenants, deps.authz

    def _seed(self) -> bytes:
        return self._keys.derived_key(PLATFORM, "index", "destruction-certificates")

    def sign(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with its Ed25519 signature block."""
        return certs.sign(body, self._seed())

    def public_key(self) -> bytes:
        """The raw Ed25519 public key that verifies destruction certificates."""
        return ed25519_public_key(self._seed())

    def verify(self, certificate: dict[str, Any]) -> bool:
        """True if the certificate was signed by this installation and is unaltered."""
        return certs.verify(certificate, self.public_key())

    def get(self, ctx: RequestContext, tenant: str, cert_id: str) -> dict[str, Any]:
        """A certificate by its id (or its run's id).

        Raises:
            NotFound: no such certificate for the tenant.

        """
        t = self._tenants.get(tenant)
        self._authz.check(ctx, "lifecycle.read", t.id, f"tenants/{t.slug}/lifecycle")
        with self._data.transaction() as conn:
            found = repo.get_certificate(conn, t.id, cert_id)
        if found is None:
            raise NotFound(f"no certificate {cert_id} in tenant {t.slug}")
        return found

    def pdf(self, ctx: RequestContext, tenant: str, cert_id: str) -> bytes:
        """A certificate rendered as PDF."""
        return pdf.render(self.get(ctx, tenant, cert_id))

    def list(self, ctx: RequestContext, tenant: str) -> list[dict[str, Any]]:
        """Every certificate of a tenant, oldest first."""
        t = self._tenants.get(tenant)
        self._authz.check(ctx, "lifecycle.read", t.id, f"tenants/{t.slug}/lifecycle")
        with self._data.transaction() as conn:
            return repo.list_certificates(conn, t.id)


def certificate_body(t: Tenant, run: Run, items: list[RunItem], now: datetime) -> dict[str, Any]:
    """What a certificate states: ids, rules, counts and audit event ids, never values."""
    per_rule: dict[str, int] = {}
    for i in items:
        if i.status == DESTROYED:
            per_rule[i.rule] = per_rule.get(i.rule, 0) + 1
    return {
        "kind": certs.KIND,
        "version": 1,
        "id": new_id("dcert"),
        "tenant": t.slug,
        "tenant_id": t.id,
        "run_id": run.id,
        "started_at": run.started_at.isoformat(),
        "finished_at": now.isoformat(),
        "issued_at": now.isoformat(),
        "policies": [{"rule": r, "records": n} for r, n in sorted(per_rule.items())],
        "counts": {
            "planned": len(items),
            "destroyed": sum(i.status == DESTROYED for i in items),
            "gone": sum(i.status == GONE for i in items),
            "held": sum(i.status == HELD for i in items),
        },
        "records": [i.record_id for i in items if i.status == DESTROYED],
        "audit_event_ids": sorted({i.event_id for i in items if i.event_id}),
        "method": "crypto-shredding of wholly expired subjects; deletion of other records",
    }
