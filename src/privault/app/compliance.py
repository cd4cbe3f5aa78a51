"""Compliance use cases: run the control checks on the live platform, score, report.

Checks are read-only: :class:`PlatformView` reads facts through the platform's
services (each authorized and, where they audit, audited as usual) and the
vault's read functions (ciphertext headers only; nothing is decrypted). Each
run is written to the trail as a ``compliance.run`` event holding the score
and the failing controls; the trend reads those events back.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from privault.access import repository as access_repo
from privault.app import server_state
from privault.audit import repository as audit_repo
from privault.compliance import catalogue as cat
from privault.compliance.checks import CheckContext, CheckRegistry, CheckResult, default_registry
from privault.compliance.facts import (
    AuditFact,
    DsrFact,
    EnvelopeStats,
    IncidentFact,
    KeyFact,
    PiiLocation,
    RetentionFact,
    Settings,
    StorageFact,
    UserFact,
)
from privault.compliance.scoring import Assessment, TrendPoint, assess
from privault.compliance.training import parse_training_csv
from privault.compliance.transparency import (
    CollectedField,
    CollectedType,
    TransparencyFacts,
    right_statements,
)
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput
from privault.lifecycle.dsr import KINDS
from privault.vault import repository as vault_repo
from privault.vault.repository import Tenant
from privault.vault.sealing import ENVELOPE_HEADER

if TYPE_CHECKING:
    from privault.app.bootstrap import Platform

SETTINGS_FILE = "compliance.yaml"
RUN_ACTION = "compliance.run"
_PAGE = 500
_PROTECTED_SCHEMES = ("vault:", "privault:")


def load_settings(data_dir: Path, **override: Any) -> Settings:
    """Settings from ``compliance.yaml`` in the data dir, then ``override`` (non-None only).

    ``training_csv`` (a path, in the file or as an override) is read and parsed.

    Raises:
        InvalidInput: malformed file or training CSV.

    """
    path = data_dir / SETTINGS_FILE
    raw: dict[str, Any] = {}
    if path.exists():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise InvalidInput(f"{SETTINGS_FILE}: expected a mapping")
        raw = loaded
    raw.update({k: v for k, v in override.items() if v is not None})
    csv_path = raw.pop("training_csv", None)
    if csv_path is not None:
        raw["training"] = parse_training_csv(Path(csv_path).read_text(encoding="utf-8"))
    raw["staff"] = tuple(raw.get("staff", ()))
    names = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(raw) - names)
    if unknown:
        raise InvalidInput(f"{SETTINGS_FILE}: unknown setting(s) {', '.join(unknown)}")
    return Settings(**raw)


class PlatformView:
    """The read-only facade the checks see, over a platform's services."""

    def __init__(self, platform: Platform, ctx: RequestContext, settings: Settings) -> None:
        self._p = platform
        self._ctx = ctx
        self.settings = settings

    def now(self) -> datetime:
        """The platform clock's time."""
        now: datetime = self._p.clock.now()
        return now

    def _tenants(self, tenant: str | None) -> list[Tenant]:
        if tenant is not None:
            return [self._p.tenants.get(tenant)]
        return list(self._p.tenants.visible(self._ctx))

    def storage(self) -> StorageFact:
        """Stores apart or not, and what the last server recorded about TLS."""
        settings = self._p.settings
        state = server_state.read(Path(settings.data_dir))
        separate = settings.resolved_keystore_url != settings.resolved_database_url
        return StorageFact(separate, state.tls if state else None, state.host if state else None)

    def vault_envelopes(self, tenant: str | None) -> EnvelopeStats:
        """Walk every stored field's ciphertext and check its envelope header."""
        self._p.authz.check(self._ctx, "compliance.run", None, "compliance")
        fields = records = 0
        bad: list[tuple[str, str]] = []
        for t in self._tenants(tenant):
            after: str | None = None
            while True:
                with self._p.data.transaction() as conn:
                    ids = vault_repo.page_record_ids(conn, t.id, None, after, _PAGE)
                    stored = vault_repo.load_records(conn, t.id, ids) if ids else []
                if not ids:
                    break
                for rec in stored:
                    records += 1
                    for name, (ct, _tok) in rec.fields.items():
                        fields += 1
                        if not ct.startswith(ENVELOPE_HEADER):
                            bad.append((rec.id, name))
                after = ids[-1]
        return EnvelopeStats(fields, records, tuple(bad))

    def discovered_pii(self, tenant: str | None) -> list[PiiLocation]:
        """PII columns of each tenant's data map."""
        out: list[PiiLocation] = []
        for t in self._tenants(tenant):
            for ds in self._p.discovery.data_map(self._ctx, t.slug):
                protected = ds.source.startswith(_PROTECTED_SCHEMES)
                for col in ds.columns:
                    types = tuple(
                        sorted({*([col.pii_type] if col.pii_type else []), *col.freeform_pii})
                    )
                    if types:
                        out.append(PiiLocation(ds.source, ds.name, col.name, types, protected))
        return out

    def users(self) -> list[UserFact]:
        """Active accounts with their role grants."""
        users = [u for u in self._p.identity.list_users(self._ctx) if u.status == "active"]
        with self._p.data.transaction() as conn:
            grants = {u.id: access_repo.grants_of(conn, u.id) for u in users}
        return [
            UserFact(
                u.username,
                u.kind,
                tuple(sorted({r for r, _t, _at in grants[u.id]})),
                u.mfa_enrolled_at is not None,
            )
            for u in users
        ]

    def unused_grants(self, days: int) -> list[tuple[str, str]]:
        """Unused grants from the least-privilege report."""
        findings = self._p.access.report(self._ctx, days)
        return [(f.user, f.detail) for f in findings if f.kind == "unused-grant"]

    def keys(self) -> list[KeyFact]:
        """The current, unretired version of each key."""
        return [
            KeyFact(k.scope, k.purpose, k.version, k.age_days, k.created_at)
            for k in self._p.key_admin.status(self._ctx)
            if k.current and not k.retired
        ]

    def audit(self) -> AuditFact:
        """Verify the trail; read its first and last event times."""
        report = self._p.trail.verify(self._ctx)
        with self._p.data.transaction() as conn:
            first, _cursor = audit_repo.scan_page(conn, audit_repo.EventFilter(), None, 1)
            last = audit_repo.search(conn, limit=1)
        return AuditFact(
            report.events,
            report.chains,
            report.checkpoints,
            len(report.problems),
            first[0].event.ts if first else None,
            last[0].ts if last else None,
        )

    def retention(self, tenant: str | None) -> list[RetentionFact]:
        """Each record type's retention rule (policies, then schema retention)."""
        svc = self._p.lifecycle.retention
        out: list[RetentionFact] = []
        for t in self._tenants(tenant):
            rules = svc.rules(t, svc.policies)
            for schema, _version in self._p.tenants.schemas(t.id):
                rule = rules.get(schema.record_type)
                out.append(
                    RetentionFact(
                        t.slug,
                        schema.record_type,
                        schema.category,
                        f"{rule.keep} after {rule.after}" if rule else None,
                        rule.source if rule else None,
                    )
                )
        return out

    def dsrs(self, tenant: str | None) -> list[DsrFact]:
        """The DSR register."""
        return [
            DsrFact(r.id, r.kind, r.state, r.due_on, r.closed_at.date() if r.closed_at else None)
            for r in self._p.lifecycle.dsr.list(self._ctx, tenant)
        ]

    def incidents(self, tenant: str | None) -> list[IncidentFact] | None:
        """Incidents with the earliest notification duty still pending."""
        tenant_id = self._p.tenants.get(tenant).id if tenant else None
        out = []
        for incident in self._p.incidents.list_incidents(self._ctx):
            if tenant_id is not None and incident.tenant_id not in (None, tenant_id):
                continue
            pending = [
                c["due"]
                for c in self._p.incidents.clocks(self._ctx, incident.id)
                if c["status"] in ("open", "due-soon", "overdue") and c["due"]
            ]
            deadline = min((datetime.fromisoformat(d) for d in pending), default=None)
            out.append(IncidentFact(incident.id, incident.state != "closed", deadline))
        return out


class ComplianceService:
    """Runs checks, scores them, records runs, reads the trend back."""

    def __init__(
        self,
        platform: Platform,
        settings: Settings | None = None,
        registry: CheckRegistry | None = None,
    ) -> None:
        self._p = platform
        self.settings = settings or load_settings(platform.settings.data_dir)
        self.registry = registry or default_registry()
        self.controls = cat.load_catalogue()

    def check(
        self, ctx: RequestContext, framework: str | None = None, tenant: str | None = None
    ) -> Assessment:
        """Run the checks of ``framework``'s controls; audit the run with its score."""
        t = self._p.tenants.get(tenant) if tenant else None
        tid, path = (t.id, f"tenants/{t.slug}/compliance") if t else (None, "compliance")
        decision = self._p.authz.check(ctx, RUN_ACTION, tid, path)
        fw = cat.framework(framework) if framework else None
        controls = cat.controls_for(self.controls, fw)
        view = PlatformView(self._p, ctx, self.settings)
        cctx = CheckContext(t.slug if t else None, view.now())
        results: dict[str, CheckResult] = {}
        for name in dict.fromkeys(c.check for c in controls):
            results[name] = self.registry.run(name, cctx, view)
        a = assess(controls, results, framework=fw, tenant=cctx.tenant, at=cctx.now)
        event = self._p.audit.event(
            ctx,
            RUN_ACTION,
            path,
            tenant_id=tid,
            decision=decision,
            framework=fw or "all",
            score=a.score,
            level=a.level,
            failing=a.failing,
        )
        self._p.audit.write_now([event])
        return dataclasses.replace(a, audit_ref=event.id)

    def trend(
        self,
        ctx: RequestContext,
        framework: str | None = None,
        tenant: str | None = None,
        limit: int = 50,
    ) -> list[TrendPoint]:
        """Earlier runs' scores for this scope and framework, oldest first."""
        t = self._p.tenants.get(tenant) if tenant else None
        path = f"tenants/{t.slug}/compliance" if t else "compliance"
        self._p.authz.check(ctx, "compliance.read", t.id if t else None, path)
        fw = cat.framework(framework) if framework else "all"
        where = audit_repo.EventFilter(action=RUN_ACTION, resource=path)
        events = self._p.audit.search(limit=limit * 4, where=where)
        points = [
            TrendPoint(
                e.ts, int(e.detail.get("score", 0)), tuple(e.detail.get("failing", ())), e.id
            )
            for e in events
            if e.detail.get("framework") == fw and e.resource == path
        ]
        return sorted(points[:limit], key=lambda p: p.at)

    def transparency(
        self, ctx: RequestContext, tenant: str, contact: str | None = None
    ) -> TransparencyFacts:
        """The transparency page's facts: configuration, and protections the checks confirm."""
        t = self._p.tenants.get(tenant)
        self._p.authz.check(ctx, "compliance.read", t.id, f"tenants/{t.slug}/compliance")
        view = PlatformView(self._p, ctx, self.settings)
        retention = {f.record_type: f.keep for f in view.retention(t.slug)}
        collected = tuple(
            CollectedType(
                s.record_type,
                s.category,
                s.description,
                tuple(
                    CollectedField(n, f.category or s.category, f.pii, f.purpose)
                    for n, f in s.fields.items()
                ),
                retention.get(s.record_type),
            )
            for s, _version in self._p.tenants.schemas(t.id)
        )
        return TransparencyFacts(
            organisation=t.name,
            generated_at=view.now(),
            collected=collected,
            protections=self._protections(t.slug, view),
            rights=right_statements(KINDS),
            contact=contact or self.settings.contact,
        )

    def _protections(self, tenant: str, view: PlatformView) -> tuple[str, ...]:
        """Protection statements, each only when its check passes now."""
        cctx = CheckContext(tenant, view.now())
        statements = {
            "vault-fields-encrypted": "Every piece of your data we store is encrypted "
            "(AES-256-GCM) under a key of its own for you.",
            "mfa-privileged-users": "Staff with administrative access sign in with "
            "a second factor.",
            "audit-chain-verifies": "Every access to your data is recorded in a "
            "tamper-evident audit trail, which verifies.",
            "keys-rotated": "Encryption keys are rotated at least every "
            f"{self.settings.max_key_age_days} days.",
            "tls-in-transit": "Data sent to and from our service is encrypted in transit (TLS).",
        }
        out = [
            "Staff see only the data their role and purpose allow; reads are decided "
            "by an access policy before any data is decrypted."
        ]
        for name, text in statements.items():
            if self.registry.run(name, cctx, view).status == "pass":
                out.append(text)
        return tuple(out)
