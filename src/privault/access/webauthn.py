"""WebAuthn second factor (the ``webauthn`` library does the verification).

Registration: :func:`registration_options` → browser → :func:`verify_registration`.
Authentication: :func:`authentication_options` → browser → :func:`verify_authentication`.
The caller stores the challenge between the two halves (single use) and the
credential's public key and signature counter after registration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import webauthn
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import PublicKeyCredentialDescriptor

from privault.core.errors import AccessDenied, InvalidInput


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """This privault as a WebAuthn relying party."""

    id: str  # the host name users browse to, e.g. "privault.example.com"
    name: str
    origin: str  # e.g. "https://privault.example.com"


@dataclass(frozen=True, slots=True)
class Registered:
    """A verified new credential."""

    credential_id: str  # base64url
    public_key: bytes
    sign_count: int


def registration_options(
    rp: RelyingParty, user_id: str, username: str, existing: Sequence[str]
) -> tuple[str, bytes]:
    """Options JSON for ``navigator.credentials.create`` and the challenge to keep."""
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=username,
        user_id=user_id.encode(),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in existing
        ],
    )
    return webauthn.options_to_json(options), options.challenge


def verify_registration(rp: RelyingParty, response_json: str, challenge: bytes) -> Registered:
    """Check the browser's registration response.

    Raises:
        InvalidInput: the response is malformed or does not match the challenge.
    """
    try:
        verified = webauthn.verify_registration_response(
            credential=response_json,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (InvalidRegistrationResponse, InvalidJSONStructure, ValueError, KeyError) as exc:
        raise InvalidInput(f"WebAuthn registration refused: {type(exc).__name__}") from None
    return Registered(
        bytes_to_base64url(verified.credential_id),
        verified.credential_public_key,
        verified.sign_count,
    )


def authentication_options(rp: RelyingParty, credential_ids: Sequence[str]) -> tuple[str, bytes]:
    """Options JSON for ``navigator.credentials.get`` and the challenge to keep."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in credential_ids
        ],
    )
    return webauthn.options_to_json(options), options.challenge


def verify_authentication(
    rp: RelyingParty, response_json: str, challenge: bytes, public_key: bytes, sign_count: int
) -> int:
    """Check an assertion; return the credential's new signature counter.

    Raises:
        AccessDenied: the assertion is invalid (wrong key, challenge, origin,
            or a counter that went backwards: a cloned authenticator).
    """
    try:
        verified = webauthn.verify_authentication_response(
            credential=response_json,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
        )
    except (InvalidAuthenticationResponse, InvalidJSONStructure, ValueError, KeyError) as exc:
        raise AccessDenied(f"WebAuthn assertion refused: {type(exc).__name__}") from None
    return int(verified.new_sign_count)
