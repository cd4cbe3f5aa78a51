"""Destruction certificates: a canonical JSON body signed with Ed25519.

The signature covers the canonical form of every key but ``signature``
(sorted keys, no spaces, UTF-8), so anyone with the public key can check a
certificate exported as JSON. Certificates carry ids, counts, rules and
audit event ids: never a value and never a subject id in clear.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from privault.crypto._primitives import ed25519_public_key, ed25519_sign, ed25519_verify

KIND = "privault.destruction-certificate"
ALGORITHM = "Ed25519"


def canonical(body: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: ``body`` without its signature, canonical JSON."""
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), default=str).encode()


def sign(body: Mapping[str, Any], seed: bytes) -> dict[str, Any]:
    """Return ``body`` with an Ed25519 ``signature`` block added."""
    signature = ed25519_sign(seed, canonical(body))
    return {
        **body,
        "signature": {
            "algorithm": ALGORITHM,
            "public_key": base64.b64encode(ed25519_public_key(seed)).decode(),
            "value": base64.b64encode(signature).decode(),
        },
    }


def verify(certificate: Mapping[str, Any], public_key: bytes | None = None) -> bool:
    """True if the certificate's signature holds (against ``public_key`` when given)."""
    block = certificate.get("signature")
    if not isinstance(block, Mapping) or block.get("algorithm") != ALGORITHM:
        return False
    try:
        key = base64.b64decode(str(block["public_key"]), validate=True)
        value = base64.b64decode(str(block["value"]), validate=True)
    except (ValueError, KeyError):
        return False
    if public_key is not None and key != public_key:
        return False
    return ed25519_verify(key, value, canonical(certificate))
