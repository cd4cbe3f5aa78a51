"""Settings: environment variables ``PRIVAULT_*`` over an optional TOML file.

Build them with :func:`load_settings` and pass them down; nothing reads the
environment at import time.

Precedence (highest first): explicit keyword overrides, ``PRIVAULT_*``
environment variables, the TOML file (``PRIVAULT_CONFIG`` or
``<data_dir>/privault.toml``), defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from privault.core.errors import ConfigurationError

ProviderName = Literal["local", "aws-kms", "vault-transit"]


class Settings(BaseSettings):
    """Every setting privault reads.

    Attributes:
        data_dir: where the embedded store and the sealed keyfile live.
        database_url: SQLAlchemy URL of the data store (records, audit).
        keystore_url: SQLAlchemy URL of the key store. Kept apart from the
            data store so that backups of the data never hold the data keys:
            that is what makes crypto-shredding reach backups.
        key_provider: which provider holds the root key.
        passphrase: unseals the local keyfile (``PRIVAULT_PASSPHRASE``).
        job_root: the only directory scans and masked copies started over the
            API or the dashboard may read or write (default: ``<data_dir>/files``).
        job_sql_urls: database URLs such jobs may scan (JSON list; exact match).
        job_workers: background job threads (more jobs wait in a bounded queue).

    """

    model_config = SettingsConfigDict(
        env_prefix="PRIVAULT_", extra="forbid", frozen=True, validate_default=True
    )

    data_dir: Path = Path(".privault")
    database_url: str = ""
    keystore_url: str = ""
    key_provider: ProviderName = "local"
    passphrase: SecretStr | None = None
    keyfile: Path | None = None
    kdf_memory_kib: int = Field(default=65536, ge=8192)
    kdf_iterations: int = Field(default=3, ge=1)
    aws_kms_key_id: str = ""
    aws_region: str = "us-east-1"
    aws_endpoint_url: str = ""
    vault_addr: str = "http://127.0.0.1:8200"
    vault_token: SecretStr | None = None
    vault_transit_mount: str = "transit"
    vault_transit_key: str = "privault-root"
    log_level: str = "WARNING"
    webauthn_rp_id: str = "localhost"
    share_storage: Literal["local", "s3"] = "local"
    share_s3_bucket: str = ""
    share_s3_prefix: str = "privault-shares/"
    share_s3_endpoint_url: str = ""
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_sender: str = "privault@localhost"
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    webauthn_origin: str = "http://localhost:8080"
    job_root: Path | None = None
    job_sql_urls: tuple[str, ...] = ()
    job_workers: int = Field(default=2, ge=1, le=16)

    @field_validator("database_url", "keystore_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:/// and postgresql+psycopg:// URLs are supported")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Add the TOML file below the environment."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml = _toml_path()
        if toml is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    @property
    def resolved_database_url(self) -> str:
        """The data store URL, defaulting to SQLite in ``data_dir``."""
        return self.database_url or f"sqlite:///{self.data_dir / 'privault.db'}"

    @property
    def resolved_keystore_url(self) -> str:
        """The key store URL, defaulting to SQLite in ``data_dir``."""
        return self.keystore_url or f"sqlite:///{self.data_dir / 'keys.db'}"

    @property
    def resolved_keyfile(self) -> Path:
        """The sealed root keyfile of the local provider."""
        return self.keyfile or self.data_dir / "root.key"


def _toml_path() -> Path | None:
    explicit = os.environ.get("PRIVAULT_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigurationError(f"config file {path} does not exist")
        return path
    data_dir = Path(os.environ.get("PRIVAULT_DATA_DIR", ".privault"))
    candidate = data_dir / "privault.toml"
    return candidate if candidate.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Build :class:`Settings` from overrides, the environment and the TOML file.

    Raises:
        ConfigurationError: naming the offending setting.

    """
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigurationError(f"bad setting {where}: {first['msg']}", setting=where) from None
