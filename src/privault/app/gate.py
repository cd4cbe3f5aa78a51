"""The gate: the one path from vault ciphertext to a caller.

    principal → policy decision → audit event written (fail-closed) → decrypt → view mode

Invariant: the audit event is committed *before* anything is decrypted; if
it cannot be written the read fails and nothing is decrypted. Only this
module imports :mod:`privault.vault.opening` (an import-linter contract).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from privault.access.policy import Decision, FieldView
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.consent import ConsentPolicy, NoOptOuts
from privault.app.fieldcodec import FieldCodec
from privault.app.freeze import FreezePolicy
from privault.app.tenants import TenantService
from privault.app.vault import VaultService
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied, InvalidInput, KeyDestroyed, NotFound
from privault.crypto._primitives import Aead
from privault.keys.hierarchy import KeyHierarchy
from privault.store.uow import UnitOfWork
from privault.vault import repository as repo
from privault.vault.opening import fpe_detoken, open_field, open_token_value
from privault.vault.schema import FieldSpec, decode
from privault.vault.sealing import blind_index
from privault.vault.tokens import DETERMINISTIC_PREFIX, RANDOM_PREFIX, token_aad
from privault.vault.views import VIEW_MODES, mask_value, redact_value


@dataclass(frozen=True, slots=True)
class RecordView:
    """A record as one reader may see it."""

    id: str
    record_type: str
    subject_id: str
    view: str
    fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    views: dict[str, str]  # the view each field was shown in (role caps, purpose)


def _check(purpose: str, view: str) -> None:
    if not purpose or not purpose.strip():
        raise InvalidInput("a purpose is required to read vault records (e.g. --purpose support)")
    if view not in VIEW_MODES:
        raise InvalidInput(f"unknown view mode {view!r}; valid: {', '.join(VIEW_MODES)}")


class Gate:
    """Gated reads of vault records and tokens."""

    def __init__(
        self,
        data: UnitOfWork,
        keys: KeyHierarchy,
        tenants: TenantService,
        vault: VaultService,
        auditor: Auditor,
        authz: Authorizer,
        consent: ConsentPolicy | None = None,
        freezes: FreezePolicy | None = None,
    ) -> None:
        self._data = data
        self._keys = keys
        self._tenants = tenants
        self._vault = vault
        self._audit = auditor
        self._authz = authz
        self._consent: ConsentPolicy = consent or NoOptOuts()
        self._freezes = freezes

    def read(
        self,
        ctx: RequestContext,
        tenant: str,
        record_ids: Sequence[str],
        *,
        purpose: str,
        view: str = "masked",
        fields: Sequence[str] | None = None,
        action: str = "record.read",
    ) -> list[RecordView]:
        """Read records by id through the gate.

        Raises:
            InvalidInput: no purpose, unknown view mode or field.
            AccessDenied: the policy said no (the denial is audited).
            NotFound: an id is not a record of this tenant.
            KeyDestroyed: a record's data key was shredded.

        """
        _check(purpose, view)
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/records"
        decision = self._authz.check(ctx, action, t.id, path, purpose)
        # One snapshot: the records, their subjects' consent, their schemas.
        with self._data.read() as conn:
            stored = repo.load_records(conn, t.id, list(record_ids))
            if len(stored) != len(set(record_ids)):
                missing = sorted(set(record_ids) - {s.id for s in stored})
                raise NotFound(f"no record(s) {', '.join(missing[:5])} in tenant {t.slug}")
            refused = self._consent.opted_out(conn, t.id, {s.subject_id for s in stored}, purpose)
            codecs = self._codecs(conn, t.id, stored, fields) if not refused else {}
        if refused:
            self._refuse_opted_out(ctx, t.id, path, stored, refused, action, purpose)
        if action == "record.export":
            self._refuse_frozen(ctx, t.id, path, purpose)
        views = self._views(ctx, t.id, codecs, view, purpose)
        applied = {
            f"{rt}.{n}": v.view for rt, vs in views.items() for n, v in vs.items() if v.view != view
        }
        # Fail closed: the event is committed before anything is decrypted.
        with self._data.transaction() as conn:
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        action,
                        path,
                        tenant_id=t.id,
                        decision=decision,
                        purpose=purpose,
                        view=view,
                        records=[s.id for s in stored],
                        fields=sorted(fields) if fields else "*",
                        views=applied,
                    )
                ],
            )
        return self._decrypt(t.id, stored, codecs, views, fields, view)

    def _consenting(self, tenant_id: str, ids: list[str], purpose: str) -> list[str]:
        """Drop records whose subject opted out of ``purpose`` (lists and exports)."""
        if not ids:
            return ids
        with self._data.read() as conn:
            subjects = repo.record_subjects(conn, tenant_id, ids)
            refused = self._consent.opted_out(conn, tenant_id, set(subjects.values()), purpose)
        return [i for i in ids if subjects.get(i) not in refused] if refused else ids

    def _refuse_frozen(self, ctx: RequestContext, tenant_id: str, path: str, purpose: str) -> None:
        """Refuse (and audit) an export while incident containment froze the tenant."""
        if self._freezes is None or not self._freezes.exports_frozen(tenant_id):
            return
        decision = Decision(False, "incident-freeze", "exports of this tenant are frozen")
        self._audit.write_now(
            [
                self._audit.event(
                    ctx,
                    "record.export",
                    path,
                    tenant_id=tenant_id,
                    decision=decision,
                    purpose=purpose,
                )
            ]
        )
        raise AccessDenied(
            f"record.export denied ({decision.rule}: {decision.reason})", rule=decision.rule
        )

    def _refuse_opted_out(
        self,
        ctx: RequestContext,
        tenant_id: str,
        path: str,
        stored: list[repo.StoredRecord],
        refused: set[str],
        action: str,
        purpose: str,
    ) -> None:
        """Refuse (and audit) a read for a purpose the ``refused`` subjects opted out of."""
        decision = Decision(
            False, "consent-opt-out", f"{len(refused)} data subject(s) opted out of {purpose!r}"
        )
        self._audit.write_now(
            [
                self._audit.event(
                    ctx,
                    action,
                    path,
                    tenant_id=tenant_id,
                    decision=decision,
                    purpose=purpose,
                    records=[s.id for s in stored if s.subject_id in refused],
                )
            ]
        )
        raise AccessDenied(
            f"{action} denied ({decision.rule}: {decision.reason})", rule=decision.rule
        )

    def _codecs(
        self,
        conn: Connection,
        tenant_id: str,
        stored: list[repo.StoredRecord],
        fields: Sequence[str] | None,
    ) -> dict[str, FieldCodec]:
        """One codec per record type read; unknown requested fields raise here."""
        codecs = {}
        for rtype in {s.record_type for s in stored}:
            codec = codecs[rtype] = self._vault.codec_in(conn, tenant_id, rtype)
            for name in fields or ():
                codec.schema.field(name)
        return codecs

    def _views(
        self,
        ctx: RequestContext,
        tenant_id: str,
        codecs: dict[str, FieldCodec],
        requested: str,
        purpose: str,
    ) -> dict[str, dict[str, FieldView]]:
        """Per record type and field: the view this principal gets (role caps, purpose)."""
        return {
            rtype: self._authz.field_views(
                ctx,
                tenant_id,
                {
                    name: (plan.scope, plan.spec.pii, plan.spec.purpose)
                    for name, plan in codec.plans.items()
                },
                requested,
                purpose,
            )
            for rtype, codec in codecs.items()
        }

    def _decrypt(
        self,
        tenant_id: str,
        stored: list[repo.StoredRecord],
        codecs: dict[str, FieldCodec],
        views: dict[str, dict[str, FieldView]],
        fields: Sequence[str] | None,
        requested: str,
    ) -> list[RecordView]:
        ciphers = self._keys.subject_ciphers(
            tenant_id, {s.subject_id for s in stored}, create=False
        )
        out = []
        for rec in stored:
            aead = ciphers.get(rec.subject_id)
            if aead is None:
                raise KeyDestroyed(f"record {rec.id}: its data subject was crypto-shredded")
            codec = codecs[rec.record_type]
            record_views = views[rec.record_type]
            record_aad = codec.record_aad(rec.id)
            values: dict[str, Any] = {}
            for name in fields or codec.schema.fields:
                view = record_views[name].view
                if name not in rec.fields or view == "none":
                    continue
                plan = codec.plans[name]
                envelope, token = rec.fields[name]
                text = open_field(aead, envelope, record_aad + plan.aad_suffix)
                if view == "token" and token is None:
                    token = codec.view_token(name, text)
                values[name] = _view(view, text, plan.spec, plan.category, token)
            applied = {n: record_views[n].view for n in values}
            out.append(
                RecordView(
                    rec.id,
                    rec.record_type,
                    rec.subject_id,
                    requested,
                    values,
                    rec.created_at,
                    rec.updated_at,
                    applied,
                )
            )
        return out

    def page(
        self,
        ctx: RequestContext,
        tenant: str,
        record_type: str | None = None,
        *,
        purpose: str,
        view: str = "masked",
        after: str | None = None,
        limit: int = 100,
        fields: Sequence[str] | None = None,
    ) -> list[RecordView]:
        """A page of records (keyset pagination by id)."""
        _check(purpose, view)
        t = self._tenants.get(tenant)
        # Authorize before listing: even an empty page tells something.
        self._authz.check(ctx, "record.read", t.id, f"tenants/{t.slug}/records", purpose)
        with self._data.read() as conn:
            ids = repo.page_record_ids(conn, t.id, record_type, after, limit)
        ids = self._consenting(t.id, ids, purpose)
        return self.read(ctx, tenant, ids, purpose=purpose, view=view, fields=fields) if ids else []

    def pages(
        self,
        ctx: RequestContext,
        tenant: str,
        record_type: str | None,
        *,
        purpose: str,
        view: str,
        page_size: int = 1000,
    ) -> Iterator[list[RecordView]]:
        """Every record, page by page, each page one gated read (``record.export``)."""
        after: str | None = None
        t = self._tenants.get(tenant)
        self._authz.check(ctx, "record.export", t.id, f"tenants/{t.slug}/records", purpose)
        self._refuse_frozen(ctx, t.id, f"tenants/{t.slug}/records", purpose)
        while True:
            with self._data.read() as conn:
                ids = repo.page_record_ids(conn, t.id, record_type, after, page_size)
            kept = self._consenting(t.id, ids, purpose)
            if not ids:
                return
            if kept:
                yield self.read(
                    ctx, tenant, kept, purpose=purpose, view=view, action="record.export"
                )
            after = ids[-1]

    def find(
        self,
        ctx: RequestContext,
        tenant: str,
        record_type: str,
        field: str,
        value: str,
        *,
        purpose: str,
        view: str = "masked",
        fields: Sequence[str] | None = None,
    ) -> list[RecordView]:
        """Equality search on a searchable field through its blind index."""
        _check(purpose, view)
        t = self._tenants.get(tenant)
        codec = self._vault.codec(t.id, record_type)
        plan = codec.plans.get(field)
        if plan is None or plan.index_key is None:
            codec.schema.field(field)  # raises for an unknown field
            raise InvalidInput(f"field {field!r} is not searchable (declare searchable: true)")
        index = blind_index(plan.index_key, value, plan.spec.pii)
        with self._data.read() as conn:
            ids = repo.find_by_index(conn, t.id, record_type, field, index)
        if not ids:
            self._authz.check(ctx, "record.find", t.id, f"tenants/{t.slug}/records", purpose)
            return []
        return self.read(
            ctx, tenant, ids, purpose=purpose, view=view, action="record.find", fields=fields
        )

    def detokenize(
        self,
        ctx: RequestContext,
        tenant: str,
        tokens: Sequence[str],
        *,
        purpose: str,
        scope: str | None = None,
        pii: str | None = None,
    ) -> list[str]:
        """Turn tokens back into values (random, deterministic, or FPE with scope+pii)."""
        _check(purpose, "plain")
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/tokens"
        decision = self._authz.check(ctx, "token.detokenize", t.id, path, purpose)
        stored = [tk for tk in tokens if tk.startswith((RANDOM_PREFIX, DETERMINISTIC_PREFIX))]
        with self._data.read() as conn:
            rows = repo.get_tokens(conn, t.id, stored)
        missing = set(stored) - set(rows)
        if missing:
            raise NotFound(f"{len(missing)} unknown token(s) (never issued, or shredded)")
        with self._data.transaction() as conn:
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "token.detokenize",
                        path,
                        tenant_id=t.id,
                        decision=decision,
                        purpose=purpose,
                        count=len(tokens),
                        scope=scope,
                    )
                ],
            )
        owners = {str(r["subject_id"]) for r in rows.values()}
        ciphers = self._keys.subject_ciphers(t.id, owners, create=False)
        return [self._detoken_one(t.id, tk, rows.get(tk), ciphers, scope, pii) for tk in tokens]

    def _detoken_one(
        self,
        tenant_id: str,
        token: str,
        row: dict[str, Any] | None,
        ciphers: dict[str, Aead],
        scope: str | None,
        pii: str | None,
    ) -> str:
        if row is not None:
            aead = ciphers.get(str(row["subject_id"]))
            if aead is None:
                raise KeyDestroyed("the token's data subject was crypto-shredded")
            return open_token_value(aead, bytes(row["ciphertext"]), token_aad(tenant_id, token))
        if not scope:
            raise InvalidInput("format-preserving tokens need --scope (record_type.field)")
        return fpe_detoken(*self._fpe_key(tenant_id, scope, pii), token)

    def _fpe_key(self, tenant_id: str, scope: str, pii: str | None) -> tuple[bytes, str, str]:
        rtype, _, field = scope.partition(".")
        plan = None
        if field:
            try:
                plan = self._vault.codec(tenant_id, rtype).plans.get(field)
            except NotFound:
                plan = None
        if plan is not None and plan.spec.tokenize == "fpe" and plan.token_key:
            return plan.token_key, plan.scope, plan.spec.pii or ""
        if not pii:
            raise InvalidInput("give the PII type (--pii) for a free-standing FPE scope")
        return self._keys.derived_key(tenant_id, "token", f"fpe/_scope/{scope}"), scope, pii


def _view(view: str, text: str, spec: FieldSpec, category: str, token: str | None) -> Any:
    if view == "plain":
        return decode(spec.type, text)
    if view == "masked":
        return mask_value(text, spec.pii, category)
    if view == "token":
        return token
    return redact_value(spec.pii)
