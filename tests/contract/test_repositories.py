"""One repository contract suite, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from privault.app.bootstrap import Platform
from privault.audit import repository as audit_repo
from privault.audit.chain import AuditEvent
from privault.core.errors import Conflict
from privault.keys import repository as keys_repo
from privault.vault import repository as repo

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_tenants_and_record_types(platform: Platform) -> None:
    with platform.data.transaction() as conn:
        repo.add_tenant(conn, repo.Tenant("tnt_1", "one", "One", NOW))
        assert repo.get_tenant(conn, "one") == repo.get_tenant(conn, "tnt_1")
        assert repo.get_tenant(conn, "two") is None
        assert repo.put_record_type(conn, "tnt_1", "c", "{}", NOW) == 1
        assert repo.put_record_type(conn, "tnt_1", "c", '{"a":1}', NOW) == 2
        assert repo.get_record_type(conn, "tnt_1", "c") == (2, '{"a":1}')
        assert [n for n, _v, _d in repo.list_record_types(conn, "tnt_1")] == ["c"]
    with pytest.raises(Conflict), platform.data.transaction() as conn:
        repo.add_tenant(conn, repo.Tenant("tnt_2", "one", "dup slug", NOW))


def _record(rid: str, subject: str) -> dict[str, object]:
    return {
        "id": rid,
        "tenant_id": "tnt_1",
        "record_type": "c",
        "subject_id": subject,
        "created_at": NOW,
        "updated_at": NOW,
    }


def test_records_fields_index_and_deletion(platform: Platform) -> None:
    with platform.data.transaction() as conn:
        repo.add_tenant(conn, repo.Tenant("tnt_1", "one", "One", NOW))
        rows = [_record(f"rec_{i}", f"s{i % 2}") for i in range(5)]
        fields = [(f"rec_{i}", "f", bytes([i]) * 40, b"idx%d" % (i % 2), None) for i in range(5)]
        repo.insert_records(conn, rows, fields)
        loaded = repo.load_records(conn, "tnt_1", ["rec_3", "rec_0", "rec_9"])
        assert [r.id for r in loaded] == ["rec_3", "rec_0"]  # asked order, missing skipped
        assert loaded[0].fields["f"] == (bytes([3]) * 40, None)
        assert repo.load_records(conn, "tnt_other", ["rec_1"]) == []
        assert repo.page_record_ids(conn, "tnt_1", "c", "rec_1", 2) == ["rec_2", "rec_3"]
        assert repo.find_by_index(conn, "tnt_1", "c", "f", b"idx1") == ["rec_1", "rec_3"]
        assert sorted(repo.subject_record_ids(conn, "tnt_1", "s0")) == ["rec_0", "rec_2", "rec_4"]
        assert repo.delete_records(conn, ["rec_0", "rec_2"]) == 2
        assert repo.count_records(conn, "tnt_1") == 3
        repo.mark_shredded(conn, "tnt_1", "s0", NOW, 2)
        assert repo.shredded(conn, "tnt_1", ["s0", "s1"]) == {"s0"}


def test_tokens_are_stored_once(platform: Platform) -> None:
    with platform.data.transaction() as conn:
        repo.add_tenant(conn, repo.Tenant("tnt_1", "one", "One", NOW))
        row = {
            "tenant_id": "tnt_1",
            "token": "dtk_a",
            "kind": "deterministic",
            "scope": "s",
            "subject_id": "x",
            "ciphertext": b"c" * 30,
            "created_at": NOW,
        }
        repo.put_tokens(conn, [row, dict(row)])
        repo.put_tokens(conn, [row])
        assert repo.get_token(conn, "tnt_1", "dtk_a")["kind"] == "deterministic"  # type: ignore[index]
        assert repo.delete_subject_tokens(conn, "tnt_1", "x") == 1
        assert repo.get_token(conn, "tnt_1", "dtk_a") is None


def test_audit_append_numbers_per_chain_and_verifies(platform: Platform) -> None:
    key = b"k" * 32

    def ev(i: int, tenant: str | None) -> AuditEvent:
        return AuditEvent(
            f"evt_{tenant}_{i}",
            NOW,
            tenant,
            "a",
            "x.y",
            "r",
            "allowed",
            "r1",
            "req",
            detail={"n": i},
        )

    with platform.data.transaction() as conn:
        assert audit_repo.append(conn, key, [ev(1, "t1"), ev(2, None), ev(3, "t1")]) == [1, 1, 2]
        assert audit_repo.append(conn, key, [ev(4, "t1")]) == [3]
        report = audit_repo.verify(conn, key)
        assert report.ok and report.events >= 4
        assert not audit_repo.verify(conn, b"other-key" * 4).ok  # the chain is keyed
        assert [e.id for e in audit_repo.search(conn, tenant_id="t1", limit=2)] == [
            "evt_t1_4",
            "evt_t1_3",
        ]


def test_key_store_rows(platform: Platform) -> None:
    with platform.keystore.transaction() as conn:
        roots = keys_repo.list_roots(conn)
        assert [r.version for r in roots] == [1]
        keys_repo.add_subject_keys(
            conn,
            [
                {
                    "tenant_id": "t",
                    "subject_id": f"s{i}",
                    "kek_version": 1,
                    "wrapped": b"w" * 60,
                    "created_at": NOW,
                }
                for i in range(3)
            ],
        )
        assert set(keys_repo.subject_key_rows(conn, "t", ["s0", "s2", "zz"])) == {"s0", "s2"}
        keys_repo.rewrap_subject_keys(conn, "t", [("s0", 2, b"n" * 60)])
        assert keys_repo.subject_counts_by_kek(conn) == {("t", 1): 2, ("t", 2): 1}
        assert [r.subject_id for r in keys_repo.subject_keys_below(conn, "t", 2, 10)] == [
            "s1",
            "s2",
        ]
        assert keys_repo.delete_subject_key(conn, "t", "s1") == 1
        assert keys_repo.delete_subject_key(conn, "t", "s1") == 0
