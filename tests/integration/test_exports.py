"""Marked exports through the service: recorded, audited, traced; the export key never leaks."""

from __future__ import annotations

import base64
import logging
import random
from pathlib import Path

import polars as pl
import pytest

from privault.app.auditing import PLATFORM
from privault.app.bootstrap import Platform
from privault.core.context import Principal, RequestContext
from privault.core.errors import AccessDenied, InvalidInput, PrivaultError
from privault.core.secret import Secret
from privault.deid import MaskOptions, load_policy

KEY = Secret(b"p" * 32)
POLICY = load_policy(
    "entities: {PERSON: fake, EMAIL_ADDRESS: fake, PHONE_NUMBER: fpe}\n"
    "columns: {id: keep, plan: keep}\nunlisted: drop\n"
)
TYPES = {"name": "PERSON", "email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER"}


def _source(tmp_path: Path, n: int = 300) -> Path:
    rng = random.Random(5)
    path = tmp_path / "customers.csv"
    pl.DataFrame(
        {
            "id": [f"C{i:05d}" for i in range(n)],
            "name": [f"Ada{i % 23} Lovelace{i}" for i in range(n)],
            "email": [f"ada{i}@corp.example" for i in range(n)],
            "phone": [f"+44 20 7946 {rng.randint(1000, 9999)}" for _ in range(n)],
            "plan": [rng.choice(["gold", "basic"]) for _ in range(n)],
        }
    ).write_csv(path)
    return path


def _export(platform: Platform, ctx: RequestContext, tmp_path: Path, name: str):  # type: ignore[no-untyped-def]
    opts = MaskOptions(pii_types=TYPES)
    return platform.exports.mask_marked(
        ctx, _source(tmp_path), tmp_path / name, POLICY, KEY, project="crm", options=opts
    )


def test_marked_export_is_recorded_audited_and_traced(
    platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    first = _export(platform, admin, tmp_path, "a.csv")
    second = _export(platform, admin, tmp_path, "b.parquet")
    assert first.record.id != second.record.id
    assert first.record.columns == ("name", "email") and first.record.rows_out == 300
    assert first.record.actor == "user:admin" and first.record.state == "done"
    assert first.record.key_ref == f"deid/project/crm/export/{first.record.id}"
    a = pl.read_csv(tmp_path / "a.csv", infer_schema=False)
    b = pl.read_parquet(tmp_path / "b.parquet")
    assert a["name"].to_list() != b["name"].to_list()  # two exports, two marks
    leak = tmp_path / "leak.jsonl"
    b.sample(n=35, seed=2, shuffle=True).drop("email").write_ndjson(leak)
    traced = platform.exports.trace(admin, leak, sample=50)
    assert traced.export is not None and traced.export.id == second.record.id
    assert traced.attribution.confidence >= 1 - 1e-6 and traced.exports == 2
    assert traced.export.dest.endswith("b.parquet")
    actions = [e.action for e in platform.audit.search(limit=100)]
    assert actions.count("mask.fingerprint") == 2 and "mask.trace" in actions
    trace_event = next(e for e in platform.audit.search(action="mask.trace", limit=5))
    assert trace_event.detail["attributed"] == second.record.id


def test_unrelated_or_unrecorded_files_are_not_attributed(
    platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    _export(platform, admin, tmp_path, "a.csv")
    plain = tmp_path / "plain.csv"
    platform.masking.mask_file(
        admin, _source(tmp_path), plain, POLICY, KEY, options=MaskOptions(pii_types=TYPES)
    )
    for path in (plain, _source(tmp_path)):
        traced = platform.exports.trace(admin, path, sample=60)
        assert traced.export is None and traced.attribution.export_id is None


def test_refusals_leave_no_copy_and_no_record(
    platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    analyst = RequestContext(Principal("user:ann", frozenset({"analyst"})), source="test")
    source = _source(tmp_path)
    with pytest.raises(AccessDenied):
        platform.exports.trace(analyst, source)
    officer = RequestContext(Principal("user:sam", frozenset({"security_officer"})), source="t")
    assert platform.exports.trace(officer, source) is not None  # investigating a leak is theirs
    no_fakes = load_policy("columns: {id: keep}\nunlisted: drop\n")
    with pytest.raises(InvalidInput, match="fakes no column"):
        platform.exports.mask_marked(admin, source, tmp_path / "x.csv", no_fakes, KEY)
    with pytest.raises(InvalidInput, match="needs a key"):
        platform.exports.mask_marked(
            admin, source, tmp_path / "x.csv", POLICY, None, options=MaskOptions(pii_types=TYPES)
        )
    assert not (tmp_path / "x.csv").exists()
    assert platform.exports.trace(admin, source).exports == 0  # nothing was recorded


def test_export_key_never_reaches_store_logs_or_errors(
    sqlite_platform: Platform,
    admin: RequestContext,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "out"
    out.mkdir()
    done = _export(sqlite_platform, admin, out, "a.csv")
    messages = []
    for bad in (tmp_path / "missing.csv", tmp_path / "x.txt"):
        with pytest.raises(PrivaultError) as info:
            sqlite_platform.exports.trace(admin, bad)
        messages.append(str(info.value) + repr(info.value.fields))
    key = sqlite_platform.keys.derived_key(PLATFORM, "token", done.record.key_ref)
    events = repr(sqlite_platform.audit.search(limit=100))
    sqlite_platform.close()
    needles = [key, key.hex().encode(), base64.b64encode(key), base64.urlsafe_b64encode(key)]
    blobs = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    assert any(done.record.id.encode() in blob for blob in blobs)  # the record is there
    for needle in needles:
        for blob in blobs:
            assert needle not in blob
        text = needle.decode("latin-1")
        assert text not in caplog.text and text not in events
        assert all(text not in m for m in messages)
