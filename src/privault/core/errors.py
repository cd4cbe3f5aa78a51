"""The one error tree of privault.

Every error privault raises on purpose is a :class:`PrivaultError`. Interfaces
map the tree to exit codes (CLI) and HTTP statuses (API) in one place each.

```
PrivaultError                      code            exit  http
├── InvalidInput(ValueError)       invalid_input      2   422
│   ├── UnknownPlugin(LookupError) unknown_plugin     2   422
│   └── WrongPassphrase            wrong_passphrase   2   401
├── NotFound(LookupError)          not_found          2   404
├── AccessDenied(PermissionError)  access_denied      1   403
├── Conflict                       conflict           1   409
├── IntegrityError                 integrity_error    1   500
│   ├── InvalidCiphertext          invalid_ciphertext 1   500
│   └── KeyDestroyed               key_destroyed      1   410
├── AuditUnavailable               audit_unavailable  1   503
├── Busy                           busy               1   503
└── ConfigurationError             configuration      2   500
```

User errors (``InvalidInput``, ``NotFound``, ``AccessDenied``, ``Conflict``)
carry messages fit to show a user. Messages never contain plaintext customer
data or secrets: they name fields, ids, line numbers and types, never values.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

__all__ = [
    "AccessDenied",
    "AuditUnavailable",
    "Busy",
    "ConfigurationError",
    "Conflict",
    "IntegrityError",
    "InvalidCiphertext",
    "InvalidInput",
    "KeyDestroyed",
    "NotFound",
    "PrivaultError",
    "UnknownPlugin",
    "WrongPassphrase",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class PrivaultError(Exception):
    """Root of every error privault raises on purpose.

    Attributes:
        code: a stable machine-readable code.
        exit_code: the CLI exit code for this error.
        http_status: the HTTP status the API answers with.
        fields: structured, non-sensitive detail (ids, names, line numbers).

    """

    code: ClassVar[str] = "privault_error"
    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields: Mapping[str, Any] = MappingProxyType(dict(fields)) if fields else _EMPTY

    def __str__(self) -> str:
        return self.message


class InvalidInput(PrivaultError, ValueError):
    """The caller's input is malformed or breaks a rule (unknown field, bad type…)."""

    code = "invalid_input"
    exit_code = 2
    http_status = 422


class UnknownPlugin(InvalidInput, LookupError):
    """A registry was asked for a name it does not hold."""

    code = "unknown_plugin"


class WrongPassphrase(InvalidInput):
    """The passphrase does not unseal the keyfile."""

    code = "wrong_passphrase"
    http_status = 401


class NotFound(PrivaultError, LookupError):
    """The named object does not exist (or is not visible to the caller)."""

    code = "not_found"
    exit_code = 2
    http_status = 404


class AccessDenied(PrivaultError, PermissionError):
    """The policy decision denied the request."""

    code = "access_denied"
    http_status = 403


class Conflict(PrivaultError):
    """The request conflicts with the current state (duplicate, wrong state)."""

    code = "conflict"
    http_status = 409


class IntegrityError(PrivaultError):
    """Stored data failed an integrity check (tampering, corruption)."""

    code = "integrity_error"


class InvalidCiphertext(IntegrityError):
    """A ciphertext failed authentication; deliberately says nothing more."""

    code = "invalid_ciphertext"

    def __init__(self, message: str = "ciphertext failed authentication", **fields: Any) -> None:
        super().__init__(message, **fields)


class KeyDestroyed(IntegrityError):
    """The key needed has been destroyed (crypto-shredded or retired)."""

    code = "key_destroyed"
    http_status = 410


class AuditUnavailable(PrivaultError):
    """The audit record could not be written, so the operation was refused."""

    code = "audit_unavailable"
    http_status = 503


class Busy(PrivaultError):
    """The store is overloaded (no connection free in time); retrying later may work."""

    code = "busy"
    http_status = 503


class ConfigurationError(PrivaultError):
    """Settings are missing or inconsistent."""

    code = "configuration"
    exit_code = 2
