"""Export documents of the credential vault: plain JSON, or sealed by a passphrase.

The sealed form is a JSON envelope whose ``data`` is AES-256-GCM under a key
derived from the passphrase with Argon2id (parameters and salt in the
envelope, so it opens anywhere). Honeytokens are never exported.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.credentials.items import SECRET_FIELDS, ItemMeta, ItemSecrets, NewItem
from privault.crypto._primitives import Aead, random_bytes
from privault.crypto.kdf import Argon2Params, derive_key

PLAIN_FORMAT = "privault-credentials"
SEALED_FORMAT = "privault-credentials-sealed"
_AAD = b"privault-cred-export/v1"
MIN_PASSPHRASE = 12


def document(items: list[tuple[ItemMeta, ItemSecrets]]) -> dict[str, Any]:
    """The plain export document."""
    rows = []
    for meta, secrets in items:
        row: dict[str, Any] = {"title": meta.title, "login": meta.login, "url": meta.url}
        row |= {n: getattr(secrets, n).reveal() for n in SECRET_FIELDS}
        row["fields"] = {k: v.reveal() for k, v in secrets.fields.items()}
        rows.append(row)
    return {"format": PLAIN_FORMAT, "version": 1, "items": rows}


def seal(doc: dict[str, Any], passphrase: Secret[str], params: Argon2Params) -> bytes:
    """Seal an export document under a passphrase.

    Raises:
        InvalidInput: passphrase shorter than :data:`MIN_PASSPHRASE`.
    """
    if len(passphrase.reveal()) < MIN_PASSPHRASE:
        raise InvalidInput(f"the export passphrase needs at least {MIN_PASSPHRASE} characters")
    salt = random_bytes(16)
    data = Aead(derive_key(passphrase, salt, params)).seal(json.dumps(doc).encode(), _AAD)
    envelope = {
        "format": SEALED_FORMAT,
        "version": 1,
        "kdf": {
            "name": "argon2id",
            "salt": base64.b64encode(salt).decode(),
            "memory_kib": params.memory_kib,
            "iterations": params.iterations,
            "parallelism": params.parallelism,
        },
        "cipher": "aes-256-gcm",
        "data": base64.b64encode(data).decode(),
    }
    return json.dumps(envelope, indent=1).encode()


def unseal(blob: bytes, passphrase: Secret[str]) -> dict[str, Any]:
    """Open a sealed export.

    Raises:
        InvalidInput: not a sealed export.
        InvalidCiphertext: wrong passphrase or tampered file.
    """
    try:
        env = json.loads(blob)
        kdf = env["kdf"]
        params = Argon2Params(kdf["memory_kib"], kdf["iterations"], kdf["parallelism"])
        salt, data = base64.b64decode(kdf["salt"]), base64.b64decode(env["data"])
        ok = env["format"] == SEALED_FORMAT
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("not a sealed privault credential export") from None
    if not ok:
        raise InvalidInput("not a sealed privault credential export")
    loaded: dict[str, Any] = json.loads(Aead(derive_key(passphrase, salt, params)).open(data, _AAD))
    return loaded


def items_from(doc: dict[str, Any]) -> list[NewItem]:
    """Items of a (plain or unsealed) privault export document.

    Raises:
        InvalidInput: not a privault export.
    """
    if not isinstance(doc, dict) or doc.get("format") != PLAIN_FORMAT:
        raise InvalidInput("not a privault credential export")
    try:
        return [
            NewItem(
                ItemMeta(r["title"], r["login"], r["url"]),
                ItemSecrets(
                    Secret(str(r["password"])),
                    Secret(str(r["totp"])),
                    Secret(str(r["notes"])),
                    {k: Secret(str(v)) for k, v in r["fields"].items()},
                ),
            )
            for r in doc["items"]
        ]
    except (KeyError, TypeError, AttributeError):
        raise InvalidInput("the privault export is malformed") from None
