"""The client-credential vault: add, list, reveal, TOTP, health, import, export.

    principal ─ policy (tenant scope) ─ item sharing ─ audit (committed) ─ decrypt ─ caller

Encryption: each item has its own data key, created with
``KeyHierarchy.subject_ciphers`` under subject ``_cred:<item id>``; so it is
wrapped by the tenant's key, lives in the key store (not in backups of the
data store), is re-wrapped by key rotation like every data key, and deleting
an item crypto-shreds it. (Keys derived from the tenant key could be neither
rotated nor destroyed one item at a time.)

Invariant: every path that decrypts a secret part (reveal, copy, TOTP,
health, export) writes its audit event in a committed transaction first;
no event, no secret. A honeytoken's reveal writes outcome ``alert``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from privault.access.policy import Decision
from privault.access.totp import current_code
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.tenants import TenantService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import AccessDenied, Conflict, InvalidInput, KeyDestroyed, NotFound
from privault.core.ids import new_id
from privault.core.secret import Secret
from privault.credentials import export as exports
from privault.credentials import generator, health, items, otp
from privault.credentials import repository as repo
from privault.credentials.formats import parse
from privault.credentials.items import ItemMeta, ItemSecrets, NewItem
from privault.crypto._primitives import Aead
from privault.crypto.kdf import Argon2Params
from privault.keys.hierarchy import KeyHierarchy
from privault.store.uow import UnitOfWork
from privault.vault.repository import Tenant


@dataclass(frozen=True, slots=True)
class ItemSummary:
    """An item as a listing shows it: no secret, honeytoken flag only for managers."""

    id: str
    title: str
    login: str
    url: str
    honeytoken: bool
    rotate_due: bool
    password_changed_at: datetime
    shared_with: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import stored."""

    ids: list[str]
    skipped: int


def _subject(item_id: str) -> str:
    return f"_cred:{item_id}"


def _meta(aead: Aead, r: repo.ItemRow) -> ItemMeta:
    return items.open_meta(aead, r.meta_sealed, items.aad(r.tenant_id, r.id, "meta", r.version))


def _secrets(aead: Aead, r: repo.ItemRow) -> ItemSecrets:
    where = items.aad(r.tenant_id, r.id, "secret", r.version)
    return items.open_secrets(aead, r.secret_sealed, where)


def _need_purpose(purpose: str) -> None:
    if not purpose or not purpose.strip():
        raise InvalidInput("a purpose is required (e.g. --purpose 'ticket 4711')")


class CredentialService:
    """Per-client credential items under the tenant's keys."""

    def __init__(
        self,
        data: UnitOfWork,
        keys: KeyHierarchy,
        tenants: TenantService,
        auditor: Auditor,
        authz: Authorizer,
        clock: Clock,
    ) -> None:
        self._data, self._keys, self._tenants = data, keys, tenants
        self._audit, self._authz, self._clock = auditor, authz, clock
        self.export_kdf = Argon2Params()

    # -- writes -------------------------------------------------------------------
    def add(self, ctx: RequestContext, tenant: str, item: NewItem) -> str:
        """Store one item; return its id."""
        return self.add_many(ctx, tenant, [item], action="cred.add")[0]

    def add_many(
        self, ctx: RequestContext, tenant: str, new: list[NewItem], *, action: str = "cred.import"
    ) -> list[str]:
        """Store items all or nothing (keys first: orphan keys are harmless)."""
        t, decision, path = self._check(ctx, tenant, action)
        for n, item in enumerate(new, start=1):
            try:
                items.check_item(item)
            except InvalidInput as exc:
                raise InvalidInput(f"item {n}: {exc.message}") from None
        ids = [new_id("crd") for _ in new]
        ciphers = self._keys.subject_ciphers(t.id, [_subject(i) for i in ids], create=True)
        now = self._clock.now()
        rows = [
            self._row(t.id, i, ciphers[_subject(i)], item, ctx.principal.id, now, 1, now)
            for i, item in zip(ids, new, strict=True)
        ]
        with self._data.transaction() as conn:
            repo.add_items(conn, rows)
            self._audit.write(conn, [self._audit.event(
                ctx, action, path, tenant_id=t.id, decision=decision, items=ids,
                honeytokens=sum(1 for item in new if item.honeytoken),
            )])  # fmt: skip
        return ids

    def rotate(self, ctx: RequestContext, tenant: str, item_id: str, password: Secret[str]) -> None:
        """Replace an item's password (a new version; the rotation clock restarts)."""
        t, decision, path = self._check(ctx, tenant, "cred.update", item_id)
        row, aead = self._open(ctx, t, item_id, "cred.update", decision)
        meta, old = _meta(aead, row), _secrets(aead, row)
        new = NewItem(
            meta,
            ItemSecrets(password, old.totp, old.notes, old.fields),
            row.honeytoken, tuple(row.users), tuple(row.roles), row.rotate_days,
        )  # fmt: skip
        now = self._clock.now()
        updated = self._row(
            t.id, row.id, aead, new, row.created_by, row.created_at, row.version + 1, now
        )
        with self._data.transaction() as conn:
            if not repo.replace_item(conn, updated, row.version):
                raise Conflict(f"item {item_id} changed meanwhile; retry")
            self._audit.write(conn, [self._audit.event(
                ctx, "cred.update", path, tenant_id=t.id, decision=decision, version=updated.version
            )])  # fmt: skip

    def delete(self, ctx: RequestContext, tenant: str, item_id: str) -> None:
        """Delete an item and destroy its key (crypto-shredding)."""
        t, decision, path = self._check(ctx, tenant, "cred.delete", item_id)
        with self._data.transaction() as conn:
            if not repo.delete_item(conn, t.id, item_id):
                raise NotFound(f"no credential item {item_id} in tenant {t.slug}")
            self._audit.write(
                conn,
                [self._audit.event(ctx, "cred.delete", path, tenant_id=t.id, decision=decision)],
            )
        self._keys.shred_subject(t.id, _subject(item_id))

    # -- reads --------------------------------------------------------------------
    def list_items(self, ctx: RequestContext, tenant: str) -> list[ItemSummary]:
        """Items the caller may open (titles decrypted after the list is audited)."""
        t, decision, path = self._check(ctx, tenant, "cred.list")
        manager = self._manager(ctx, t)
        with self._data.transaction() as conn:
            rows = [r for r in repo.list_items(conn, t.id) if manager or self._shared(ctx, t, r)]
            self._audit.write(conn, [self._audit.event(
                ctx, "cred.list", path, tenant_id=t.id, decision=decision, count=len(rows)
            )])  # fmt: skip
        ciphers = self._ciphers(t.id, [r.id for r in rows])
        now, out = self._clock.now(), []
        for r in rows:
            meta = items.open_meta(
                ciphers[r.id], r.meta_sealed, items.aad(t.id, r.id, "meta", r.version)
            )
            due = (now - r.password_changed_at).days >= r.rotate_days and not r.honeytoken
            shared = tuple(r.users + [f"role:{x}" for x in r.roles])
            out.append(ItemSummary(
                r.id, meta.title, meta.login, meta.url, r.honeytoken and manager, due,
                r.password_changed_at, shared,
            ))  # fmt: skip
        return out

    def reveal(
        self,
        ctx: RequestContext,
        tenant: str,
        item_id: str,
        *,
        purpose: str,
        field: str = "password",
        copy: bool = False,
    ) -> Secret[str]:
        """A gated read of one secret field; a honeytoken's reveal raises an alert event."""
        return self._gated(ctx, tenant, item_id, "cred.reveal", purpose, field=field, copy=copy)

    def totp(self, ctx: RequestContext, tenant: str, item_id: str, *, purpose: str) -> Secret[str]:
        """The current TOTP code of an item's stored seed (a gated, audited read)."""
        stored = self._gated(ctx, tenant, item_id, "cred.totp", purpose, field="totp", copy=False)
        seed = otp.parse_seed(stored)
        if seed.standard:
            return Secret(current_code(seed.secret, self._clock.now()))
        return otp.code(seed, self._clock.now())

    def health(
        self, ctx: RequestContext, tenant: str, *, max_age_days: int = 365, min_score: int = 3
    ) -> health.HealthReport:
        """Weak, reused, old and breached passwords of a client, and rotation reminders."""
        entries = [
            health.HealthInput(r.id, meta.title, meta.login, sec.password, r.pw_fingerprint,
                               r.password_changed_at, r.rotate_days)
            for r, meta, sec in self._open_all(ctx, tenant, "cred.health", "health-check")
            if not r.honeytoken
        ]  # fmt: skip
        return health.assess(
            entries, self._clock.now(), max_age_days=max_age_days, min_score=min_score
        )

    def export(
        self,
        ctx: RequestContext,
        tenant: str,
        *,
        purpose: str,
        passphrase: Secret[str] | None = None,
        plain: bool = False,
    ) -> bytes:
        """Export a client's items: sealed by ``passphrase``, or plain only when asked."""
        if plain == (passphrase is not None):
            raise InvalidInput("give an export passphrase, or ask for a plain export explicitly")
        _need_purpose(purpose)
        opened = self._open_all(ctx, tenant, "cred.export", purpose, plain=plain)
        doc = exports.document([(m, s) for r, m, s in opened if not r.honeytoken])
        if plain:
            return json.dumps(doc, indent=1).encode()
        assert passphrase is not None
        return exports.seal(doc, passphrase, self.export_kdf)

    def import_items(
        self,
        ctx: RequestContext,
        tenant: str,
        data: bytes,
        fmt: str,
        passphrase: Secret[str] | None = None,
    ) -> ImportResult:
        """Import a Bitwarden/KeePass export, or a privault export (sealed or plain)."""
        if fmt == "privault":
            doc = exports.unseal(data, passphrase) if passphrase else json.loads(data)
            return ImportResult(self.add_many(ctx, tenant, exports.items_from(doc)), 0)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("the export is not UTF-8 text") from None
        parsed, skipped = parse(text, fmt)
        return ImportResult(self.add_many(ctx, tenant, parsed), skipped)

    @staticmethod
    def generate_password(length: int = 20, classes: Iterable[str] = generator.CLASSES,
                          avoid_ambiguous: bool = False) -> generator.Generated:  # fmt: skip
        """A random password (no audit: nothing stored is read)."""
        return generator.password(length, tuple(classes), avoid_ambiguous)

    @staticmethod
    def generate_passphrase(words: int = 6, separator: str = "-", capitalize: bool = False,
                            number: bool = False) -> generator.Generated:  # fmt: skip
        """A passphrase from the shipped word list."""
        return generator.passphrase(words, separator, capitalize, number)

    # -- helpers ------------------------------------------------------------------
    def _check(
        self, ctx: RequestContext, tenant: str, action: str, item_id: str | None = None,
        purpose: str | None = None,
    ) -> tuple[Tenant, Decision, str]:  # fmt: skip
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/credentials" + (f"/{item_id}" if item_id else "")
        return t, self._authz.check(ctx, action, t.id, path, purpose), path

    def _gated(
        self, ctx: RequestContext, tenant: str, item_id: str, action: str, purpose: str,
        *, field: str, copy: bool,
    ) -> Secret[str]:  # fmt: skip
        _need_purpose(purpose)
        t, decision, path = self._check(ctx, tenant, action, item_id, purpose)
        with self._data.transaction() as conn:
            row = repo.get_item(conn, t.id, item_id)
        if row is None:
            raise NotFound(f"no credential item {item_id} in tenant {t.slug}")
        self._require_shared(ctx, t, row, action, decision)
        alert: dict[str, Any] = (
            {"outcome": "alert", "honeytoken": True, "severity": "critical"}
            if row.honeytoken
            else {}
        )
        # Fail closed: the event is committed before anything is decrypted.
        self._audit.write_now([self._audit.event(
            ctx, action, path, tenant_id=t.id, decision=decision, purpose=purpose,
            field=field, mode="copy" if copy else "reveal", **alert,
        )])  # fmt: skip
        aead = self._ciphers(t.id, [row.id])[row.id]
        return _secrets(aead, row).get(field)

    def _open_all(
        self, ctx: RequestContext, tenant: str, action: str, purpose: str, **detail: Any
    ) -> list[tuple[repo.ItemRow, ItemMeta, ItemSecrets]]:
        """Every item the caller may open, decrypted after one committed audit event."""
        t, decision, path = self._check(ctx, tenant, action, None, purpose)
        manager = self._manager(ctx, t)
        with self._data.transaction() as conn:
            rows = [r for r in repo.list_items(conn, t.id) if manager or self._shared(ctx, t, r)]
            self._audit.write(conn, [self._audit.event(
                ctx, action, path, tenant_id=t.id, decision=decision, purpose=purpose,
                items=[r.id for r in rows], **detail,
            )])  # fmt: skip
        ciphers = self._ciphers(t.id, [r.id for r in rows])
        return [(r, _meta(ciphers[r.id], r), _secrets(ciphers[r.id], r)) for r in rows]

    def _open(
        self, ctx: RequestContext, t: Tenant, item_id: str, action: str, decision: Decision
    ) -> tuple[repo.ItemRow, Aead]:
        with self._data.transaction() as conn:
            row = repo.get_item(conn, t.id, item_id)
        if row is None:
            raise NotFound(f"no credential item {item_id} in tenant {t.slug}")
        self._require_shared(ctx, t, row, action, decision)
        return row, self._ciphers(t.id, [row.id])[row.id]

    def _ciphers(self, tenant_id: str, ids: list[str]) -> dict[str, Aead]:
        found = self._keys.subject_ciphers(tenant_id, [_subject(i) for i in ids], create=False)
        missing = [i for i in ids if _subject(i) not in found]
        if missing:
            raise KeyDestroyed(f"the key of credential item {missing[0]} was destroyed")
        return {i: found[_subject(i)] for i in ids}

    def _manager(self, ctx: RequestContext, t: Tenant) -> bool:
        """Managers (``cred.manage``) see every item and the honeytoken flags."""
        return self._authz.decide(ctx.principal, "cred.manage", t.id, f"tenants/{t.slug}").allowed

    def _shared(self, ctx: RequestContext, t: Tenant, row: repo.ItemRow) -> bool:
        roles = ctx.principal.roles_on(t.id)
        return items.may_open(ctx.principal.id, roles, row.users, row.roles)

    def _require_shared(
        self, ctx: RequestContext, t: Tenant, row: repo.ItemRow, action: str, decision: Decision
    ) -> None:
        if self._manager(ctx, t) or self._shared(ctx, t, row):
            return
        denied = Decision(False, "item-sharing", "the item is not shared with the caller")
        path = f"tenants/{t.slug}/credentials/{row.id}"
        self._audit.write_now(
            [self._audit.event(ctx, action, path, tenant_id=t.id, decision=denied)]
        )
        raise AccessDenied(f"{action} on {path} denied (item-sharing)", rule="item-sharing")

    def _row(
        self, tenant_id: str, item_id: str, aead: Aead, item: NewItem, creator: str,
        created: datetime, version: int, changed: datetime,
    ) -> repo.ItemRow:  # fmt: skip
        password = item.secrets.password.reveal()
        fingerprint = None
        if password:
            key = self._keys.derived_key(tenant_id, "index", "cred-reuse")
            fingerprint = hmac.new(key, password.encode(), hashlib.sha256).hexdigest()
        return repo.ItemRow(
            item_id, tenant_id,
            items.seal_meta(aead, item.meta, items.aad(tenant_id, item_id, "meta", version)),
            items.seal_secrets(
                aead, item.secrets, items.aad(tenant_id, item_id, "secret", version)
            ),
            fingerprint, item.honeytoken, json.dumps(sorted(item.share_users)),
            json.dumps(sorted(item.share_roles)), item.rotate_days, version, creator, created,
            self._clock.now(), changed,
        )  # fmt: skip
