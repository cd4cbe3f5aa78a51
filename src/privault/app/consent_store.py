"""Consent and opt-out use cases, and the consent port the gate asks.

:class:`ConsentStore` implements :class:`privault.app.consent.ConsentPolicy`:
the gate refuses a read for a purpose a subject withdrew, and every purpose
but the exempt ones (legal claims, the subject's own requests) for a subject
under a processing restriction. :class:`ConsentService` records choices with
their history (who, when, how) and the Global Privacy Control signal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import Connection

from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.tenants import TenantService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput
from privault.core.ids import new_id
from privault.lifecycle import consent as rules
from privault.lifecycle import dsr_repository as repo
from privault.lifecycle.dsr_repository import ConsentChange
from privault.store.uow import UnitOfWork

GPC_SOURCE = "Sec-GPC: 1"


class ConsentStore:
    """The gate's consent port, answered from the consent and restriction tables."""

    def opted_out(
        self, conn: Connection, tenant_id: str, subject_ids: Iterable[str], purpose: str
    ) -> set[str]:
        """The subjects among ``subject_ids`` who refused ``purpose`` (or are restricted)."""
        subjects = set(subject_ids)
        if not subjects:
            return set()
        withdrawn = repo.withdrawn(conn, tenant_id, subjects)
        restricted = repo.restricted(conn, tenant_id, subjects)
        return rules.refused(subjects, purpose, withdrawn, restricted)


class ConsentService:
    """Record and read consent choices; honour the Global Privacy Control signal."""

    def __init__(
        self,
        data: UnitOfWork,
        tenants: TenantService,
        auditor: Auditor,
        authz: Authorizer,
        clock: Clock,
    ) -> None:
        self._data = data
        self._tenants = tenants
        self._audit = auditor
        self._authz = authz
        self._clock = clock

    def set(
        self,
        ctx: RequestContext,
        tenant: str,
        subject_id: str,
        purpose: str,
        decision: str,
        *,
        method: str = "api",
        source: str = "",
    ) -> ConsentChange:
        """Record a subject's choice for one purpose (the newest choice wins).

        Raises:
            InvalidInput: a bad purpose, decision, method or subject id.
            AccessDenied: the principal may not record consent.

        """
        return self.set_many(ctx, tenant, subject_id, [purpose], decision, method, source)[0]

    def set_many(
        self,
        ctx: RequestContext,
        tenant: str,
        subject_id: str,
        purposes: Iterable[str],
        decision: str,
        method: str,
        source: str,
    ) -> list[ConsentChange]:
        """Record one choice for several purposes in one unit of work."""
        wanted = [rules.check_purpose(p) for p in purposes]
        decision = rules.check_decision(decision)
        method = rules.check_method(method)
        check_subject(subject_id)
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/subjects/{self._audit.hmac(subject_id)}/consent"
        verdict = self._authz.check(ctx, "consent.set", t.id, path)
        now = self._clock.now()
        changes = [
            ConsentChange(
                new_id("cns"),
                t.id,
                subject_id,
                p,
                decision,
                method,
                source[:200],
                ctx.principal.id,
                now,
            )
            for p in wanted
        ]
        with self._data.transaction() as conn:
            for change in changes:
                repo.record_consent(conn, change)
            event = self._audit.event(
                ctx,
                "consent.set",
                path,
                tenant_id=t.id,
                decision=verdict,
                purposes=wanted,
                choice=decision,
                method=method,
            )
            self._audit.write(conn, [event])
        return changes

    def import_rows(
        self,
        ctx: RequestContext,
        tenant: str,
        rows: Iterable[Mapping[str, object]],
        source: str,
    ) -> int:
        """Record many choices at once: all or nothing (a consent-platform export, a CRM list).

        Each row has ``subject``, ``purpose`` and ``decision``, and optionally
        ``method`` (default ``import``) and ``source``. Every row is checked
        before anything is written; an error names the row number and the
        column, never the value.

        Raises:
            InvalidInput: a row breaks a rule (nothing was recorded).
            AccessDenied: the principal may not record consent.

        """
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/consent"
        verdict = self._authz.check(ctx, "consent.set", t.id, path)
        now = self._clock.now()
        changes: list[ConsentChange] = []
        for number, row in enumerate(rows, start=1):
            try:
                subject = check_subject(str(row.get("subject") or ""))
                purpose = rules.check_purpose(str(row.get("purpose") or ""))
                decision = rules.check_decision(str(row.get("decision") or ""))
                method = rules.check_method(str(row.get("method") or "import"))
            except InvalidInput as exc:
                raise InvalidInput(f"row {number}: {exc}") from None
            origin = str(row.get("source") or source)[:200]
            changes.append(
                ConsentChange(
                    new_id("cns"),
                    t.id,
                    subject,
                    purpose,
                    decision,
                    method,
                    origin,
                    ctx.principal.id,
                    now,
                )
            )
        with self._data.transaction() as conn:
            for change in changes:
                repo.record_consent(conn, change)
            event = self._audit.event(
                ctx, "consent.import", path, tenant_id=t.id, decision=verdict, rows=len(changes)
            )
            self._audit.write(conn, [event])
        return len(changes)

    def record_gpc(
        self, ctx: RequestContext, tenant: str, subject_id: str, source: str = GPC_SOURCE
    ) -> list[ConsentChange]:
        """Honour a Global Privacy Control signal: opt the subject out of sale and share.

        The REST API calls this when a request of a known subject carries
        ``Sec-GPC: 1``; recording it again is harmless (the history shows each).
        """
        return self.set_many(
            ctx, tenant, subject_id, rules.GPC_PURPOSES, "withdrawn", "gpc", source
        )

    def current(
        self, ctx: RequestContext, tenant: str, subject_id: str | None = None
    ) -> list[tuple[str, str, str, datetime]]:
        """Current choices (subject, purpose, decision, since) of a tenant or one subject."""
        t = self._tenants.get(tenant)
        self._authz.check(ctx, "consent.read", t.id, f"tenants/{t.slug}/consent")
        with self._data.read() as conn:
            return repo.current_consent(conn, t.id, subject_id)

    def history(
        self, ctx: RequestContext, tenant: str, subject_id: str | None = None
    ) -> list[ConsentChange]:
        """Every recorded choice, oldest first (who, when, how)."""
        t = self._tenants.get(tenant)
        self._authz.check(ctx, "consent.read", t.id, f"tenants/{t.slug}/consent")
        with self._data.read() as conn:
            return repo.consent_changes(conn, t.id, subject_id)


def check_subject(subject_id: str) -> str:
    """Validate a subject id: the vault's opaque ids are short, printable, without spaces.

    Raises:
        InvalidInput: a malformed id (the message never echoes it).

    """
    if not subject_id or len(subject_id) > 128 or not subject_id.isprintable() or " " in subject_id:
        raise InvalidInput("a subject id is 1-128 printable characters without spaces")
    return subject_id
