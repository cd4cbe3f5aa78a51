"""The token-store port: where vault-backed ``tokenize`` keeps its random tokens.

The library stays pure: it never opens a database. A caller that wants
random, reversible tokens passes an object with these two methods (the
platform's adapter over the vault token service: per tenant, authorized and
audited, detokenization only for principals allowed to, with step-up MFA):

```python
keys = DeidKeys(project_key, tokens=store)   # store: TokenStore
mask_file(src, dest, policy, key=keys)       # policy: {operator: tokenize, kind: vault}
```

Contract for implementers:

1. ``tokenize`` returns one fresh, unguessable token per value, in order
   (equal values may get different tokens; the operator asks once per
   distinct value and reuses the answer inside one copy);
2. ``detokenize`` returns the values of tokens it issued, in order, and
   raises (``NotFound``, ``AccessDenied``…) rather than return a guess;
3. neither logs values or tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["TokenStore"]


class TokenStore(Protocol):
    """Issues and resolves random tokens (see the module docstring for the contract)."""

    def tokenize(self, values: Sequence[str], *, scope: str) -> list[str]:
        """Issue one token per value under ``scope``."""
        ...

    def detokenize(self, tokens: Sequence[str], *, scope: str) -> list[str]:
        """Return the value of each token issued under ``scope``."""
        ...
