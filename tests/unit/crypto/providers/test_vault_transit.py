"""VaultTransitKeyProvider against a real OpenBao dev server (``bao server -dev``)."""

from __future__ import annotations

import base64
import sys
import traceback
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hvac
import pytest

from privault.core.errors import (
    ConfigurationError,
    Conflict,
    InvalidCiphertext,
    InvalidInput,
    KeyDestroyed,
    NotFound,
    PrivaultError,
)
from privault.core.secret import Secret
from privault.crypto.providers.vault_transit import VaultTransitKeyProvider

try:
    from tests.support.openbao import OpenBaoServer, openbao_dev_server
except ModuleNotFoundError:  # run as `pytest path/...` without the repo root on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[4]))
    from tests.support.openbao import OpenBaoServer, openbao_dev_server

KEY = bytes(range(32))
CTX = {"tenant": "t-1", "purpose": "tenant-key"}


@pytest.fixture(scope="module")
def bao() -> Iterator[OpenBaoServer]:
    with openbao_dev_server() as server:
        yield server


@pytest.fixture
def client(bao: OpenBaoServer) -> Any:
    return hvac.Client(url=bao.addr, token=bao.token.reveal())


@pytest.fixture
def key_name() -> str:
    return f"root-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def provider(bao: OpenBaoServer, key_name: str) -> VaultTransitKeyProvider:
    return VaultTransitKeyProvider.from_settings(bao.addr, bao.token, "transit", key_name)


def _assert_no_secret(exc: BaseException, *secrets: str | bytes) -> None:
    """Neither the error nor its rendered traceback may carry a secret."""
    rendered = "".join(traceback.format_exception(exc)) + repr(exc)
    if isinstance(exc, PrivaultError):
        rendered += repr(dict(exc.fields))
    for secret in secrets:
        forms = (
            [secret]
            if isinstance(secret, str)
            else [secret.hex(), base64.b64encode(secret).decode(), repr(secret)]
        )
        for form in forms:
            assert form not in rendered
    assert exc.__cause__ is None
    assert exc.__context__ is None
    assert "During handling of the above exception" not in rendered


def _min_decryption_version(client: Any, key_name: str) -> int:
    return int(client.secrets.transit.read_key(key_name)["data"]["min_decryption_version"])


def test_wrap_unwrap_round_trip(provider: VaultTransitKeyProvider) -> None:
    ref = provider.create_version(1)
    assert ref == "v1"
    blob = provider.wrap(ref, KEY, CTX)
    assert blob.startswith(b"vault:v1:")
    assert base64.b64encode(KEY) not in blob
    assert provider.unwrap(ref, blob, dict(reversed(CTX.items()))) == KEY


def test_create_version_1_adopts_an_existing_key(
    provider: VaultTransitKeyProvider, client: Any, key_name: str
) -> None:
    client.secrets.transit.create_key(key_name, key_type="aes256-gcm96")
    client.secrets.transit.rotate_key(key_name)
    assert provider.create_version(1) == "v2"
    assert provider.create_version(1) == "v2"  # idempotent


@pytest.mark.parametrize(
    "options", [{"key_type": "chacha20-poly1305"}, {"key_type": "aes256-gcm96", "derived": True}]
)
def test_create_version_1_refuses_an_unsuitable_existing_key(
    provider: VaultTransitKeyProvider, client: Any, key_name: str, options: dict[str, Any]
) -> None:
    client.secrets.transit.create_key(key_name, **options)
    with pytest.raises(ConfigurationError, match="aes256-gcm96"):
        provider.create_version(1)


@pytest.mark.parametrize(
    "other",
    [{"tenant": "t-2", "purpose": "tenant-key"}, {"tenant": "t-1"}, {**CTX, "extra": "x"}, {}],
)
def test_wrong_context_is_rejected(
    provider: VaultTransitKeyProvider, other: dict[str, str]
) -> None:
    ref = provider.create_version(1)
    blob = provider.wrap(ref, KEY, CTX)
    with pytest.raises(InvalidCiphertext) as caught:
        provider.unwrap(ref, blob, other)
    _assert_no_secret(caught.value, KEY)


def _flip_body_char(blob: bytes) -> bytes:
    prefix, body = blob.rsplit(b":", 1)
    i = len(body) // 2
    swapped = b"B" if body[i : i + 1] != b"B" else b"C"
    return prefix + b":" + body[:i] + swapped + body[i + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        _flip_body_char,
        lambda b: b[:-4],
        lambda b: b + b"AAAA",
        lambda b: b.replace(b"vault:v1:", b"vault:v2:"),
        lambda b: b.replace(b"vault:", b""),
        lambda b: b"\xff" + b,
        lambda b: b"",
    ],
    ids=["flip", "truncate", "extend", "other-version", "no-prefix", "non-ascii", "empty"],
)
def test_tampered_blob_is_rejected(provider: VaultTransitKeyProvider, tamper: Any) -> None:
    ref = provider.create_version(1)
    provider.create_version(2)
    blob = provider.wrap(ref, KEY, CTX)
    with pytest.raises(InvalidCiphertext) as caught:
        provider.unwrap(ref, tamper(blob), CTX)
    _assert_no_secret(caught.value, KEY)


def test_create_version_2_rotates_and_both_versions_unwrap(
    provider: VaultTransitKeyProvider,
) -> None:
    ref1, ref2 = provider.create_version(1), provider.create_version(2)
    assert (ref1, ref2) == ("v1", "v2")
    blob1, blob2 = provider.wrap(ref1, KEY, CTX), provider.wrap(ref2, KEY[::-1], CTX)
    assert blob2.startswith(b"vault:v2:")
    assert provider.unwrap(ref1, blob1, CTX) == KEY
    assert provider.unwrap(ref2, blob2, CTX) == KEY[::-1]
    with pytest.raises(InvalidCiphertext):
        provider.unwrap(ref2, blob1, CTX)  # a blob answers only to its own key_ref


def test_destroy_version_raises_min_decryption_version(
    provider: VaultTransitKeyProvider, client: Any, key_name: str
) -> None:
    ref1, ref2 = provider.create_version(1), provider.create_version(2)
    blob1, blob2 = provider.wrap(ref1, KEY, CTX), provider.wrap(ref2, KEY, CTX)
    provider.destroy_version(ref1)
    assert _min_decryption_version(client, key_name) == 2
    with pytest.raises(KeyDestroyed) as caught:
        provider.unwrap(ref1, blob1, CTX)
    assert "v1" in str(caught.value)
    _assert_no_secret(caught.value, KEY)
    with pytest.raises(KeyDestroyed):
        provider.wrap(ref1, KEY, CTX)
    assert provider.unwrap(ref2, blob2, CTX) == KEY
    provider.destroy_version(ref1)  # idempotent: never lowers the minimum
    assert _min_decryption_version(client, key_name) == 2


def test_destroying_a_version_retires_all_older_ones(
    provider: VaultTransitKeyProvider, client: Any, key_name: str
) -> None:
    refs = [provider.create_version(n) for n in (1, 2, 3)]
    blobs = [provider.wrap(ref, KEY, CTX) for ref in refs]
    provider.destroy_version("v2")
    assert _min_decryption_version(client, key_name) == 3
    for ref, blob in zip(refs[:2], blobs[:2], strict=True):
        with pytest.raises(KeyDestroyed):
            provider.unwrap(ref, blob, CTX)
    provider.destroy_version("v1")  # already covered: no change
    assert _min_decryption_version(client, key_name) == 3
    assert provider.unwrap("v3", blobs[2], CTX) == KEY


def test_destroying_the_latest_version_is_a_conflict(provider: VaultTransitKeyProvider) -> None:
    provider.create_version(1)
    with pytest.raises(Conflict, match="latest"):
        provider.destroy_version("v1")


def test_unknown_version_is_not_found(provider: VaultTransitKeyProvider) -> None:
    provider.create_version(1)
    with pytest.raises(NotFound, match="v9"):
        provider.wrap("v9", KEY, CTX)


def test_wrap_under_a_missing_transit_key_is_not_found_and_creates_nothing(
    provider: VaultTransitKeyProvider, client: Any, key_name: str
) -> None:
    with pytest.raises(NotFound, match=key_name):
        provider.wrap("v1", KEY, CTX)
    with pytest.raises(hvac.exceptions.InvalidPath):
        client.secrets.transit.read_key(key_name)


@pytest.mark.parametrize("ref", ["1", "v0", "v-1", "key", "v1 ", ""])
def test_malformed_key_ref_is_a_configuration_error(
    provider: VaultTransitKeyProvider, ref: str
) -> None:
    provider.create_version(1)
    with pytest.raises(ConfigurationError, match="key_ref"):
        provider.wrap(ref, KEY, CTX)


def test_version_below_1_is_invalid(provider: VaultTransitKeyProvider) -> None:
    with pytest.raises(InvalidInput):
        provider.create_version(0)


def test_batch_encrypt_decrypt_round_trip(provider: VaultTransitKeyProvider) -> None:
    provider.create_version(1)
    provider.create_version(2)
    values = [f"value-{i}".encode() for i in range(200)] + [b""]
    blobs = provider.batch_encrypt(values, CTX)
    assert len(blobs) == len(values)
    assert len(set(blobs)) == len(blobs)
    assert all(blob.startswith(b"vault:v2:") for blob in blobs)
    assert provider.batch_decrypt(blobs, CTX) == values
    assert provider.batch_decrypt(blobs, CTX, key_ref="v2") == values
    old = provider.batch_encrypt(values[:3], CTX, key_ref="v1")
    assert all(blob.startswith(b"vault:v1:") for blob in old)
    assert [provider.unwrap("v1", blob, CTX) for blob in old] == values[:3]
    assert provider.batch_encrypt([], CTX) == []
    assert provider.batch_decrypt([], CTX) == []


def test_batch_decrypt_with_one_bad_item_leaks_no_other_plaintext(
    provider: VaultTransitKeyProvider,
) -> None:
    provider.create_version(1)
    secrets = [f"secret-{i}-{uuid.uuid4().hex}".encode() for i in range(3)]
    blobs = provider.batch_encrypt(secrets, CTX)
    blobs[1] = provider.batch_encrypt([b"x"], {"tenant": "other"})[0]
    with pytest.raises(InvalidCiphertext) as caught:
        provider.batch_decrypt(blobs, CTX)
    assert caught.value.fields["failed"] == [1]
    _assert_no_secret(caught.value, *secrets)


def test_batch_decrypt_checks_the_version_when_asked(provider: VaultTransitKeyProvider) -> None:
    provider.create_version(1)
    blobs = provider.batch_encrypt([b"a"], CTX)
    provider.create_version(2)
    with pytest.raises(InvalidCiphertext):
        provider.batch_decrypt(blobs, CTX, key_ref="v2")


def test_batch_decrypt_of_a_destroyed_version_is_key_destroyed(
    provider: VaultTransitKeyProvider,
) -> None:
    provider.create_version(1)
    blobs = provider.batch_encrypt([b"a", b"b"], CTX)
    provider.create_version(2)
    provider.destroy_version("v1")
    with pytest.raises(KeyDestroyed):
        provider.batch_decrypt(blobs, CTX)


def test_wrong_token_is_a_configuration_error_without_the_token(
    bao: OpenBaoServer, provider: VaultTransitKeyProvider, key_name: str
) -> None:
    ref = provider.create_version(1)
    blob = provider.wrap(ref, KEY, CTX)
    token = "s.privault-wrong-" + uuid.uuid4().hex
    wrong = VaultTransitKeyProvider.from_settings(bao.addr, Secret(token), "transit", key_name)
    for call in (
        lambda: wrong.unwrap(ref, blob, CTX),
        lambda: wrong.wrap(ref, KEY, CTX),
        lambda: wrong.create_version(1),
    ):
        with pytest.raises(ConfigurationError, match="permission denied") as caught:
            call()
        _assert_no_secret(caught.value, token, bao.token.reveal(), KEY)


def test_empty_token_is_refused(bao: OpenBaoServer, key_name: str) -> None:
    with pytest.raises(ConfigurationError, match="token"):
        VaultTransitKeyProvider.from_settings(bao.addr, Secret(""), "transit", key_name)


def test_unreachable_server_is_a_configuration_error(bao: OpenBaoServer, key_name: str) -> None:
    down = VaultTransitKeyProvider.from_settings(
        "http://127.0.0.1:1", bao.token, "transit", key_name
    )
    with pytest.raises(ConfigurationError, match="cannot reach") as caught:
        down.unwrap("v1", b"vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", CTX)
    _assert_no_secret(caught.value, bao.token.reveal())


def test_missing_mount_is_a_configuration_error(bao: OpenBaoServer, key_name: str) -> None:
    provider = VaultTransitKeyProvider.from_settings(bao.addr, bao.token, "no-such-mount", key_name)
    with pytest.raises(ConfigurationError, match="mounted"):
        provider.create_version(1)


@pytest.mark.parametrize(("mount", "name"), [("transit", "a/b"), ("../sys", "k"), ("transit", "")])
def test_unsafe_mount_or_key_name_is_refused(client: Any, mount: str, name: str) -> None:
    with pytest.raises(ConfigurationError):
        VaultTransitKeyProvider(client, mount, name)


def test_repr_has_no_token(bao: OpenBaoServer, provider: VaultTransitKeyProvider) -> None:
    for text in (repr(provider), str(provider)):
        assert bao.token.reveal() not in text
        assert "transit" in text
    assert bao.token.reveal() not in repr(bao)


class _IgnoringTransit:
    """A transit API from a server that accepts but ignores ``associated_data``."""

    def read_key(self, name: str, **_: Any) -> Any:
        return {"data": {"type": "aes256-gcm96", "derived": False, "latest_version": 1}}

    def encrypt_data(self, name: str, **_: Any) -> Any:
        return {"data": {"ciphertext": "vault:v1:AAAA", "batch_results": []}}

    def decrypt_data(self, name: str, **_: Any) -> Any:
        return {"data": {"plaintext": ""}}


class _IgnoringClient:
    class secrets:
        transit = _IgnoringTransit()


def test_a_server_that_ignores_associated_data_is_refused() -> None:
    provider = VaultTransitKeyProvider(_IgnoringClient(), "transit", "root")
    with pytest.raises(ConfigurationError, match="associated_data"):
        provider.wrap("v1", KEY, CTX)


def test_dev_server_helper_stops_the_server() -> None:
    with openbao_dev_server() as server:
        with urllib.request.urlopen(f"{server.addr}/v1/sys/health", timeout=2) as resp:
            assert resp.status == 200
        assert "***" in repr(server)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{server.addr}/v1/sys/health", timeout=2)
