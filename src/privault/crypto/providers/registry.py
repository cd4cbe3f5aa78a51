"""Build the configured root-key provider from settings."""

from __future__ import annotations

from privault.core.errors import ConfigurationError
from privault.core.secret import Secret
from privault.core.settings import Settings
from privault.crypto.kdf import Argon2Params
from privault.crypto.providers.base import KeyProvider

PROVIDERS = ("local", "aws-kms", "vault-transit")


def build_provider(
    settings: Settings, passphrase: Secret[str] | None, *, create: bool = False
) -> KeyProvider:
    """Return the provider ``settings.key_provider`` names.

    Args:
        settings: where the provider's configuration comes from.
        passphrase: unseals (or, with ``create``, seals) the local keyfile.
        create: make a new local keyfile instead of opening one.

    Raises:
        ConfigurationError: missing configuration (passphrase, key id, token).

    """
    name = settings.key_provider
    if name == "local":
        return _local(settings, passphrase, create)
    if name == "aws-kms":
        from privault.crypto.providers.aws_kms import AwsKmsKeyProvider

        if not settings.aws_kms_key_id:
            raise ConfigurationError("aws-kms needs PRIVAULT_AWS_KMS_KEY_ID")
        return AwsKmsKeyProvider.from_settings(
            settings.aws_kms_key_id, settings.aws_region, settings.aws_endpoint_url or None
        )
    from privault.crypto.providers.vault_transit import VaultTransitKeyProvider

    if settings.vault_token is None:
        raise ConfigurationError("vault-transit needs PRIVAULT_VAULT_TOKEN")
    return VaultTransitKeyProvider.from_settings(
        settings.vault_addr,
        Secret(settings.vault_token.get_secret_value()),
        settings.vault_transit_mount,
        settings.vault_transit_key,
    )


def _local(settings: Settings, passphrase: Secret[str] | None, create: bool) -> KeyProvider:
    from privault.crypto.providers.local import LocalKeyProvider

    if passphrase is None:
        raise ConfigurationError(
            "the local keyfile needs a passphrase: set PRIVAULT_PASSPHRASE or enter it "
            "at the prompt"
        )
    path = settings.resolved_keyfile
    if create:
        params = Argon2Params(settings.kdf_memory_kib, settings.kdf_iterations)
        return LocalKeyProvider.create(path, passphrase, params)
    return LocalKeyProvider.open(path, passphrase)
