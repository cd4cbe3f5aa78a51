"""Vault writes: put, import, update, delete, shred, tokenize.

Reads (and everything else that decrypts) go through :mod:`privault.app.gate`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Connection

from privault.access.policy import Decision
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.fieldcodec import FieldCodec
from privault.app.tenants import TenantService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import Conflict, InvalidInput, KeyDestroyed, NotFound
from privault.core.ids import new_id
from privault.keys.hierarchy import KeyHierarchy
from privault.store.uow import UnitOfWork
from privault.vault import repository as repo
from privault.vault import tokens as tok
from privault.vault.repository import FieldRow
from privault.vault.sealing import normalize_for_index

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ShredResult:
    """What a crypto-shred destroyed."""

    subject_id: str
    key_destroyed: bool
    records_deleted: int
    tokens_deleted: int


class VaultService:
    """Writes to the vault. Every method authorizes, acts and audits in one transaction."""

    def __init__(
        self,
        data: UnitOfWork,
        keys: KeyHierarchy,
        tenants: TenantService,
        auditor: Auditor,
        authz: Authorizer,
        clock: Clock,
    ) -> None:
        self._data = data
        self._keys = keys
        self._tenants = tenants
        self._audit = auditor
        self._authz = authz
        self._clock = clock
        self._codecs: dict[tuple[str, str, int], FieldCodec] = {}

    def codec(self, tenant_id: str, record_type: str) -> FieldCodec:
        """The (cached) field codec of a record type's current schema."""
        with self._data.read() as conn:
            return self.codec_in(conn, tenant_id, record_type)

    def codec_in(self, conn: Connection, tenant_id: str, record_type: str) -> FieldCodec:
        """:meth:`codec`, reading the schema version on ``conn``."""
        schema, version = self._tenants.schema_in(conn, tenant_id, record_type)
        key = (tenant_id, record_type, version)
        if key not in self._codecs:
            self._codecs[key] = FieldCodec(self._keys, tenant_id, schema)
        return self._codecs[key]

    def put(
        self, ctx: RequestContext, tenant: str, record_type: str, values: Mapping[str, Any]
    ) -> str:
        """Store one record; return its id."""
        return self.put_many(ctx, tenant, record_type, [values])[0]

    def put_many(
        self,
        ctx: RequestContext,
        tenant: str,
        record_type: str,
        items: Iterable[Mapping[str, Any]],
        *,
        batch_size: int = 1000,
        progress: Progress | None = None,
    ) -> list[str]:
        """Store many records, all or nothing, in one transaction.

        Raises:
            InvalidInput: ``line N: …`` for the first bad item (nothing is written).
            Conflict: a record names a subject that was crypto-shredded.

        """
        numbered = ((n, item) for n, item in enumerate(items, start=1))
        return self.put_numbered(
            ctx, tenant, record_type, numbered, batch_size=batch_size, progress=progress
        )

    def put_numbered(
        self,
        ctx: RequestContext,
        tenant: str,
        record_type: str,
        items: Iterable[tuple[int, Mapping[str, Any]]],
        *,
        batch_size: int = 1000,
        progress: Progress | None = None,
    ) -> list[str]:
        """Like :meth:`put_many` for items that carry their own line numbers."""
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/records/{record_type}"
        decision = self._authz.check(ctx, "record.write", t.id, path)
        codec = self.codec(t.id, record_type)
        ids: list[str] = []
        it = iter(items)
        with self._data.transaction() as conn:
            while batch := list(islice(it, batch_size)):
                ids += self._write_batch(conn, ctx, codec, batch, decision, path)
                if progress is not None:
                    progress(len(batch))
        return ids

    def _write_batch(
        self,
        conn: Connection,
        ctx: RequestContext,
        codec: FieldCodec,
        batch: list[tuple[int, Mapping[str, Any]]],
        decision: Decision,
        path: str,
    ) -> list[str]:
        prepared = []
        for line, item in batch:
            try:
                values = codec.validate(item)
                rid = new_id("rec")
                prepared.append((rid, codec.subject_of(rid, values), values))
            except InvalidInput as exc:
                raise InvalidInput(f"line {line}: {exc.message}", line=line) from None
        tenant_id = codec.tenant_id
        subjects = {s for _r, s, _v in prepared}
        gone = repo.shredded(conn, tenant_id, subjects)
        if gone:
            raise Conflict(
                f"{len(gone)} record(s) name a data subject that was "
                "crypto-shredded; a shredded subject cannot be re-created"
            )
        ciphers = self._keys.subject_ciphers(tenant_id, subjects, create=True)
        now = self._clock.now()
        rec_rows: list[dict[str, Any]] = []
        field_rows: list[FieldRow] = []
        token_rows: list[dict[str, Any]] = []
        for rid, subject, values in prepared:
            rec_rows.append(
                {
                    "id": rid,
                    "tenant_id": tenant_id,
                    "record_type": codec.schema.record_type,
                    "subject_id": subject,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            field_rows += codec.encode(ciphers[subject], rid, subject, values, token_rows, now)
        repo.insert_records(conn, rec_rows, field_rows)
        repo.put_tokens(conn, token_rows)
        ids = [r for r, _s, _v in prepared]
        self._audit.write(
            conn,
            [
                self._audit.event(
                    ctx,
                    "record.write",
                    path,
                    tenant_id=tenant_id,
                    decision=decision,
                    count=len(ids),
                    records=ids,
                )
            ],
        )
        return ids

    def update(
        self, ctx: RequestContext, tenant: str, record_id: str, changes: Mapping[str, Any]
    ) -> None:
        """Overwrite some fields of a record."""
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/records/{record_id}"
        decision = self._authz.check(ctx, "record.update", t.id, path)
        with self._data.transaction() as conn:
            found = repo.load_records(conn, t.id, [record_id])
        if not found:
            raise NotFound(f"no record {record_id} in tenant {t.slug}")
        rec = found[0]
        # Everything that reads other tables happens before the write
        # transaction (SQLite: a second transaction would wait on this one).
        codec = self.codec(t.id, rec.record_type)
        values = codec.validate(changes, partial=True)
        cipher = self._keys.subject_ciphers(t.id, [rec.subject_id], create=False)
        if rec.subject_id not in cipher:
            raise KeyDestroyed(f"record {record_id}'s data key was destroyed")
        token_rows: list[dict[str, Any]] = []
        now = self._clock.now()
        rows = codec.encode(cipher[rec.subject_id], rec.id, rec.subject_id, values, token_rows, now)
        with self._data.transaction() as conn:
            repo.replace_fields(conn, rec.id, rows, now)
            repo.put_tokens(conn, token_rows)
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "record.update",
                        path,
                        tenant_id=t.id,
                        decision=decision,
                        fields=sorted(values),
                    )
                ],
            )

    def delete(self, ctx: RequestContext, tenant: str, record_id: str) -> None:
        """Delete one record (its subject's key stays; see :meth:`shred`)."""
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/records/{record_id}"
        decision = self._authz.check(ctx, "record.delete", t.id, path)
        with self._data.transaction() as conn:
            if not repo.load_records(conn, t.id, [record_id]):
                raise NotFound(f"no record {record_id} in tenant {t.slug}")
            repo.delete_records(conn, [record_id])
            self._audit.write(
                conn,
                [self._audit.event(ctx, "record.delete", path, tenant_id=t.id, decision=decision)],
            )

    def shred(self, ctx: RequestContext, tenant: str, subject_id: str) -> ShredResult:
        """Crypto-shred a data subject: destroy its key, delete its records and tokens.

        The data store is changed and audited first; then the key is destroyed.
        Shredding again is safe and retries a key destruction that failed.
        """
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/subjects/{self._audit.hmac(subject_id)}"
        decision = self._authz.check(ctx, "subject.shred", t.id, path)
        with self._data.transaction() as conn:
            ids = repo.subject_record_ids(conn, t.id, subject_id)
            deleted = repo.delete_records(conn, ids)
            tokens = repo.delete_subject_tokens(conn, t.id, subject_id)
            if not repo.shredded(conn, t.id, [subject_id]):
                repo.mark_shredded(conn, t.id, subject_id, self._clock.now(), deleted)
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "subject.shred",
                        path,
                        tenant_id=t.id,
                        decision=decision,
                        records=ids,
                        tokens=tokens,
                    )
                ],
            )
        destroyed = self._keys.shred_subject(t.id, subject_id)
        return ShredResult(subject_id, destroyed, deleted, tokens)

    def tokenize(
        self,
        ctx: RequestContext,
        tenant: str,
        values: list[str],
        *,
        kind: str,
        scope: str,
        pii: str | None = None,
    ) -> list[str]:
        """Tokenize free values (not vault records) under a named scope.

        Random and deterministic tokens are stored for detokenization under a
        scope key of their own; FPE tokens need ``pii`` and store nothing.
        """
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/tokens/{scope}"
        decision = self._authz.check(ctx, "token.create", t.id, path)
        key = self._keys.derived_key(t.id, "token", f"{kind}/_scope/{scope}")
        if kind == "fpe":
            out = [tok.fpe_token(key, scope, pii or "", v) for v in values]
            rows: list[dict[str, Any]] = []
        elif kind in ("random", "deterministic"):
            out, rows = self._stored_tokens(t.id, values, kind, scope, key)
        else:
            raise InvalidInput(f"unknown token kind {kind!r}; valid: random, deterministic, fpe")
        with self._data.transaction() as conn:
            repo.put_tokens(conn, rows)
            self._audit.write(
                conn,
                [
                    self._audit.event(
                        ctx,
                        "token.create",
                        path,
                        tenant_id=t.id,
                        decision=decision,
                        kind=kind,
                        count=len(values),
                    )
                ],
            )
        return out

    def _stored_tokens(
        self, tenant_id: str, values: list[str], kind: str, scope: str, key: bytes
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Tokens for ``values`` and the rows to store.

        Deterministic tokens stored already are not sealed again
        (:func:`repo.put_tokens` re-checks inside the write).
        """
        if kind == "random":
            out = [tok.random_token() for _ in values]
            stored: set[str] = set()
        else:
            out = tok.deterministic_tokens(
                key, scope, [normalize_for_index(v, None) for v in values]
            )
            with self._data.read() as conn:
                stored = repo.stored_tokens(conn, tenant_id, out)
        owner = f"_scope:{scope}"
        fresh = {t: v for t, v in zip(out, values, strict=True) if t not in stored}
        if not fresh:
            return out, []
        aead = self._keys.subject_ciphers(tenant_id, [owner], create=True)[owner]
        now = self._clock.now()
        rows = [
            {
                "tenant_id": tenant_id,
                "token": token,
                "kind": kind,
                "scope": scope,
                "subject_id": owner,
                "created_at": now,
                "ciphertext": aead.seal(value.encode(), tok.token_aad(tenant_id, token)),
            }
            for token, value in fresh.items()
        ]
        return out, rows
