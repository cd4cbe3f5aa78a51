"""Keys for the keyed operators, derived from one caller-provided project key.

The library never stores or fetches keys: the caller (the masking service, a
script) passes a ``Secret[bytes]`` and every keyed operator derives its own
subkey with HKDF-SHA256, domain-separated by purpose. The same project key
therefore gives the same hashes, fakes, ciphertexts and date shifts in every
file, table and text it touches (consistency across a copy), while a
different key gives unrelated output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.crypto._primitives import HmacSha256, hkdf_sha256
from privault.deid.tokens import TokenStore

__all__ = ["MIN_KEY_BYTES", "DeidKeys"]

MIN_KEY_BYTES = 32
T = TypeVar("T")


class DeidKeys:
    """Per-purpose subkeys of one project key (HKDF-SHA256, ``privault/deid/<purpose>``).

    Args:
        project_key: at least 32 bytes of key material.
        tokens: where ``tokenize`` (kind ``vault``) keeps random tokens; None: no vault.

    Raises:
        InvalidInput: for a key shorter than 32 bytes.

    """

    __slots__ = ("_hmacs", "_master", "_memo", "_subkeys", "tokens")

    def __init__(self, project_key: Secret[bytes], *, tokens: TokenStore | None = None) -> None:
        material = project_key.reveal()
        if not isinstance(material, bytes) or len(material) < MIN_KEY_BYTES:
            raise InvalidInput(f"the de-identification key must be at least {MIN_KEY_BYTES} bytes")
        self._master = Secret(material)
        self._subkeys: dict[tuple[str, int], bytes] = {}
        self._hmacs: dict[str, HmacSha256] = {}
        self._memo: dict[str, Any] = {}
        self.tokens = tokens

    def __repr__(self) -> str:
        return "DeidKeys(***)"

    def subkey(self, purpose: str, length: int = 32) -> bytes:
        """Return the ``length``-byte subkey for ``purpose`` (cached)."""
        slot = (purpose, length)
        if slot not in self._subkeys:
            info = f"privault/deid/{purpose}".encode()
            self._subkeys[slot] = hkdf_sha256(self._master.reveal(), info=info, length=length)
        return self._subkeys[slot]

    def hmac(self, purpose: str) -> HmacSha256:
        """Return an HMAC-SHA256 instance keyed by the subkey for ``purpose`` (cached)."""
        if purpose not in self._hmacs:
            self._hmacs[purpose] = HmacSha256(self.subkey(purpose))
        return self._hmacs[purpose]

    def memo(self, slot: str, factory: Callable[[], T]) -> T:
        """Return state derived from these keys (e.g. fake-value pools), built once.

        Args:
            slot: a name unique to the kind of state (``"fake/en_US"``).
            factory: builds it on first use.

        """
        if slot not in self._memo:
            self._memo[slot] = factory()
        found: T = self._memo[slot]
        return found
