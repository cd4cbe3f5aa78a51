"""LocalKeyProvider: the passphrase-sealed keyfile."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from privault.core.errors import (
    ConfigurationError,
    Conflict,
    InvalidCiphertext,
    InvalidInput,
    KeyDestroyed,
    NotFound,
    WrongPassphrase,
)
from privault.core.secret import Secret
from privault.crypto.kdf import Argon2Params
from privault.crypto.providers.local import LocalKeyProvider

FAST = Argon2Params(memory_kib=8192, iterations=1, parallelism=1)
PASSPHRASE = Secret("correct horse battery staple")
KEY = bytes(range(32))
CTX = {"tenant": "t-1", "purpose": "tenant-key"}


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "root.keyfile"


@pytest.fixture
def provider(keyfile: Path) -> LocalKeyProvider:
    return LocalKeyProvider.create(keyfile, PASSPHRASE, FAST)


def _edit(path: Path, change: Any) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def test_create_then_open_round_trip(provider: LocalKeyProvider, keyfile: Path) -> None:
    ref = provider.create_version(1)
    blob = provider.wrap(ref, KEY, CTX)
    reopened = LocalKeyProvider.open(keyfile, Secret("correct horse battery staple"))
    assert reopened.unwrap(ref, blob, dict(reversed(CTX.items()))) == KEY


def test_keyfile_records_the_kdf_and_hides_the_keys(
    provider: LocalKeyProvider, keyfile: Path
) -> None:
    provider.create_version(1)
    doc = json.loads(keyfile.read_text())
    assert doc["format"] == "privault-keyfile"
    assert doc["kdf"]["alg"] == "argon2id"
    assert (doc["kdf"]["memory_kib"], doc["kdf"]["iterations"]) == (8192, 1)
    assert base64.b64encode(provider._keys["v1"]).decode() not in keyfile.read_text()


def test_wrong_passphrase_is_reported_clearly(provider: LocalKeyProvider, keyfile: Path) -> None:
    provider.create_version(1)
    wrong = "incorrect horse battery"
    with pytest.raises(WrongPassphrase, match="wrong passphrase") as caught:
        LocalKeyProvider.open(keyfile, Secret(wrong))
    assert wrong not in str(caught.value)
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["kdf"].update(memory_kib=64),  # lowered cost, still valid for argon2
        lambda d: d["kdf"].update(iterations=2),
        lambda d: d["kdf"].update(salt=base64.b64encode(b"\x00" * 16).decode()),
        lambda d: d.update(note="added"),
        lambda d: d.update(sealed=base64.b64encode(b"\x00" * 64).decode()),
    ],
    ids=["lower-memory", "iterations", "salt", "extra-field", "sealed"],
)
def test_tampered_keyfile_does_not_open(
    provider: LocalKeyProvider, keyfile: Path, tamper: Any
) -> None:
    provider.create_version(1)
    _edit(keyfile, tamper)
    with pytest.raises(WrongPassphrase):
        LocalKeyProvider.open(keyfile, PASSPHRASE)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["kdf"].update(iterations=0),
        lambda d: d["kdf"].update(parallelism=0),
        lambda d: d["kdf"].update(memory_kib=1),
        lambda d: d["kdf"].update(memory_kib=-5),
        lambda d: d["kdf"].update(salt=base64.b64encode(b"\x00" * 3).decode()),
    ],
    ids=["iterations-0", "parallelism-0", "memory-1", "memory-negative", "short-salt"],
)
def test_keyfile_with_impossible_kdf_params_is_a_configuration_error(
    provider: LocalKeyProvider, keyfile: Path, tamper: Any
) -> None:
    _edit(keyfile, tamper)
    with pytest.raises(ConfigurationError):
        LocalKeyProvider.open(keyfile, PASSPHRASE)


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", '{"format": "other", "version": 1}', '{"format": "privault-keyfile"}'],
)
def test_a_file_that_is_no_keyfile_is_a_configuration_error(keyfile: Path, content: str) -> None:
    keyfile.parent.mkdir(parents=True)
    keyfile.write_text(content)
    with pytest.raises(ConfigurationError):
        LocalKeyProvider.open(keyfile, PASSPHRASE)


def test_a_damaged_header_is_a_configuration_error(
    provider: LocalKeyProvider, keyfile: Path
) -> None:
    _edit(keyfile, lambda d: d["kdf"].pop("salt"))
    with pytest.raises(ConfigurationError, match="damaged header"):
        LocalKeyProvider.open(keyfile, PASSPHRASE)


def test_an_existing_keyfile_is_never_overwritten(
    provider: LocalKeyProvider, keyfile: Path
) -> None:
    provider.create_version(1)
    before = keyfile.read_bytes()
    with pytest.raises(Conflict, match="already exists"):
        LocalKeyProvider.create(keyfile, Secret("another long passphrase"), FAST)
    assert keyfile.read_bytes() == before


def test_a_short_passphrase_is_refused(keyfile: Path) -> None:
    with pytest.raises(InvalidInput, match="12 characters"):
        LocalKeyProvider.create(keyfile, Secret("short"), FAST)
    assert not keyfile.exists()


def test_a_missing_keyfile_is_not_found(keyfile: Path) -> None:
    with pytest.raises(NotFound, match="privault init"):
        LocalKeyProvider.open(keyfile, PASSPHRASE)


def test_create_version_adds_persistent_versions(provider: LocalKeyProvider, keyfile: Path) -> None:
    assert provider.create_version(1) == "v1"
    assert provider.create_version(2) == "v2"
    with pytest.raises(Conflict):
        provider.create_version(2)
    blob1, blob2 = provider.wrap("v1", KEY, CTX), provider.wrap("v2", KEY, CTX)
    assert blob1 != blob2
    reopened = LocalKeyProvider.open(keyfile, PASSPHRASE)
    assert reopened.unwrap("v1", blob1, CTX) == KEY
    assert reopened.unwrap("v2", blob2, CTX) == KEY
    with pytest.raises(InvalidCiphertext):
        reopened.unwrap("v2", blob1, CTX)


def test_destroy_version_is_persistent(provider: LocalKeyProvider, keyfile: Path) -> None:
    ref1, ref2 = provider.create_version(1), provider.create_version(2)
    blob1, blob2 = provider.wrap(ref1, KEY, CTX), provider.wrap(ref2, KEY, CTX)
    provider.unwrap(ref1, blob1, CTX)  # warm the cached AEAD: destroy must drop it too
    provider.destroy_version(ref1)
    with pytest.raises(KeyDestroyed):
        provider.unwrap(ref1, blob1, CTX)
    with pytest.raises(KeyDestroyed):
        provider.wrap(ref1, KEY, CTX)
    reopened = LocalKeyProvider.open(keyfile, PASSPHRASE)
    with pytest.raises(KeyDestroyed):
        reopened.unwrap(ref1, blob1, CTX)
    assert reopened.unwrap(ref2, blob2, CTX) == KEY
    provider.destroy_version(ref1)  # idempotent


@pytest.mark.parametrize(
    "other",
    [{"tenant": "t-2", "purpose": "tenant-key"}, {"tenant": "t-1"}, {**CTX, "extra": "x"}, {}],
)
def test_wrap_is_bound_to_its_context(provider: LocalKeyProvider, other: dict[str, str]) -> None:
    ref = provider.create_version(1)
    blob = provider.wrap(ref, KEY, CTX)
    with pytest.raises(InvalidCiphertext):
        provider.unwrap(ref, blob, other)


@pytest.mark.parametrize("position", [0, 12, 30, -1])
def test_tampered_blob_is_rejected(provider: LocalKeyProvider, position: int) -> None:
    ref = provider.create_version(1)
    blob = bytearray(provider.wrap(ref, KEY, CTX))
    blob[position] ^= 0x01
    with pytest.raises(InvalidCiphertext):
        provider.unwrap(ref, bytes(blob), CTX)
    with pytest.raises(InvalidCiphertext):
        provider.unwrap(ref, bytes(blob[:20]), CTX)


def test_keyfile_is_private_and_leaves_no_temp_file(
    provider: LocalKeyProvider, keyfile: Path
) -> None:
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    provider.create_version(1)
    provider.change_passphrase(Secret("a brand new passphrase"))
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    assert sorted(p.name for p in keyfile.parent.iterdir()) == [keyfile.name]


def test_a_stale_temp_file_cannot_widen_the_keyfile_mode(keyfile: Path) -> None:
    keyfile.parent.mkdir(parents=True)
    stale = keyfile.with_name(keyfile.name + ".tmp")
    stale.write_text("left over")
    stale.chmod(0o644)
    LocalKeyProvider.create(keyfile, PASSPHRASE, FAST)
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600


def test_a_symlinked_temp_file_is_not_followed(keyfile: Path, tmp_path: Path) -> None:
    keyfile.parent.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    os.symlink(victim, keyfile.with_name(keyfile.name + ".tmp"))
    with contextlib.suppress(OSError, Conflict):  # refusing is fine; following is not
        LocalKeyProvider.create(keyfile, PASSPHRASE, FAST)
    assert victim.read_text() == "precious"
    assert not keyfile.is_symlink()


def test_change_passphrase(provider: LocalKeyProvider, keyfile: Path) -> None:
    ref = provider.create_version(1)
    blob = provider.wrap(ref, KEY, CTX)
    new = Secret("a brand new passphrase")
    provider.change_passphrase(new)
    with pytest.raises(WrongPassphrase):
        LocalKeyProvider.open(keyfile, PASSPHRASE)
    assert LocalKeyProvider.open(keyfile, new).unwrap(ref, blob, CTX) == KEY


def test_repr_holds_no_key_material(provider: LocalKeyProvider) -> None:
    provider.create_version(1)
    text = repr(provider) + str(provider)
    assert "***" in text
    for secret in (provider._keys["v1"], provider._kek.reveal()):
        assert secret.hex() not in text
        assert base64.b64encode(secret).decode() not in text
        assert repr(secret) not in text
    assert PASSPHRASE.reveal() not in text
