"""The ``tokenize`` operator: vault-backed random tokens, or deterministic keyed tokens.

* ``kind: vault`` — a random token per distinct value from the caller's
  :class:`~privault.deid.tokens.TokenStore` (the platform's vault, per tenant);
  reversible only through that store, i.e. only for principals allowed to
  detokenize. Within one copy or text batch the same value keeps its token.
* ``kind: deterministic`` — ``dtk_`` + 128 bits of ``HMAC(project key, scope|value)``
  in base32: the same value gives the same token in every file under the key
  (joins work); one-way (nothing is stored).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from privault.core.errors import InvalidInput
from privault.deid.operators.base import Binding, Operator, OperatorParams
from privault.deid.tokens import TokenStore

__all__ = ["Tokenize", "TokenizeParams"]


class TokenizeParams(OperatorParams):
    """Parameters of :class:`Tokenize`.

    Attributes:
        kind: ``vault`` (random, stored, reversible) or ``deterministic`` (keyed, one-way).
        scope: token namespace; deterministic tokens are equal only within one scope.

    """

    kind: Literal["vault", "deterministic"] = "deterministic"
    scope: str = Field(default="deid", pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")


class Tokenize(Operator[TokenizeParams]):
    """Replace the value by a token (see the module docstring)."""

    name = "tokenize"
    Params = TokenizeParams
    needs_key = True
    reversible = True

    def __init__(self, params: TokenizeParams, binding: Binding) -> None:
        super().__init__(params, binding)
        self._store: TokenStore | None = self.keys.tokens
        if params.kind == "vault" and self._store is None:
            raise InvalidInput(
                "tokenize kind 'vault' needs the vault token store; "
                "run it for a tenant (e.g. --tenant)",
                operator=self.name,
            )
        self._mac = self.keys.hmac(f"tokenize/{params.scope}")
        self._issued: dict[str, str] = {}  # one token per value inside this copy
        self._resolved: dict[str, str] = {}

    @property
    def reverses(self) -> bool:
        """Only vault tokens can be turned back into values."""
        return self.params.kind == "vault"

    def apply(self, value: str, subject: str | None = None) -> str:
        """Return the token of ``value``."""
        out = self.apply_many([value])[0]
        assert out is not None  # a value in, a token out
        return out

    def apply_many(
        self, values: Sequence[str | None], subjects: Sequence[str | None] | None = None
    ) -> list[str | None]:
        """Tokenize a batch: one store call for the values not tokenized yet."""
        if self._store is None or self.params.kind == "deterministic":
            return [None if v is None else self._keyed(v) for v in values]
        fresh = list(dict.fromkeys(v for v in values if v is not None and v not in self._issued))
        if fresh:
            tokens = self._store.tokenize(fresh, scope=self.params.scope)
            self._issued.update(zip(fresh, tokens, strict=True))
        return [None if v is None else self._issued[v] for v in values]

    def _keyed(self, value: str) -> str:
        mac = self._mac.digest(value.encode())[:16]
        return "dtk_" + base64.b32encode(mac).decode().rstrip("=").lower()

    def reverse(self, value: str) -> str:
        """Return the value of a vault token (through the store: authorized, audited).

        Raises:
            InvalidInput: deterministic tokens are one-way.

        """
        return self.reverse_many([value])[0]

    def reverse_many(self, tokens: Sequence[str]) -> list[str]:
        """Resolve many vault tokens with one store call.

        Raises:
            InvalidInput: deterministic tokens are one-way.

        """
        if self._store is None or self.params.kind != "vault":
            raise InvalidInput("deterministic tokens are one-way; use kind: vault to reverse")
        wanted = list(dict.fromkeys(t for t in tokens if t not in self._resolved))
        if wanted:
            values = self._store.detokenize(wanted, scope=self.params.scope)
            self._resolved.update(zip(wanted, values, strict=True))
        return [self._resolved[t] for t in tokens]
