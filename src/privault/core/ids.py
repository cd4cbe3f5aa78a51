"""Identifiers: short, random, prefixed by kind, sortable by creation time."""

from __future__ import annotations

import base64
import re
import secrets
import time
from typing import NewType

from privault.core.errors import InvalidInput

TenantId = NewType("TenantId", str)
RecordId = NewType("RecordId", str)
SubjectId = NewType("SubjectId", str)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def new_id(prefix: str) -> str:
    """Return a new id ``<prefix>_<26 base32hex chars>``.

    48 bits of milliseconds then 80 random bits, in base32hex (whose alphabet
    sorts like the values), so ids sort by creation time and are unguessable.
    """
    millis = int(time.time() * 1000) & 0xFFFFFFFFFFFF
    raw = millis.to_bytes(6, "big") + secrets.token_bytes(10)
    return f"{prefix}_{base64.b32hexencode(raw).decode().rstrip('=').lower()}"


def check_slug(value: str, what: str) -> str:
    """Validate a user-chosen name (tenant slug, record type, field).

    Raises:
        InvalidInput: if the name is not 1-63 chars of ``a-z0-9_-``.

    """
    if not _SLUG.match(value):
        raise InvalidInput(
            f"invalid {what} name {value!r}: use 1-63 characters a-z, 0-9, '_' or '-'",
            what=what,
        )
    return value
