"""The data-lifecycle capability, assembled: retention, certificates, consent, DSRs.

``build_lifecycle`` wires the services over the platform's own parts; the
gate those services read through must consult the same :class:`ConsentStore`
(``Gate(..., consent=store)``), so an opt-out or a restriction stops reads.
``lifecycle_for`` does both for a platform built before the capability was
wired into ``bootstrap``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.certificates import CertificateService
from privault.app.consent_store import ConsentService, ConsentStore
from privault.app.dsr import DsrService
from privault.app.gate import Gate
from privault.app.minimization import MinimizationService
from privault.app.retention import RetentionService
from privault.app.tenants import TenantService
from privault.app.vault import VaultService
from privault.core.clock import Clock
from privault.keys.hierarchy import KeyHierarchy
from privault.lifecycle.retention import PolicyEntry, parse_policies
from privault.store.uow import UnitOfWork

POLICY_FILE = "retention.yaml"


@dataclass(frozen=True, slots=True)
class Deps:
    """The platform parts every lifecycle service uses."""

    data: UnitOfWork
    keys: KeyHierarchy
    tenants: TenantService
    vault: VaultService
    gate: Gate
    audit: Auditor
    authz: Authorizer
    clock: Clock


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """Every lifecycle service, and the consent port the gate consults."""

    consent_store: ConsentStore
    consent: ConsentService
    certificates: CertificateService
    retention: RetentionService
    dsr: DsrService
    minimization: MinimizationService
    gate: Gate


def build_lifecycle(
    deps: Deps, store: ConsentStore, policies: Sequence[PolicyEntry] = ()
) -> Lifecycle:
    """Wire the lifecycle services (``deps.gate`` must consult ``store``)."""
    consent = ConsentService(deps.data, deps.tenants, deps.audit, deps.authz, deps.clock)
    certificates = CertificateService(deps)
    return Lifecycle(
        consent_store=store,
        consent=consent,
        certificates=certificates,
        retention=RetentionService(deps, certificates, policies),
        dsr=DsrService(deps, consent),
        minimization=MinimizationService(deps),
        gate=deps.gate,
    )


def load_policies(path: Path) -> tuple[PolicyEntry, ...]:
    """Retention policies from a YAML file; none when the file does not exist."""
    if not path.exists():
        return ()
    return parse_policies(path.read_text(encoding="utf-8"), path.name)


def lifecycle_for(platform: Any, policies: Sequence[PolicyEntry] | None = None) -> Lifecycle:
    """The platform's lifecycle; with ``policies``, one over the same parts with those rules."""
    existing: Lifecycle = platform.lifecycle
    if policies is None:
        return existing
    p = platform
    deps = Deps(p.data, p.keys, p.tenants, p.vault, p.gate, p.audit, p.authz, p.clock)
    return build_lifecycle(deps, existing.consent_store, policies)
