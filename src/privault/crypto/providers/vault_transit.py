"""Root keys held by a HashiCorp Vault / OpenBao transit key.

One transit key (``aes256-gcm96``) holds every root version: root version
``key_ref`` ``"v<N>"`` is transit key version ``N``, and a root rotation is a
transit ``rotate``. The key material never leaves the server.

Context binding: the canonical context (:func:`~.base.canonical_context`) is
sent as ``associated_data``, the AES-GCM AAD, so a blob wrapped for one
context fails authentication under any other. (Transit's ``context``
parameter only works for derived keys.) A server too old to know
``associated_data`` would silently ignore it, so each provider checks once,
before its first encryption, that the server really enforces it.

``destroy_version("vN")`` raises the key's ``min_decryption_version`` to
``N + 1``. That retires *every* version up to ``N`` at once, and it is
reversible by anyone allowed to configure the key, as the versions are not
deleted; transit's ``trim`` would delete them for good.

hvac errors are translated at this boundary and raised outside the ``except``
block: hvac messages can contain response bodies (for a batch, the plaintexts
of the items that succeeded), so they are never chained or quoted.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, ClassVar, TypeVar

from privault.core.errors import (
    ConfigurationError,
    Conflict,
    InvalidCiphertext,
    InvalidInput,
    KeyDestroyed,
    NotFound,
    PrivaultError,
)
from privault.core.secret import Secret
from privault.crypto._primitives import random_bytes
from privault.crypto.providers.base import canonical_context

_T = TypeVar("_T")

_KEY_TYPE = "aes256-gcm96"
_REF = re.compile(r"v([1-9][0-9]*)")
_BLOB = re.compile(r"vault:v([1-9][0-9]*):[A-Za-z0-9+/]+={0,2}")
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")  # no leading dot: no ".." in a URL path
_MOUNT = re.compile(rf"{_NAME.pattern}(/{_NAME.pattern})*")
_DESTROYED_HINTS = ("too old", "no such key version", "encryption key not found")


@functools.cache
def _hvac_exceptions() -> ModuleType:
    import hvac.exceptions

    module: ModuleType = hvac.exceptions  # hvac is untyped: Any to mypy
    return module


@functools.cache
def _transport_error() -> type[Exception]:
    from requests.exceptions import RequestException

    return RequestException


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _aad(context: Mapping[str, str]) -> str:
    return _b64(canonical_context(context))


def _version(key_ref: str) -> int:
    match = _REF.fullmatch(key_ref)
    if match is None:
        raise ConfigurationError(f"{key_ref!r} is not a vault-transit key_ref (expected 'v<N>')")
    return int(match.group(1))


def _blob_text(blob: bytes, version: int | None) -> str:
    """Return the transit ciphertext in ``blob``, checking its shape and version."""
    if not blob.isascii():
        raise InvalidCiphertext()
    text = blob.decode("ascii")
    match = _BLOB.fullmatch(text)
    if match is None or (version is not None and int(match.group(1)) != version):
        raise InvalidCiphertext()
    return text


class VaultTransitKeyProvider:
    """Root keys as the versions of one Vault / OpenBao transit key.

    Args:
        client: an authenticated ``hvac.Client`` (see :meth:`from_settings`).
        mount: where the transit engine is mounted.
        key_name: the transit key that holds the root versions.

    """

    name: ClassVar[str] = "vault-transit"

    def __init__(
        self, client: Any, mount: str = "transit", key_name: str = "privault-root"
    ) -> None:
        # ``client`` is Any: hvac ships no type information.
        if _MOUNT.fullmatch(mount) is None or _NAME.fullmatch(key_name) is None:
            raise ConfigurationError(
                f"invalid transit mount {mount!r} or key name {key_name!r} "
                "(letters, digits, '_', '-', '.'; no leading '.')"
            )
        self._client = client
        self._mount = mount
        self._key = key_name
        self._aad_verified = False

    def __repr__(self) -> str:
        return f"VaultTransitKeyProvider(mount={self._mount!r}, key_name={self._key!r})"

    @classmethod
    def from_settings(
        cls, addr: str, token: Secret[str], mount: str, key_name: str
    ) -> VaultTransitKeyProvider:
        """Build a provider with an ``hvac.Client`` for ``addr`` and ``token``.

        Raises:
            ConfigurationError: if hvac is not installed or the token is empty
                (hvac would then fall back to ``VAULT_TOKEN``/``~/.vault-token``).

        """
        try:
            import hvac
        except ImportError:
            raise ConfigurationError(
                "the vault-transit key provider needs hvac: install 'privault[vault]'"
            ) from None
        if not token.reveal():
            raise ConfigurationError("the vault-transit key provider needs a non-empty token")
        return cls(hvac.Client(url=addr, token=token.reveal(), timeout=15), mount, key_name)

    def create_version(self, version: int) -> str:
        """Return the ``key_ref`` of root ``version``.

        Version 1 creates the transit key (``aes256-gcm96``) or adopts an
        existing one and returns its latest version; later versions rotate it.

        Raises:
            ConfigurationError: if an existing key is not a plain
                ``aes256-gcm96`` key, or the server refuses or cannot be reached.

        """
        if version < 1:
            raise InvalidInput(f"root key versions start at 1, not {version}")
        transit = self._client.secrets.transit
        if version == 1:
            info = self._read_key(missing_ok=True)
            if info is None:
                self._call(
                    "create key",
                    lambda: transit.create_key(
                        self._key, key_type=_KEY_TYPE, mount_point=self._mount
                    ),
                )
                info = self._read_key()
        else:
            rotated = self._call(
                "rotate", lambda: transit.rotate_key(self._key, mount_point=self._mount)
            )
            # OpenBao answers with the rotated key, which is race-free; older servers say nothing.
            data = rotated.get("data") if isinstance(rotated, dict) else None
            info = self._checked(data) if isinstance(data, dict) else self._read_key()
        return f"v{int(info['latest_version'])}"

    def wrap(self, key_ref: str, key: bytes, context: Mapping[str, str]) -> bytes:
        """Encrypt ``key`` with transit version ``key_ref``, ``context`` as AAD.

        Returns:
            The transit ciphertext (``vault:vN:...``) as ASCII bytes.

        Raises:
            KeyDestroyed: if the version has been destroyed.
            NotFound: if the version does not exist (yet).
            ConfigurationError: if the server refuses or cannot be reached.

        """
        return self.batch_encrypt([key], context, key_ref=key_ref)[0]

    def unwrap(self, key_ref: str, blob: bytes, context: Mapping[str, str]) -> bytes:
        """Decrypt a blob made by :meth:`wrap` under the same ``key_ref`` and ``context``.

        Raises:
            InvalidCiphertext: if the blob was altered, is from another version
                or was wrapped under another context.
            KeyDestroyed: if the version has been destroyed.
            ConfigurationError: if the server refuses or cannot be reached.

        """
        version = _version(key_ref)
        ciphertext = _blob_text(blob, version)
        response = self._call(
            "decrypt",
            lambda: self._client.secrets.transit.decrypt_data(
                self._key,
                ciphertext=ciphertext,
                associated_data=_aad(context),
                mount_point=self._mount,
            ),
            key_ref,
        )
        return base64.b64decode(response["data"]["plaintext"])

    def destroy_version(self, key_ref: str) -> None:
        """Retire ``key_ref`` and all older versions (``min_decryption_version = N + 1``).

        Reversible by an operator who may configure the key; see the module
        docstring.

        Raises:
            Conflict: if ``key_ref`` is the latest version (rotate first).
            ConfigurationError: if the server refuses or cannot be reached.

        """
        version = _version(key_ref)
        info = self._read_key()
        current, latest = int(info["min_decryption_version"]), int(info["latest_version"])
        if version >= latest:
            raise Conflict(
                f"cannot destroy {key_ref}: it is the latest version of transit key "
                f"{self._mount}/{self._key}; create a new root version first"
            )
        target = max(current, version + 1)
        if target == current:
            return
        self._call(
            "configure key",
            lambda: self._client.secrets.transit.update_key_configuration(
                self._key, min_decryption_version=target, mount_point=self._mount
            ),
        )

    def batch_encrypt(
        self, values: list[bytes], context: Mapping[str, str], *, key_ref: str | None = None
    ) -> list[bytes]:
        """Encrypt many values in one request (transit ``batch_input``).

        Args:
            values: the plaintexts.
            context: bound to every value as AAD.
            key_ref: the version to use; the latest version when ``None``.

        Returns:
            One ``vault:vN:...`` blob per value, in order.

        Raises:
            KeyDestroyed: if the version has been destroyed.
            NotFound: if the version does not exist.
            ConfigurationError: if the server refuses or cannot be reached.

        """
        if not values:
            return []
        self._verify_aad_enforced()
        item: dict[str, Any] = {"associated_data": _aad(context)}
        if key_ref is not None:
            item["key_version"] = _version(key_ref)
        batch = [{**item, "plaintext": _b64(value)} for value in values]
        response = self._call(
            "encrypt",
            lambda: self._client.secrets.transit.encrypt_data(
                self._key, batch_input=batch, mount_point=self._mount
            ),
            key_ref,
        )
        results = response["data"]["batch_results"]
        if len(results) != len(values) or any(
            "error" in r or not r.get("ciphertext") for r in results
        ):
            raise ConfigurationError(f"transit encrypt on {self._where} returned a bad batch")
        return [str(r["ciphertext"]).encode("ascii") for r in results]

    def batch_decrypt(
        self, blobs: list[bytes], context: Mapping[str, str], *, key_ref: str | None = None
    ) -> list[bytes]:
        """Decrypt many blobs made under ``context`` in one request.

        Args:
            blobs: blobs from :meth:`wrap` or :meth:`batch_encrypt`.
            context: the context they were made under.
            key_ref: if given, every blob must be of that version.

        Raises:
            InvalidCiphertext: if any blob fails (``fields["failed"]`` lists
                the indices when the server says which).
            KeyDestroyed: if any blob's version has been destroyed.
            ConfigurationError: if the server refuses or cannot be reached.

        """
        if not blobs:
            return []
        version = None if key_ref is None else _version(key_ref)
        aad = _aad(context)
        batch = [{"ciphertext": _blob_text(b, version), "associated_data": aad} for b in blobs]
        response = self._call(
            "decrypt",
            lambda: self._client.secrets.transit.decrypt_data(
                self._key, batch_input=batch, mount_point=self._mount
            ),
            key_ref,
        )
        results = response["data"]["batch_results"]
        if len(results) != len(blobs) or any("error" in r for r in results):
            raise InvalidCiphertext()
        return [base64.b64decode(r["plaintext"]) for r in results]

    @property
    def _where(self) -> str:
        return f"transit key {self._mount}/{self._key}"

    def _read_key(self, *, missing_ok: bool = False) -> Any:
        """Return the key's metadata (``None`` if missing and ``missing_ok``)."""
        try:
            response = self._call(
                "read key",
                lambda: self._client.secrets.transit.read_key(self._key, mount_point=self._mount),
            )
        except NotFound:
            if missing_ok:
                return None
            raise
        return self._checked(response["data"])

    def _checked(self, info: Any) -> Any:
        """Return key metadata ``info`` after checking the key suits privault."""
        if info.get("type") != _KEY_TYPE or info.get("derived"):
            raise ConfigurationError(
                f"{self._where} is a {info.get('type')} key (derived={info.get('derived')}); "
                f"privault needs a plain {_KEY_TYPE} key"
            )
        return info

    def _verify_aad_enforced(self) -> None:
        """Check once that the server binds ``associated_data`` (old servers ignore it)."""
        if self._aad_verified:
            return
        self._read_key()  # must exist and suit us: encrypt alone would create a missing key
        transit = self._client.secrets.transit
        probe = self._call(
            "encrypt",
            lambda: transit.encrypt_data(
                self._key,
                plaintext=_b64(random_bytes(16)),
                associated_data=_b64(b"privault-aad-probe-1"),
                mount_point=self._mount,
            ),
        )["data"]["ciphertext"]
        try:
            self._call(
                "decrypt",
                lambda: transit.decrypt_data(
                    self._key,
                    ciphertext=probe,
                    associated_data=_b64(b"privault-aad-probe-2"),
                    mount_point=self._mount,
                ),
            )
        except InvalidCiphertext:
            self._aad_verified = True
            return
        raise ConfigurationError(
            f"{self._where}: the server ignores associated_data, so it cannot bind the "
            "context; upgrade OpenBao/Vault"
        )

    def _call(self, operation: str, call: Callable[[], _T], key_ref: str | None = None) -> _T:
        """Run one hvac call, translating its errors to privault ones."""
        try:
            return call()
        except _hvac_exceptions().VaultError as exc:
            error = self._translate(operation, exc, key_ref)
        except _transport_error() as exc:
            error = ConfigurationError(
                f"cannot reach OpenBao/Vault for {operation} on {self._where} "
                f"({type(exc).__name__})",
                operation=operation,
            )
        raise error  # outside the except: the hvac exception is neither chained nor context

    def _translate(self, operation: str, exc: Exception, key_ref: str | None) -> PrivaultError:
        """Map an hvac error to a privault error that quotes nothing from the server."""
        hv = _hvac_exceptions()
        if isinstance(exc, hv.Forbidden | hv.Unauthorized):
            return ConfigurationError(
                f"OpenBao/Vault refused {operation} on {self._where}: permission denied "
                "(check the token and its policy)",
                operation=operation,
            )
        if isinstance(exc, hv.InvalidPath) and operation == "read key":
            return NotFound(f"{self._where} does not exist")
        if isinstance(exc, hv.InvalidRequest) and operation in ("encrypt", "decrypt"):
            return self._crypto_error(operation, exc, key_ref or "a root key version")
        hint = " (is the transit engine mounted there?)" if isinstance(exc, hv.InvalidPath) else ""
        return ConfigurationError(
            f"OpenBao/Vault {operation} on {self._where} failed ({type(exc).__name__}){hint}",
            operation=operation,
        )

    def _crypto_error(self, operation: str, exc: Any, what: str) -> PrivaultError:
        """Classify a rejected encrypt/decrypt by the server's fixed error texts."""
        errors, failed = _server_errors(exc)
        text = " ".join(errors).lower()
        if any(hint in text for hint in _DESTROYED_HINTS):
            return KeyDestroyed(f"{what} of {self._where} has been destroyed")
        if operation == "decrypt":
            return InvalidCiphertext(failed=failed) if failed else InvalidCiphertext()
        if "higher than the latest" in text:
            return NotFound(f"{what} does not exist in {self._where}")
        return ConfigurationError(f"OpenBao/Vault rejected encrypt on {self._where}")


def _server_errors(exc: Any) -> tuple[list[str], list[int]]:
    """Return the error texts of a rejected request and the failed batch indices.

    Only for classification: never put these texts in a privault error.
    """
    body = exc.json if isinstance(getattr(exc, "json", None), dict) else {}
    data = body.get("data")
    results = data.get("batch_results") if isinstance(data, dict) else None
    if isinstance(results, list):
        failed = [i for i, r in enumerate(results) if isinstance(r, dict) and r.get("error")]
        return [str(results[i]["error"]) for i in failed], failed
    return [str(e) for e in (getattr(exc, "errors", None) or [])], []
