"""Local root keys in a keyfile sealed by a passphrase.

File format (JSON, version 1)::

    {"format": "privault-keyfile", "version": 1,
     "kdf": {"alg": "argon2id", "salt": b64, "memory_kib": m, "iterations": t, "parallelism": p},
     "sealed": b64(AES-256-GCM(kek, json({"keys": {"1": b64key, ...}})))}

The header (everything but ``sealed``) is the AAD, so cost parameters cannot
be lowered by editing the file. A wrong passphrase and a tampered file both
fail authentication; we report the first as the likely cause.

Invariant: the file is replaced atomically (write to a temp file in the same
directory, fsync, rename), so a crash never leaves a half-written keyfile.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from privault.core.errors import (
    ConfigurationError,
    Conflict,
    InvalidCiphertext,
    KeyDestroyed,
    NotFound,
    WrongPassphrase,
)
from privault.core.secret import Secret
from privault.crypto._primitives import Aead, random_bytes
from privault.crypto.kdf import Argon2Params, derive_key
from privault.crypto.providers.base import canonical_context

_FORMAT = "privault-keyfile"
_MAX_MEMORY_KIB = 4 * 1024 * 1024  # 4 GiB: a tampered header must not exhaust memory


def _check_kdf(params: Argon2Params, salt: bytes) -> None:
    """Refuse KDF parameters no privault keyfile has (a tampered header)."""
    if not (
        1 <= params.parallelism <= 64
        and 8 * params.parallelism <= params.memory_kib <= _MAX_MEMORY_KIB
        and 1 <= params.iterations <= 100
        and len(salt) >= 16
    ):
        raise ValueError("KDF parameters out of range")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


class LocalKeyProvider:
    """Root keys in a passphrase-sealed keyfile.

    Use :meth:`create` for a new keyfile and :meth:`open` for an existing one.
    """

    name: ClassVar[str] = "local"

    def __init__(
        self, path: Path, kek: Secret[bytes], header: dict[str, Any], keys: dict[str, bytes]
    ) -> None:
        self._path = path
        self._kek = kek
        self._header = header
        self._keys = keys
        self._destroyed: set[str] = set(header.get("destroyed", []))
        self._aeads: dict[str, Aead] = {}

    def __repr__(self) -> str:
        return f"LocalKeyProvider(path={str(self._path)!r}, kek=***)"

    @classmethod
    def create(
        cls, path: Path, passphrase: Secret[str], params: Argon2Params | None = None
    ) -> LocalKeyProvider:
        """Create a new, empty keyfile at ``path``.

        Raises:
            Conflict: if the file exists (never overwrite root keys).
            InvalidInput: if the passphrase is shorter than 12 characters.

        """
        from privault.core.errors import InvalidInput

        if path.exists():
            raise Conflict(f"keyfile {path} already exists; refusing to overwrite it")
        if len(passphrase.reveal()) < 12:
            raise InvalidInput("the passphrase must be at least 12 characters long")
        params = params or Argon2Params()
        salt = random_bytes(16)
        header = {
            "format": _FORMAT,
            "version": 1,
            "kdf": {
                "alg": "argon2id",
                "salt": _b64(salt),
                "memory_kib": params.memory_kib,
                "iterations": params.iterations,
                "parallelism": params.parallelism,
            },
        }
        kek = Secret(derive_key(passphrase, salt, params))
        provider = cls(path, kek, header, {})
        provider._save()
        return provider

    @classmethod
    def open(cls, path: Path, passphrase: Secret[str]) -> LocalKeyProvider:
        """Unseal the keyfile at ``path``.

        Raises:
            NotFound: if there is no keyfile (run ``privault init``).
            WrongPassphrase: if the passphrase does not unseal it.
            ConfigurationError: if the file is not a privault keyfile.

        """
        try:
            doc = json.loads(path.read_text())
        except FileNotFoundError:
            raise NotFound(f"no keyfile at {path}; run 'privault init' first") from None
        except (OSError, ValueError):
            raise ConfigurationError(f"{path} is not a readable privault keyfile") from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT or doc.get("version") != 1:
            raise ConfigurationError(f"{path} is not a privault keyfile (format 1)")
        header = {k: v for k, v in doc.items() if k != "sealed"}
        try:
            kdf = header["kdf"]
            params = Argon2Params(
                int(kdf["memory_kib"]), int(kdf["iterations"]), int(kdf["parallelism"])
            )
            salt = _unb64(kdf["salt"])
            sealed = _unb64(doc["sealed"])
            _check_kdf(params, salt)
            kek = Secret(derive_key(passphrase, salt, params))
        except (KeyError, TypeError, ValueError):
            raise ConfigurationError(f"{path} has a damaged header") from None
        try:
            body = Aead(kek.reveal()).open(sealed, canonical_context_header(header))
        except InvalidCiphertext:
            raise WrongPassphrase(
                "wrong passphrase: the keyfile could not be unsealed (or the keyfile was altered)"
            ) from None
        keys = {ref: _unb64(k) for ref, k in json.loads(body)["keys"].items()}
        return cls(path, kek, header, keys)

    def create_version(self, version: int) -> str:
        """Add a fresh random root key for ``version`` and reseal the file."""
        ref = f"v{version}"
        if ref in self._keys or ref in self._destroyed:
            raise Conflict(f"root key version {version} already exists (or existed) in the keyfile")
        self._keys[ref] = random_bytes(32)
        self._save()
        return ref

    def wrap(self, key_ref: str, key: bytes, context: Mapping[str, str]) -> bytes:
        """Seal ``key`` under root key ``key_ref`` with ``context`` as AAD."""
        return self._aead(key_ref).seal(key, canonical_context(context))

    def unwrap(self, key_ref: str, blob: bytes, context: Mapping[str, str]) -> bytes:
        """Open a blob made by :meth:`wrap`."""
        return self._aead(key_ref).open(blob, canonical_context(context))

    def destroy_version(self, key_ref: str) -> None:
        """Remove root key ``key_ref`` from the keyfile for good."""
        self._keys.pop(key_ref, None)
        self._aeads.pop(key_ref, None)
        self._destroyed.add(key_ref)
        self._header = {**self._header, "destroyed": sorted(self._destroyed)}
        self._save()

    def change_passphrase(self, new: Secret[str]) -> None:
        """Reseal the keyfile under a new passphrase (fresh salt).

        Raises:
            InvalidInput: if the new passphrase is shorter than 12 characters.
        """
        from privault.core.errors import InvalidInput

        if len(new.reveal()) < 12:
            raise InvalidInput("the passphrase must be at least 12 characters long")
        kdf = self._header["kdf"]
        params = Argon2Params(kdf["memory_kib"], kdf["iterations"], kdf["parallelism"])
        salt = random_bytes(16)
        self._header = {**self._header, "kdf": {**kdf, "salt": _b64(salt)}}
        self._kek = Secret(derive_key(new, salt, params))
        self._save()

    def _aead(self, key_ref: str) -> Aead:
        aead = self._aeads.get(key_ref)
        if aead is None:
            key = self._keys.get(key_ref)
            if key is None:
                raise KeyDestroyed(f"root key {key_ref} is not in the keyfile (destroyed?)")
            aead = self._aeads[key_ref] = Aead(key)
        return aead

    def _save(self) -> None:
        body = json.dumps({"keys": {ref: _b64(k) for ref, k in self._keys.items()}}).encode()
        sealed = Aead(self._kek.reveal()).seal(body, canonical_context_header(self._header))
        doc = {**self._header, "sealed": _b64(sealed)}
        directory = self._path.parent
        directory.mkdir(parents=True, exist_ok=True)
        # A fresh, exclusive, 0600 temp file (mkstemp): never follows a planted
        # symlink nor inherits a leftover file's mode; renamed over the keyfile
        # atomically, then the directory is fsynced so the rename survives a crash.
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{self._path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(json.dumps(doc, indent=1))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def canonical_context_header(header: Mapping[str, Any]) -> bytes:
    """The AAD of the sealed body: the canonical JSON of the header."""
    return json.dumps(dict(header), sort_keys=True, separators=(",", ":")).encode()
