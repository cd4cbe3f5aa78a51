"""Rotation, rewrap (resumable) and retirement with all data intact."""

from __future__ import annotations

import pytest

from privault.app.bootstrap import Platform
from privault.core.context import RequestContext
from privault.core.errors import Conflict, KeyDestroyed
from tests.support.data import customer


def _plain(platform: Platform, tenant: str, admin: RequestContext, ids: list[str]) -> list[dict]:
    return [r.fields for r in platform.gate.read(admin, tenant, ids, purpose="x", view="plain")]


def test_root_rotation_and_rewrap_keep_data(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(30)])
    before = _plain(platform, tenant, admin, ids)
    assert platform.key_admin.rotate(admin) == 2
    # New tenants are wrapped by v2 at once; old tenant keys still unwrap under v1.
    platform.tenants.create(admin, "newco")
    assert _plain(platform, tenant, admin, ids) == before
    report = platform.key_admin.rewrap(admin)
    assert report.tenant_keys == 6  # acme and _platform: kek, index, token each
    status = platform.key_admin.status(admin)
    root_v1 = next(s for s in status if s.scope == "root" and s.version == 1)
    assert root_v1.wraps == 0 and not root_v1.current
    platform.key_admin.retire_root(admin, 1)
    assert _plain(platform, tenant, admin, ids) == before
    fresh = platform.vault.put(admin, tenant, "customer", customer(99))
    assert _plain(platform, tenant, admin, [fresh])[0]["name"] == "Testname Person99"


def test_tenant_rotation_rewraps_every_subject_key_resumably(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(25)])
    before = _plain(platform, tenant, admin, ids)
    assert platform.key_admin.rotate(admin, tenant) == 2
    t = platform.tenants.get(tenant).id
    # Interrupted rewrap: a single batch, then "crash"; the rest resumes later.
    first = platform.keys.rewrap_batch(batch_size=10)
    assert first.subject_keys == 10
    assert _plain(platform, tenant, admin, ids) == before  # mixed versions still read
    report = platform.key_admin.rewrap(admin, batch_size=7)
    assert report.subject_keys == 15
    status = {(s.scope, s.purpose, s.version): s for s in platform.key_admin.status(admin)}
    assert status[("acme", "kek", 1)].wraps == 0 and status[("acme", "kek", 2)].wraps == 25
    assert status[("acme", "kek", 2)].current
    assert _plain(platform, tenant, admin, ids) == before
    assert platform.keys.current_kek_version(t) == 2


def test_retired_root_no_longer_unwraps(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    platform.key_admin.rotate(admin)
    platform.key_admin.rewrap(admin)
    ref = platform.keys.roots()[0].key_ref
    platform.key_admin.retire_root(admin, 1)
    with pytest.raises(KeyDestroyed):
        platform.keys.provider.unwrap(ref, b"x" * 40, {"a": "b"})


def test_retirement_is_refused_while_in_use(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    with pytest.raises(Conflict, match="current"):
        platform.key_admin.retire_root(admin, 1)
    platform.key_admin.rotate(admin)
    with pytest.raises(Conflict, match="rewrap"):
        platform.key_admin.retire_root(admin, 1)


def test_wrong_key_version_is_rejected(
    platform: Platform, tenant: str, admin: RequestContext
) -> None:
    """A wrapped key presented under another version's context does not unwrap."""
    from privault.keys import repository as repo

    platform.vault.put(admin, tenant, "customer", customer(1))
    t = platform.tenants.get(tenant).id
    platform.key_admin.rotate(admin, tenant)
    with platform.keystore.transaction() as conn:
        rows = repo.subject_key_rows(conn, t, ["C00001"])
        row = rows["C00001"]
        repo.rewrap_subject_keys(conn, t, [("C00001", 2, row.wrapped)])  # lie: claim v2
    platform.keys._kek_wrap_cache.clear()
    from privault.core.errors import InvalidCiphertext

    with pytest.raises(InvalidCiphertext):
        platform.keys.subject_ciphers(t, ["C00001"], create=False)
