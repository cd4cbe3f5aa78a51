"""The key hierarchy service over a root-key provider and the key store.

Invariants (read before changing anything here):

* A data key (DEK) exists once per (tenant, subject) and is only ever stored
  wrapped by the tenant's ``kek``; the wrapping AAD binds tenant and subject,
  so a wrapped DEK copied to another subject does not unwrap.
* Tenant keys are only ever stored wrapped by a root version; the provider
  context binds tenant, purpose and version.
* Rotation never re-encrypts data: it adds a key version and *re-wraps* the
  keys below it. Until a version is retired it still unwraps, so a rewrap can
  stop half-way and resume (each batch is its own transaction and selects
  only rows still on an older version).
* Destroying a subject's DEK row is crypto-shredding. The key store is a
  database apart from the data store, so copies of the data store (backups)
  hold no DEK: after the shred they can never be decrypted.
* Unwrapped keys live only in this process's memory, never in logs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from privault.core.clock import Clock
from privault.core.errors import Conflict, KeyDestroyed, NotFound
from privault.core.secret import Secret
from privault.crypto._primitives import Aead, hkdf_sha256, random_bytes
from privault.crypto.providers.base import KeyProvider
from privault.keys import repository as repo
from privault.store.uow import UnitOfWork

PURPOSES = ("kek", "index", "token")
_DEK_WRAP_INFO = b"privault/dek-wrap/v1"


def _dek_aad(tenant_id: str, subject_id: str) -> bytes:
    return b"privault-dek\x00" + tenant_id.encode() + b"\x00" + subject_id.encode()


def _context(tenant_id: str, purpose: str, version: int) -> dict[str, str]:
    return {
        "privault": "tenant-key",
        "tenant": tenant_id,
        "purpose": purpose,
        "version": str(version),
    }


@dataclass(frozen=True, slots=True)
class RewrapProgress:
    """What one rewrap batch moved."""

    tenant_keys: int
    subject_keys: int

    @property
    def done(self) -> bool:
        """True when the batch found nothing left to move."""
        return self.tenant_keys == 0 and self.subject_keys == 0


class KeyHierarchy:
    """Creates, unwraps, rotates and destroys keys below the root.

    Args:
        provider: the root-key provider.
        keystore: unit of work on the key store.
        clock: time source.

    """

    def __init__(self, provider: KeyProvider, keystore: UnitOfWork, clock: Clock) -> None:
        self.provider = provider
        self._uow = keystore
        self._clock = clock
        self._tenant_cache: dict[tuple[str, str, int], Secret[bytes]] = {}
        self._kek_wrap_cache: dict[tuple[str, int], Aead] = {}

    # -- root ---------------------------------------------------------------
    def ensure_root(self) -> int:
        """Create root version 1 if the key store has none; return the current version."""
        with self._uow.transaction() as conn:
            roots = repo.list_roots(conn)
            if roots:
                return roots[-1].version
            ref = self.provider.create_version(1)
            repo.add_root(
                conn, repo.RootVersion(1, self.provider.name, ref, self._clock.now(), None)
            )
            return 1

    def roots(self) -> list[repo.RootVersion]:
        """All root versions, oldest first."""
        with self._uow.read() as conn:
            return repo.list_roots(conn)

    def _current_root(self) -> repo.RootVersion:
        roots = self.roots()
        if not roots:
            raise NotFound("the key store has no root key; run 'privault init'")
        return roots[-1]

    def rotate_root(self) -> int:
        """Add a root version; new tenant keys are wrapped by it. Returns it."""
        current = self._current_root()
        if current.provider != self.provider.name:
            raise Conflict(
                f"root keys are held by {current.provider!r}, "
                f"not by the configured provider {self.provider.name!r}"
            )
        version = current.version + 1
        ref = self.provider.create_version(version)
        with self._uow.transaction() as conn:
            repo.add_root(
                conn, repo.RootVersion(version, self.provider.name, ref, self._clock.now(), None)
            )
        return version

    # -- tenant keys --------------------------------------------------------
    def create_tenant_keys(self, tenant_id: str) -> None:
        """Create the kek, index and token keys of a new tenant."""
        root = self._current_root()
        now = self._clock.now()
        rows = [
            repo.TenantKeyRow(
                tenant_id,
                purpose,
                1,
                root.version,
                self.provider.wrap(root.key_ref, random_bytes(32), _context(tenant_id, purpose, 1)),
                now,
                None,
            )
            for purpose in PURPOSES
        ]
        with self._uow.transaction() as conn:
            if repo.tenant_key_rows(conn, tenant_id):
                raise Conflict(f"tenant {tenant_id} already has keys")
            repo.add_tenant_keys(conn, rows)

    def rotate_tenant(self, tenant_id: str) -> int:
        """Add a kek version for ``tenant_id``; return it."""
        root = self._current_root()
        with self._uow.transaction() as conn:
            keks = repo.tenant_key_rows(conn, tenant_id, "kek")
            if not keks:
                raise NotFound(f"tenant {tenant_id} has no keys")
            version = keks[-1].version + 1
            wrapped = self.provider.wrap(
                root.key_ref, random_bytes(32), _context(tenant_id, "kek", version)
            )
            repo.add_tenant_keys(
                conn,
                [
                    repo.TenantKeyRow(
                        tenant_id, "kek", version, root.version, wrapped, self._clock.now(), None
                    )
                ],
            )
        return version

    def tenant_key(self, tenant_id: str, purpose: str, version: int | None = None) -> Secret[bytes]:
        """Unwrap (and cache) a tenant key; the latest version unless given.

        Raises:
            NotFound: the tenant has no such key.
            KeyDestroyed: the version is retired.

        """
        if version is not None:
            cached = self._tenant_cache.get((tenant_id, purpose, version))
            if cached is not None:
                return cached
        with self._uow.read() as conn:
            rows = repo.tenant_key_rows(conn, tenant_id, purpose)
            roots = {r.version: r for r in repo.list_roots(conn)}
        if version is not None:
            rows = [r for r in rows if r.version == version]
        if not rows:
            raise NotFound(
                f"tenant {tenant_id} has no {purpose} key"
                + (f" version {version}" if version else "")
            )
        row = rows[-1]
        if row.retired_at is not None:
            raise KeyDestroyed(f"{purpose} key v{row.version} of tenant {tenant_id} is retired")
        key = Secret(
            self.provider.unwrap(
                roots[row.root_version].key_ref,
                row.wrapped,
                _context(tenant_id, purpose, row.version),
            )
        )
        self._tenant_cache[(tenant_id, purpose, row.version)] = key
        return key

    def current_kek_version(self, tenant_id: str) -> int:
        """The newest kek version of a tenant."""
        with self._uow.read() as conn:
            rows = repo.tenant_key_rows(conn, tenant_id, "kek")
        if not rows:
            raise NotFound(f"tenant {tenant_id} has no keys")
        return rows[-1].version

    def derived_key(self, tenant_id: str, purpose: str, info: str) -> bytes:
        """A subkey of a stable tenant key (``index`` or ``token``), by HKDF."""
        base = self.tenant_key(tenant_id, purpose, 1).reveal()
        return hkdf_sha256(base, info=f"privault/{purpose}/{info}".encode())

    def _kek_wrapper(self, tenant_id: str, version: int) -> Aead:
        aead = self._kek_wrap_cache.get((tenant_id, version))
        if aead is None:
            kek = self.tenant_key(tenant_id, "kek", version).reveal()
            aead = Aead(hkdf_sha256(kek, info=_DEK_WRAP_INFO))
            self._kek_wrap_cache[(tenant_id, version)] = aead
        return aead

    # -- subject data keys --------------------------------------------------
    def subject_ciphers(
        self, tenant_id: str, subject_ids: Iterable[str], *, create: bool
    ) -> dict[str, Aead]:
        """Return an AEAD per subject under its data key.

        Args:
            tenant_id: the tenant.
            subject_ids: the subjects wanted.
            create: make keys for subjects that have none (writes); when
                False, subjects without a key are absent from the result
                (they were shredded or never existed).

        """
        wanted = list(dict.fromkeys(subject_ids))
        # Resolve the kek before opening the key-store transaction: on SQLite a
        # nested transaction on the same file would wait on itself.
        version = self.current_kek_version(tenant_id) if create else 0
        wrapper = self._kek_wrapper(tenant_id, version) if create else None
        with self._uow.read() as conn:  # the common case: every key exists
            found = repo.subject_key_rows(conn, tenant_id, wanted)
        result: dict[str, Aead] = {}
        if create and len(found) < len(wanted):
            assert wrapper is not None
            with self._uow.transaction() as conn:  # re-read under the write lock
                found = repo.subject_key_rows(conn, tenant_id, wanted)
                missing = [s for s in wanted if s not in found]
                if missing:
                    new_rows, _ = self._new_subject_keys(tenant_id, missing, version, wrapper)
                    # Another writer (a second worker) may store a key for the
                    # same subject first: its key wins, so read back what is stored.
                    repo.add_subject_keys(conn, new_rows)
                    found.update(repo.subject_key_rows(conn, tenant_id, missing))
        for sid, row in found.items():
            dek = self._kek_wrapper(tenant_id, row.kek_version).open(
                row.wrapped, _dek_aad(tenant_id, sid)
            )
            result[sid] = Aead(dek)
        return result

    def _new_subject_keys(
        self, tenant_id: str, subject_ids: list[str], version: int, wrapper: Aead
    ) -> tuple[list[dict[str, object]], dict[str, Aead]]:
        now = self._clock.now()
        rows: list[dict[str, object]] = []
        ciphers: dict[str, Aead] = {}
        for sid in subject_ids:
            dek = random_bytes(32)
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "subject_id": sid,
                    "kek_version": version,
                    "wrapped": wrapper.seal(dek, _dek_aad(tenant_id, sid)),
                    "created_at": now,
                }
            )
            ciphers[sid] = Aead(dek)
        return rows, ciphers

    def shred_subject(self, tenant_id: str, subject_id: str) -> bool:
        """Destroy a subject's data key; True if there was one."""
        with self._uow.transaction() as conn:
            deleted = repo.delete_subject_key(conn, tenant_id, subject_id) > 0
        if self._uow.engine.dialect.name == "sqlite":
            # Push the zeroed page from the WAL into the main file now.
            raw = self._uow.engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
            finally:
                raw.close()
        return deleted

    # -- rewrap and retirement ---------------------------------------------
    def rewrap_batch(self, batch_size: int = 500) -> RewrapProgress:
        """Move up to ``batch_size`` wrapped keys to the newest versions.

        Call until :attr:`RewrapProgress.done`; safe to stop and resume.
        """
        root = self._current_root()
        moved_tenant = 0
        with self._uow.transaction() as conn:
            for row in repo.tenant_keys_below_root(conn, root.version, batch_size):
                old = {r.version: r for r in repo.list_roots(conn)}[row.root_version]
                ctx = _context(row.tenant_id, row.purpose, row.version)
                plain = self.provider.unwrap(old.key_ref, row.wrapped, ctx)
                repo.rewrap_tenant_key(
                    conn, row, root.version, self.provider.wrap(root.key_ref, plain, ctx)
                )
                moved_tenant += 1
        moved_subject = self._rewrap_subjects(batch_size)
        return RewrapProgress(moved_tenant, moved_subject)

    def _rewrap_subjects(self, budget: int) -> int:
        moved = 0
        for tenant_id in self._tenants_with_keys():
            if moved >= budget:
                break
            latest = self.current_kek_version(tenant_id)
            # Unwrap every kek version first: no key-store reads inside the
            # write transaction below (SQLite would wait on itself).
            wrappers = {
                v: self._kek_wrapper(tenant_id, v)
                for v in range(1, latest + 1)
                if self._kek_live(tenant_id, v)
            }
            with self._uow.transaction() as conn:
                rows = repo.subject_keys_below(conn, tenant_id, latest, budget - moved)
                updates = []
                for row in rows:
                    aad = _dek_aad(tenant_id, row.subject_id)
                    dek = wrappers[row.kek_version].open(row.wrapped, aad)
                    updates.append((row.subject_id, latest, wrappers[latest].seal(dek, aad)))
                repo.rewrap_subject_keys(conn, tenant_id, updates)
            moved += len(rows)
        return moved

    def _kek_live(self, tenant_id: str, version: int) -> bool:
        try:
            self.tenant_key(tenant_id, "kek", version)
        except (NotFound, KeyDestroyed):
            return False
        return True

    def _tenants_with_keys(self) -> list[str]:
        with self._uow.read() as conn:
            return sorted({r.tenant_id for r in repo.all_tenant_key_rows(conn)})

    def retire_root(self, version: int) -> None:
        """Destroy a root version that no tenant key uses any more.

        Raises:
            Conflict: if it is the current version or still in use.

        """
        with self._uow.transaction() as conn:
            roots = repo.list_roots(conn)
            match = [r for r in roots if r.version == version]
            if not match:
                raise NotFound(f"no root key version {version}")
            if version == roots[-1].version:
                raise Conflict("the current root version cannot be retired")
            if repo.count_tenant_keys_on_root(conn, version):
                raise Conflict(f"root v{version} still wraps tenant keys; run 'keys rewrap'")
            self.provider.destroy_version(match[0].key_ref)
            repo.retire_root(conn, version, self._clock.now())

    def usage(
        self,
    ) -> tuple[list[repo.RootVersion], list[repo.TenantKeyRow], dict[tuple[str, int], int]]:
        """Everything ``keys status`` shows: roots, tenant keys, subject keys per kek."""
        with self._uow.read() as conn:
            return (
                repo.list_roots(conn),
                repo.all_tenant_key_rows(conn),
                repo.subject_counts_by_kek(conn),
            )
