"""Write side of field encryption: envelopes and blind indexes.

Envelope format 1 (bytes): ``b"pv" 0x01 || nonce(12) || ciphertext || tag(16)``.
The AAD is the header plus the field's address (tenant, record type, record
id, field name), length-prefixed, so a ciphertext moved to another field,
record, record type or tenant fails authentication. The key is the data
subject's DEK (see :mod:`privault.keys.hierarchy`).
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from hashlib import sha256

from privault.crypto._primitives import Aead

ENVELOPE_HEADER = b"pv\x01"
BLIND_INDEX_BYTES = 16


def _lp(part: str) -> bytes:
    data = part.encode()
    return len(data).to_bytes(2, "big") + data


def field_aad(tenant_id: str, record_type: str, record_id: str, field: str) -> bytes:
    """The AAD binding a ciphertext to one field of one record."""
    return aad_prefix(tenant_id, record_type) + _lp(record_id) + _lp(field)


def aad_prefix(tenant_id: str, record_type: str) -> bytes:
    """The part of :func:`field_aad` shared by every record of a type (hot paths)."""
    return ENVELOPE_HEADER + _lp(tenant_id) + _lp(record_type)


def aad_part(value: str) -> bytes:
    """One length-prefixed part of :func:`field_aad` (record id or field name)."""
    return _lp(value)


def seal_field(aead: Aead, plaintext: str, aad: bytes) -> bytes:
    """Encrypt one field value into an envelope."""
    return ENVELOPE_HEADER + aead.seal(plaintext.encode("utf-8"), aad)


def normalize_for_index(value: str, pii: str | None) -> str:
    """Normalise a value so equal values (by meaning) index equal."""
    # ASCII text is its own NFKC form: skip the (slower) normalisation call.
    value = (value if value.isascii() else unicodedata.normalize("NFKC", value)).strip()
    if pii in ("PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "US_BANK_NUMBER"):
        return re.sub(r"\D", "", value)
    if pii == "IBAN_CODE":
        return re.sub(r"\s", "", value).upper()
    return " ".join(value.casefold().split())


def blind_index(key: bytes, value: str, pii: str | None) -> bytes:
    """Keyed HMAC-SHA256 of the normalised value, truncated to 128 bits."""
    digest = hmac.new(key, normalize_for_index(value, pii).encode(), sha256).digest()
    return digest[:BLIND_INDEX_BYTES]
