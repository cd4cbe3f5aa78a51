"""Core value types: errors, Secret, Registry, ids, settings."""

from __future__ import annotations

from pathlib import Path

import pytest

import privault
from privault.core.errors import (
    AccessDenied,
    InvalidInput,
    NotFound,
    PrivaultError,
    UnknownPlugin,
    WrongPassphrase,
)
from privault.core.ids import check_slug, new_id
from privault.core.registry import Registry
from privault.core.secret import Secret
from privault.core.settings import load_settings
from privault.errors import PrivaultError as PublicError


def test_error_tree_codes_and_builtin_bases() -> None:
    assert PublicError is PrivaultError
    assert issubclass(InvalidInput, ValueError) and InvalidInput.exit_code == 2
    assert issubclass(NotFound, LookupError) and NotFound.http_status == 404
    assert issubclass(AccessDenied, PermissionError) and AccessDenied.exit_code == 1
    assert issubclass(WrongPassphrase, InvalidInput)
    err = InvalidInput("bad", field="email")
    assert err.fields == {"field": "email"}


def test_secret_never_prints() -> None:
    s = Secret("hunter2-canary")
    assert "hunter2" not in repr(s) and "hunter2" not in str(s) and "hunter2" not in f"{s}"
    assert s.reveal() == "hunter2-canary"
    assert Secret(b"a") == Secret(b"a") and Secret("a") != Secret("b")
    with pytest.raises(TypeError):
        hash(s)


def test_registry_lists_valid_names() -> None:
    reg: Registry[int] = Registry("widget")
    reg.register("one", 1)
    assert reg.get("one") == 1 and "one" in reg and len(reg) == 1
    with pytest.raises(UnknownPlugin, match="valid: one"):
        reg.get("two")


def test_ids_and_slugs() -> None:
    a, b = new_id("rec"), new_id("rec")
    assert a != b and a.startswith("rec_") and len(a) == 30
    assert check_slug("acme-1", "tenant") == "acme-1"
    with pytest.raises(InvalidInput):
        check_slug("Bad Name", "tenant")


def test_settings_env_over_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "privault.toml"
    cfg.write_text('key_provider = "local"\nlog_level = "INFO"\naws_region = "eu-west-1"\n')
    monkeypatch.setenv("PRIVAULT_CONFIG", str(cfg))
    monkeypatch.setenv("PRIVAULT_LOG_LEVEL", "DEBUG")
    s = load_settings(data_dir=tmp_path)
    assert s.log_level == "DEBUG" and s.aws_region == "eu-west-1"
    assert s.resolved_database_url == f"sqlite:///{tmp_path / 'privault.db'}"
    monkeypatch.setenv("PRIVAULT_KEY_PROVIDER", "nope")
    with pytest.raises(PrivaultError, match="key_provider"):
        load_settings()


def test_public_api_is_declared() -> None:
    assert set(privault.__all__) <= set(dir(privault))
    for name in privault.__all__:
        assert getattr(privault, name) is not None
    with pytest.raises(AttributeError):
        privault.no_such_name  # noqa: B018
