"""The contract every root-key provider meets.

The key hierarchy (not the provider) keeps the list of root-key versions and
which wrapped keys use which version. A provider only creates, uses and
destroys the key material behind a ``key_ref`` it handed out.

Implementer's checklist:

* ``name`` is a class-level constant, the registry key.
* ``create_version(n)`` makes key material for root version ``n`` and returns
  an opaque ``key_ref`` (no secret in it: it is stored in clear).
* ``wrap``/``unwrap`` bind the ``context`` (string map) to the ciphertext, so a
  wrapped key cannot be moved to another tenant; ``unwrap`` raises
  :class:`~privault.core.errors.InvalidCiphertext` on any failure and
  :class:`~privault.core.errors.KeyDestroyed` when the version is gone.
* ``destroy_version`` makes the version unusable for decryption.
* No method logs or returns key material except ``unwrap``'s result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import ClassVar, Protocol


class KeyProvider(Protocol):
    """A holder of root keys that wraps and unwraps tenant keys."""

    name: ClassVar[str]

    def create_version(self, version: int) -> str:
        """Create key material for root ``version``; return its ``key_ref``."""
        ...

    def wrap(self, key_ref: str, key: bytes, context: Mapping[str, str]) -> bytes:
        """Encrypt ``key`` under the root key ``key_ref``, bound to ``context``."""
        ...

    def unwrap(self, key_ref: str, blob: bytes, context: Mapping[str, str]) -> bytes:
        """Decrypt a blob made by :meth:`wrap` with the same ``context``."""
        ...

    def destroy_version(self, key_ref: str) -> None:
        """Make ``key_ref`` unusable for any further unwrap."""
        ...


def canonical_context(context: Mapping[str, str]) -> bytes:
    """Serialise a context map deterministically (sorted keys, compact JSON)."""
    return json.dumps(dict(context), sort_keys=True, separators=(",", ":")).encode()
