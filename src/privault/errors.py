"""Public home of the error tree (``privault.errors.PrivaultError``).

The classes live in :mod:`privault.core.errors`; this module re-exports them.
"""

from privault.core.errors import AccessDenied as AccessDenied
from privault.core.errors import AuditUnavailable as AuditUnavailable
from privault.core.errors import Busy as Busy
from privault.core.errors import ConfigurationError as ConfigurationError
from privault.core.errors import Conflict as Conflict
from privault.core.errors import IntegrityError as IntegrityError
from privault.core.errors import InvalidCiphertext as InvalidCiphertext
from privault.core.errors import InvalidInput as InvalidInput
from privault.core.errors import KeyDestroyed as KeyDestroyed
from privault.core.errors import NotFound as NotFound
from privault.core.errors import PrivaultError as PrivaultError
from privault.core.errors import UnknownPlugin as UnknownPlugin
from privault.core.errors import WrongPassphrase as WrongPassphrase

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
