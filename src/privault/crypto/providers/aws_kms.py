"""Root keys held by AWS KMS.

Each root version is one symmetric KMS key; its ``key_ref`` is the KMS key id
(an identifier, not a secret). Version 1 is the key the operator configured;
every later version is a new KMS key made by :meth:`create_version`, so a root
rotation here is "new KMS key, rewrap, retire the old one". The ``context``
goes to KMS as the encryption context: KMS binds it to the ciphertext (and
records it in CloudTrail, so it must hold ids, never customer data).

``destroy_version`` *disables* the KMS key instead of scheduling its deletion:

* KMS never deletes at once (7-30 days pending deletion) and deletion is
  irreversible after that, while a disabled key stops every Decrypt at once,
  which is the guarantee privault needs;
* a mistaken root destroy can be undone by an operator (``EnableKey``),
  whereas a deleted key loses every backup ever wrapped under it;
* version 1 is often a customer-managed key shared with other systems, and
  the runtime role should not hold ``kms:ScheduleKeyDeletion`` at all.
  Deleting retired keys is left to the operator's own change process.

botocore errors are translated at this boundary and re-raised outside the
``except`` block, so the botocore exception (which carries request data) is
neither chained nor attached as context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, ClassVar, TypeVar

from privault.core.errors import (
    ConfigurationError,
    InvalidCiphertext,
    InvalidInput,
    KeyDestroyed,
    NotFound,
    PrivaultError,
)

if TYPE_CHECKING:
    from mypy_boto3_kms.client import KMSClient

_T = TypeVar("_T")

_MAX_CIPHERTEXT = 6144  # KMS CiphertextBlob limit; longer cannot be ours
_BAD_CIPHERTEXT = frozenset({"InvalidCiphertextException", "IncorrectKeyException"})
_KEY_UNUSABLE = frozenset({"DisabledException", "KMSInvalidStateException"})


class AwsKmsKeyProvider:
    """Root keys as AWS KMS symmetric keys.

    Args:
        client: a boto3 KMS client (see :meth:`from_settings`).
        key_id: the KMS key (id, ARN or alias) that is root version 1.

    """

    name: ClassVar[str] = "aws-kms"

    def __init__(self, client: KMSClient, key_id: str) -> None:
        self._client = client
        self._key_id = key_id

    def __repr__(self) -> str:
        region = self._client.meta.region_name
        return f"AwsKmsKeyProvider(key_id={self._key_id!r}, region={region!r})"

    @classmethod
    def from_settings(
        cls, key_id: str, region: str, endpoint_url: str | None = None
    ) -> AwsKmsKeyProvider:
        """Build a provider with a boto3 KMS client (credentials from the usual chain).

        Raises:
            ConfigurationError: if boto3 is not installed or the settings are invalid.

        """
        try:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError
        except ImportError:
            raise ConfigurationError(
                "the aws-kms key provider needs boto3: install 'privault[aws]'"
            ) from None
        config = Config(
            connect_timeout=5, read_timeout=15, retries={"max_attempts": 3, "mode": "standard"}
        )
        try:
            client = boto3.client(
                "kms", region_name=region, endpoint_url=endpoint_url, config=config
            )
        except (BotoCoreError, ValueError) as exc:
            raise ConfigurationError(
                f"cannot build an AWS KMS client for region {region!r}: {type(exc).__name__}"
            ) from None
        return cls(client, key_id)

    def create_version(self, version: int) -> str:
        """Return the ``key_ref`` of root ``version``.

        Version 1 adopts the configured key (it must exist, be enabled and be
        a symmetric encryption key) and returns its resolved key id, so an
        alias that is later re-pointed cannot silently change the root key.
        Later versions create a new symmetric KMS key.

        Raises:
            NotFound: if the configured key does not exist.
            ConfigurationError: if it is disabled, of the wrong kind, or KMS
                cannot be reached.

        """
        if version < 1:
            raise InvalidInput(f"root key versions start at 1, not {version}")
        if version == 1:
            return self._adopt_configured_key()
        description = f"privault root key v{version}"
        created = self._call(
            "CreateKey",
            "(new key)",
            lambda: self._client.create_key(
                Description=description, KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT"
            ),
        )
        return created["KeyMetadata"]["KeyId"]

    def wrap(self, key_ref: str, key: bytes, context: Mapping[str, str]) -> bytes:
        """Encrypt ``key`` with KMS key ``key_ref``, ``context`` as encryption context.

        Raises:
            KeyDestroyed: if the KMS key is disabled or pending deletion.
            NotFound: if the KMS key does not exist.
            ConfigurationError: on any other KMS or connection failure.

        """
        response = self._call(
            "Encrypt",
            key_ref,
            lambda: self._client.encrypt(
                KeyId=key_ref, Plaintext=key, EncryptionContext=dict(context)
            ),
        )
        return response["CiphertextBlob"]

    def unwrap(self, key_ref: str, blob: bytes, context: Mapping[str, str]) -> bytes:
        """Decrypt a blob made by :meth:`wrap` under the same ``key_ref`` and ``context``.

        Raises:
            InvalidCiphertext: if the blob was altered, belongs to another key
                or was wrapped under another context.
            KeyDestroyed: if the KMS key is disabled, pending deletion or deleted.
            ConfigurationError: on any other KMS or connection failure.

        """
        if not 0 < len(blob) <= _MAX_CIPHERTEXT:
            raise InvalidCiphertext()
        response = self._call(
            "Decrypt",
            key_ref,
            lambda: self._client.decrypt(
                CiphertextBlob=blob, EncryptionContext=dict(context), KeyId=key_ref
            ),
        )
        return response["Plaintext"]

    def destroy_version(self, key_ref: str) -> None:
        """Disable KMS key ``key_ref`` (see the module docstring for why not delete).

        Idempotent: a key already disabled or pending deletion is left as is.

        Raises:
            NotFound: if the KMS key does not exist.
            ConfigurationError: on any other KMS or connection failure.

        """
        try:
            self._call("DisableKey", key_ref, lambda: self._client.disable_key(KeyId=key_ref))
        except KeyDestroyed:
            return

    def _adopt_configured_key(self) -> str:
        meta = self._call(
            "DescribeKey", self._key_id, lambda: self._client.describe_key(KeyId=self._key_id)
        )["KeyMetadata"]
        state = meta.get("KeyState", "Enabled" if meta.get("Enabled") else "Disabled")
        if state != "Enabled":
            raise ConfigurationError(
                f"KMS key {self._key_id} is {state}, not Enabled; enable it or configure "
                "another key",
                key_id=self._key_id,
            )
        spec = meta.get("KeySpec", "SYMMETRIC_DEFAULT")
        usage = meta.get("KeyUsage", "ENCRYPT_DECRYPT")
        if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
            raise ConfigurationError(
                f"KMS key {self._key_id} is {spec}/{usage}; privault needs a "
                "SYMMETRIC_DEFAULT key for ENCRYPT_DECRYPT",
                key_id=self._key_id,
            )
        return meta["KeyId"]

    def _call(self, operation: str, key_ref: str, call: Callable[[], _T]) -> _T:
        """Run one KMS call, translating botocore errors to privault ones."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return call()
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
            error = _translate(operation, key_ref, code)
        except BotoCoreError as exc:
            error = ConfigurationError(
                f"AWS KMS {operation} failed for key {key_ref}: {type(exc).__name__}",
                operation=operation,
            )
        raise error  # outside the except: no botocore exception chained or as context


def _translate(operation: str, key_ref: str, code: str) -> PrivaultError:
    """Map an AWS error code to a privault error that names no secret."""
    if code in _BAD_CIPHERTEXT:
        return InvalidCiphertext()
    if code in _KEY_UNUSABLE or (code == "NotFoundException" and operation == "Decrypt"):
        return KeyDestroyed(
            f"KMS key {key_ref} is disabled, pending deletion or deleted "
            f"(AWS {code} on {operation})",
            key_ref=key_ref,
        )
    if code == "NotFoundException":
        return NotFound(f"KMS key {key_ref} does not exist (AWS {code} on {operation})")
    return ConfigurationError(
        f"AWS KMS {operation} failed for key {key_ref}: {code}", operation=operation, code=code
    )
