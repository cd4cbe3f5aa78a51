"""Credential items: what is sealed where, AADs, and who may open an item. Pure.

An item is sealed as two JSON documents under its own data key: the
*meta* part (title, login, URL), which listings decrypt after auditing the
list, and the *secret* part (password, TOTP seed, notes, custom fields),
which only a gated reveal opens. Both AADs bind tenant, item id, part and
version, so parts cannot be swapped between items, tenants or versions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.crypto._primitives import Aead

SECRET_FIELDS = ("password", "totp", "notes")
MAX_TEXT = 10_000


@dataclass(frozen=True, slots=True)
class ItemMeta:
    """What a listing shows."""

    title: str
    login: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class ItemSecrets:
    """What only a reveal shows; ``repr`` hides every value."""

    password: Secret[str] = field(default_factory=lambda: Secret(""))
    totp: Secret[str] = field(default_factory=lambda: Secret(""))
    notes: Secret[str] = field(default_factory=lambda: Secret(""))
    fields: Mapping[str, Secret[str]] = field(default_factory=dict)

    def get(self, name: str) -> Secret[str]:
        """One secret by name: ``password``, ``totp``, ``notes`` or ``field:<name>``.

        Raises:
            InvalidInput: unknown name.
        """
        if name in SECRET_FIELDS:
            value: Secret[str] = getattr(self, name)
            return value
        if name.startswith("field:") and name[6:] in self.fields:
            return self.fields[name[6:]]
        valid = [*SECRET_FIELDS, *(f"field:{k}" for k in self.fields)]
        raise InvalidInput(f"unknown item field {name!r}; valid: {', '.join(valid)}")


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item to add (or import)."""

    meta: ItemMeta
    secrets: ItemSecrets
    honeytoken: bool = False
    share_users: tuple[str, ...] = ()
    share_roles: tuple[str, ...] = ()
    rotate_days: int = 90


def check_item(item: NewItem) -> None:
    """Validate lengths and options (never quoting values).

    Raises:
        InvalidInput: naming the field.
    """
    if not item.meta.title.strip():
        raise InvalidInput("an item needs a title")
    texts = {"title": item.meta.title, "login": item.meta.login, "url": item.meta.url}
    texts |= {n: getattr(item.secrets, n).reveal() for n in SECRET_FIELDS}
    texts |= {f"field:{k}": v.reveal() for k, v in item.secrets.fields.items()}
    for name, text in texts.items():
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"item field {name} is longer than {MAX_TEXT} characters")
    if not 1 <= item.rotate_days <= 3650:
        raise InvalidInput("rotate days must be between 1 and 3650")


def aad(tenant_id: str, item_id: str, part: str, version: int) -> bytes:
    """The AAD of one sealed part of one item version."""
    return f"privault-cred/v1\x00{tenant_id}\x00{item_id}\x00{part}\x00{version}".encode()


def seal_meta(aead: Aead, meta: ItemMeta, where: bytes) -> bytes:
    """Seal the listing part."""
    doc = {"title": meta.title, "login": meta.login, "url": meta.url}
    return aead.seal(json.dumps(doc).encode(), where)


def open_meta(aead: Aead, sealed: bytes, where: bytes) -> ItemMeta:
    """Open the listing part."""
    doc = json.loads(aead.open(sealed, where))
    return ItemMeta(doc["title"], doc["login"], doc["url"])


def seal_secrets(aead: Aead, secrets: ItemSecrets, where: bytes) -> bytes:
    """Seal the secret part."""
    doc: dict[str, Any] = {n: getattr(secrets, n).reveal() for n in SECRET_FIELDS}
    doc["fields"] = {k: v.reveal() for k, v in secrets.fields.items()}
    return aead.seal(json.dumps(doc).encode(), where)


def open_secrets(aead: Aead, sealed: bytes, where: bytes) -> ItemSecrets:
    """Open the secret part."""
    doc = json.loads(aead.open(sealed, where))
    return ItemSecrets(
        Secret(doc["password"]),
        Secret(doc["totp"]),
        Secret(doc["notes"]),
        {k: Secret(v) for k, v in doc["fields"].items()},
    )


def may_open(
    principal_id: str,
    roles_on_tenant: frozenset[str],
    share_users: list[str],
    share_roles: list[str],
) -> bool:
    """Item-level sharing on top of the tenant policy.

    An item shared with nobody in particular is open to everyone the policy
    lets act on the tenant; otherwise the caller must be a named user (the
    id before any ``/apikey`` suffix) or hold a named role there.
    """
    if not share_users and not share_roles:
        return True
    base = principal_id.split("/", 1)[0]
    return base in share_users or bool(roles_on_tenant & set(share_roles))
