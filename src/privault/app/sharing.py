"""Secure file sharing: upload, links, gated download, revocation, purge.

    sender ─ share.put ─▶ scan + seal chunks ─▶ blob store     (file key in the key store)
    recipient ─ token [+ passphrase] [+ e-mailed code] ─▶ audit ─▶ open chunks ─▶ bytes

Invariants: a file's key is a per-file data key wrapped by the tenant's key
(``KeyHierarchy.subject_ciphers`` with subject ``_file:<id>``), so destroying
it (``purge``) makes every copy of the blob unreadable, backups included; a
download is counted and audited in one committed transaction *before* any
chunk is decrypted (fail closed); every failed attempt is audited and counted
towards the link's lockout (:mod:`privault.access.lockout`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NoReturn

from privault.access import lockout
from privault.access import repository as access_repo
from privault.access.policy import Decision
from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.tenants import TenantService
from privault.core.clock import Clock
from privault.core.context import RequestContext
from privault.core.errors import (
    AccessDenied,
    ConfigurationError,
    InvalidInput,
    KeyDestroyed,
    NotFound,
)
from privault.core.ids import new_id
from privault.core.secret import Secret
from privault.crypto.kdf import hash_password, verify_password
from privault.keys.hierarchy import KeyHierarchy
from privault.sharing import links
from privault.sharing import repository as repo
from privault.sharing.chunks import CHUNK_SIZE, rechunk, seal_stream
from privault.sharing.mail import Mailer
from privault.sharing.models import (
    Download,
    FileInfo,
    LinkInfo,
    Shared,
    ShareOptions,
    file_info,
    file_state,
    link_info,
    new_link,
    validate,
)
from privault.sharing.scan import SCAN_LIMIT, StreamScanner
from privault.sharing.storage import BlobStore, object_key, stream_plain
from privault.store.uow import UnitOfWork

_NAME_AAD = b"privault-share-name/v1\x00"
_OK = Decision(True, "share-link", "link secrets verified")


def _subject(file_id: str) -> str:
    return f"_file:{file_id}"


class SharingService:
    """Share files under the tenant's keys; every access decided and audited."""

    def __init__(
        self,
        data: UnitOfWork,
        keys: KeyHierarchy,
        tenants: TenantService,
        auditor: Auditor,
        authz: Authorizer,
        clock: Clock,
        store: BlobStore,
        mailer: Mailer | None = None,
    ) -> None:
        self._data, self._keys, self._tenants = data, keys, tenants
        self._audit, self._authz, self._clock = auditor, authz, clock
        self.store, self.mailer, self.scan_limit = store, mailer, SCAN_LIMIT

    # -- sender -------------------------------------------------------------------
    def put(
        self,
        ctx: RequestContext,
        tenant: str,
        name: str,
        source: Iterable[bytes],
        options: ShareOptions | None = None,
    ) -> Shared:
        """Scan, seal and store a file streamed from ``source``; make its first link."""
        options = options or ShareOptions()
        t = self._tenants.get(tenant)
        decision = self._authz.check(ctx, "share.put", t.id, f"tenants/{t.slug}/shares")
        validate(name, options)
        file_id, now = new_id("shf"), self._clock.now()
        aead = self._keys.subject_ciphers(t.id, [_subject(file_id)], create=True)[_subject(file_id)]
        scanner, chunks = StreamScanner(limit=self.scan_limit), [0, 0]

        def observe(block: bytes) -> None:
            chunks[0] += 1
            chunks[1] += len(block)
            scanner.feed(block)

        key = object_key(t.id, file_id)
        try:
            self.store.put(key, seal_stream(aead, file_id, rechunk(source, CHUNK_SIZE), observe))
            scan = scanner.finish()
            row = repo.FileRow(
                file_id, t.id, aead.seal(name.encode(), _NAME_AAD + file_id.encode()),
                chunks[1], CHUNK_SIZE, chunks[0], self.store.name, key, ctx.principal.id,
                scan.kind, scan.scanned_bytes, json.dumps(scan.counts), now,
                now + options.expires_in, None, None,
            )  # fmt: skip
            link, token = self._new_link(ctx, row, options)
            with self._data.transaction() as conn:
                repo.add_file(conn, row)
                repo.add_link(conn, link)
                self._audit.write(conn, [self._event(
                    ctx, "share.put", t.slug, row, decision, link=link.id, size=row.size,
                    scan=scan.kind, findings=scan.counts, recipients=len(options.recipients),
                )])  # fmt: skip
        except BaseException:
            self.store.delete(key)
            self._keys.shred_subject(t.id, _subject(file_id))
            raise
        return Shared(file_id, link.id, token, row.size, link.expires_at, scan)

    def link(
        self, ctx: RequestContext, tenant: str, file_id: str, options: ShareOptions
    ) -> tuple[str, Secret[str]]:
        """Add another link to a shared file; return its id and token (shown once)."""
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/shares/{file_id}"
        decision = self._authz.check(ctx, "share.link", t.id, path)
        validate("x", options)
        row = self._file(t.id, file_id)
        reason = links.refusal(file_state(row), self._clock.now())
        if reason is not None:
            raise AccessDenied(f"the file is {reason}; it cannot be shared again")
        link, token = self._new_link(ctx, row, options)
        with self._data.transaction() as conn:
            repo.add_link(conn, link)
            self._audit.write(
                conn, [self._event(ctx, "share.link", t.slug, row, decision, link=link.id)]
            )
        return link.id, token

    def files(self, ctx: RequestContext, tenant: str) -> list[FileInfo]:
        """The tenant's shared files with their links (names decrypted after the audit)."""
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/shares"
        decision = self._authz.check(ctx, "share.list", t.id, path)
        with self._data.transaction() as conn:
            files = repo.list_files(conn, t.id)
            by_file: dict[str, list[repo.LinkRow]] = {}
            for link in repo.links_of(conn, [f.id for f in files]):
                by_file.setdefault(link.file_id, []).append(link)
            self._audit.write(conn, [self._audit.event(
                ctx, "share.list", path, tenant_id=t.id, decision=decision, count=len(files)
            )])  # fmt: skip
        live = [_subject(f.id) for f in files if f.destroyed_at is None]
        ciphers = self._keys.subject_ciphers(t.id, live, create=False)
        now, out = self._clock.now(), []
        for f in files:
            cipher = ciphers.get(_subject(f.id))
            name = cipher.open(f.name_sealed, _NAME_AAD + f.id.encode()).decode() if cipher else ""
            out.append(file_info(f, by_file.get(f.id, []), name or "(destroyed)", now))
        return out

    def revoke(self, ctx: RequestContext, tenant: str, share_id: str) -> None:
        """Revoke a link (``shl_…``) or a file with all its links (``shf_…``)."""
        t = self._tenants.get(tenant)
        path = f"tenants/{t.slug}/shares/{share_id}"
        decision = self._authz.check(ctx, "share.revoke", t.id, path)
        now = self._clock.now()
        with self._data.transaction() as conn:
            link = repo.get_link(conn, share_id) if share_id.startswith("shl_") else None
            file_id = link.file_id if link else share_id
            row = repo.get_file(conn, file_id)
            if row is None or row.tenant_id != t.id:
                raise NotFound(f"no shared file or link {share_id} in tenant {t.slug}")
            if link is not None:
                repo.revoke_link(conn, link.id, now)
            else:
                repo.revoke_file(conn, row.id, now)
            self._audit.write(conn, [self._event(ctx, "share.revoke", t.slug, row, decision)])

    def purge(self, ctx: RequestContext, tenant: str | None = None) -> list[str]:
        """Destroy the keys (then the blobs) of expired and revoked files; return their ids."""
        t = self._tenants.get(tenant) if tenant else None
        decision = self._authz.check(ctx, "share.purge", t.id if t else None, "shares")
        with self._data.transaction() as conn:
            due = repo.purgeable(conn, self._clock.now(), t.id if t else None)
        for row in due:
            # Key first: once it is gone no copy of the blob can be read.
            self._keys.shred_subject(row.tenant_id, _subject(row.id))
            self.store.delete(row.object_key)
            slug = self._tenants.get(row.tenant_id).slug
            with self._data.transaction() as conn:
                repo.mark_destroyed(conn, row.id, self._clock.now())
                self._audit.write(conn, [self._event(ctx, "share.purge", slug, row, decision)])
        return [r.id for r in due]

    # -- recipient ----------------------------------------------------------------
    def view(self, ctx: RequestContext, token: Secret[str]) -> LinkInfo:
        """What a link needs (passphrase, code) and allows; audited as ``share.view``."""
        link, row, slug = self._resolve(ctx, token, "share.view")
        self._record(ctx, "share.view", "allowed", (slug, row), link=link.id)
        return link_info(link, row, self._clock.now())

    def request_code(self, ctx: RequestContext, token: Secret[str], email: str) -> None:
        """E-mail a one-time code to a named recipient (silently nothing for others)."""
        link, row, slug = self._resolve(ctx, token, "share.code")
        if not link.recipient_hmacs:
            raise InvalidInput("this link is not limited to named recipients; no code is needed")
        if self.mailer is None:
            raise ConfigurationError("no SMTP server is configured for one-time codes")
        recipient = self._recipient(row.tenant_id, email)
        if recipient not in link.recipient_hmacs:
            self._record(ctx, "share.code", "failed", (slug, row), link=link.id, reason="recipient")
            return
        code, now = links.new_code(), self._clock.now()
        with self._data.transaction() as conn:
            digest = links.code_digest(self._code_key(), link.id, recipient, code.reveal())
            repo.put_code(conn, link.id, recipient, digest, now + links.CODE_TTL)
            self._audit.write(conn, [self._event(
                ctx, "share.code", slug, row, _OK, link=link.id, recipient=recipient
            )])  # fmt: skip
        minutes = int(links.CODE_TTL.total_seconds() // 60)
        self.mailer.send(
            links.normalize_email(email),
            "Your privault download code",
            f"Your one-time code is {code.reveal()}. It expires in {minutes} minutes.\n",
        )

    def get(
        self,
        ctx: RequestContext,
        token: Secret[str],
        *,
        passphrase: Secret[str] | None = None,
        email: str | None = None,
        code: Secret[str] | None = None,
    ) -> Download:
        """Check the link's secrets, count and audit the download, then decrypt lazily.

        Raises:
            NotFound: unknown link.
            AccessDenied: refused (expired, revoked, exhausted, locked, wrong secret).
            KeyDestroyed: the file was purged.
        """
        link, row, slug = self._resolve(ctx, token, "share.get")
        if link.passphrase_hash and (
            passphrase is None or not verify_password(link.passphrase_hash, passphrase)
        ):
            self._fail(ctx, slug, row, link, "passphrase")
        if link.recipient_hmacs:
            self._check_code(ctx, slug, row, link, email, code)
        with self._data.transaction() as conn:
            if not repo.count_download(conn, link.id):
                raise AccessDenied("this link is exhausted", reason="exhausted")
            access_repo.put_failure(conn, _lock_key(link.id), None)
            self._audit.write(conn, [self._event(
                ctx, "share.get", slug, row, _OK, link=link.id, size=row.size
            )])  # fmt: skip
        # Fail closed: only now, with the event committed, is anything decrypted.
        aead = self._keys.subject_ciphers(row.tenant_id, [_subject(row.id)], create=False)
        if _subject(row.id) not in aead:
            raise KeyDestroyed("the shared file was destroyed")
        cipher = aead[_subject(row.id)]
        name = cipher.open(row.name_sealed, _NAME_AAD + row.id.encode()).decode()
        chunks = stream_plain(
            self.store, row.object_key, cipher, row.id, row.chunk_size, row.chunks
        )
        return Download(name, row.size, chunks)

    # -- helpers ------------------------------------------------------------------
    def _resolve(
        self, ctx: RequestContext, token: Secret[str], action: str
    ) -> tuple[repo.LinkRow, repo.FileRow, str]:
        """The link and file a token names, refusing (and auditing) unusable ones."""
        try:
            link_id, secret = links.parse_token(token)
        except NotFound:
            self._record(ctx, action, "failed", None, reason="malformed")
            raise
        with self._data.transaction() as conn:
            link = repo.get_link(conn, link_id)
            row = repo.get_file(conn, link.file_id) if link else None
            wait = lockout.locked(
                access_repo.get_failure(conn, _lock_key(link_id)), self._clock.now()
            )
        if link is None or row is None or not links.secret_matches(secret, link.secret_hash):
            self._record(ctx, action, "failed", None, reason="unknown-link", link=link_id)
            raise NotFound("unknown or invalid share link")
        slug = self._tenants.get(row.tenant_id).slug
        reason = links.refusal(link.state(row), self._clock.now())
        if reason is not None:
            self._record(ctx, action, "denied", (slug, row), link=link.id, reason=reason)
            raise AccessDenied(f"this link is {reason}", reason=reason)
        if wait is not None:
            self._record(ctx, action, "denied", (slug, row), link=link.id, reason="locked")
            raise AccessDenied(
                f"too many failed attempts; try again in {int(wait.total_seconds()) + 1} s"
            )
        return link, row, slug

    def _check_code(
        self, ctx: RequestContext, slug: str, row: repo.FileRow, link: repo.LinkRow,
        email: str | None, code: Secret[str] | None,
    ) -> None:  # fmt: skip
        recipient = self._recipient(row.tenant_id, email or "")
        if email is None or code is None or recipient not in link.recipient_hmacs:
            self._fail(ctx, slug, row, link, "code")
        digest = links.code_digest(self._code_key(), link.id, recipient, code.reveal())
        with self._data.transaction() as conn:
            spent = repo.use_code(conn, link.id, recipient, digest, self._clock.now())
        if not spent:
            self._fail(ctx, slug, row, link, "code")

    def _fail(
        self, ctx: RequestContext, slug: str, row: repo.FileRow, link: repo.LinkRow, reason: str
    ) -> NoReturn:
        """Count a failed attempt towards the lockout, audit it, refuse (one vague message)."""
        with self._data.transaction() as conn:
            state = lockout.after_failure(
                access_repo.get_failure(conn, _lock_key(link.id)), self._clock.now()
            )
            access_repo.put_failure(conn, _lock_key(link.id), state)
            self._audit.write(conn, [self._event(
                ctx, "share.get", slug, row, Decision(False, "share-link", reason),
                outcome="failed", link=link.id, reason=reason, attempts=state.count,
            )])  # fmt: skip
        raise AccessDenied("wrong passphrase, recipient or code")

    def _record(
        self,
        ctx: RequestContext,
        action: str,
        outcome: str,
        found: tuple[str, repo.FileRow] | None,
        **detail: Any,
    ) -> None:
        """Audit a recipient-side event in a transaction of its own."""
        decision = Decision(outcome == "allowed", "share-link", str(detail.get("reason", "")))
        if found is None:
            event = self._audit.event(
                ctx, action, f"shares/links/{detail.get('link', '?')}", tenant_id=None,
                decision=decision, outcome=outcome, **detail,
            )  # fmt: skip
        else:
            event = self._event(ctx, action, found[0], found[1], decision, outcome, **detail)
        self._audit.write_now([event])

    def _event(
        self,
        ctx: RequestContext,
        action: str,
        slug: str,
        row: repo.FileRow,
        decision: Decision,
        outcome: str | None = None,
        **detail: Any,
    ) -> Any:
        return self._audit.event(
            ctx, action, f"tenants/{slug}/shares/{row.id}", tenant_id=row.tenant_id,
            decision=decision, outcome=outcome, **detail,
        )  # fmt: skip

    def _new_link(
        self, ctx: RequestContext, row: repo.FileRow, options: ShareOptions
    ) -> tuple[repo.LinkRow, Secret[str]]:
        recipients = sorted({self._recipient(row.tenant_id, r) for r in options.recipients})
        phc = hash_password(options.passphrase) if options.passphrase else None
        return new_link(row, options, ctx.principal.id, self._clock.now(), phc, recipients)

    def _file(self, tenant_id: str, file_id: str) -> repo.FileRow:
        with self._data.transaction() as conn:
            row = repo.get_file(conn, file_id)
        if row is None or row.tenant_id != tenant_id:
            raise NotFound(f"no shared file {file_id}")
        return row

    def _recipient(self, tenant_id: str, email: str) -> str:
        key = self._keys.derived_key(tenant_id, "index", "share-recipients")
        return links.recipient_hmac(key, email)

    def _code_key(self) -> bytes:
        return self._keys.derived_key("_platform", "index", "share-codes")


def _lock_key(link_id: str) -> str:
    return f"share:{link_id}"
