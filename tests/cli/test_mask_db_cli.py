"""``privault mask`` between databases, and ``--from-scan``, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from privault.app.masking_sql import DatabaseCopy, DatabaseOptions
from privault.core.secret import Secret
from privault.deid import DeidKeys, load_policy
from tests.support.cli import Run, cli_runner
from tests.support.shopdb import (
    JOINS,
    SHOP_POLICY,
    assert_no_pii_survives,
    build_shop,
    rows_of,
    scalar,
)

KEY_HEX = bytes(range(100, 132)).hex()


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    run = cli_runner(tmp_path, monkeypatch)
    run("init")
    return run


@pytest.fixture
def shop(tmp_path: Path) -> tuple[str, dict[str, list[dict[str, object]]]]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    return url, build_shop(url, customers=60)


def test_from_scan_drafts_a_policy_then_masks_in_one_step(run: Run, tmp_path: Path, shop) -> None:
    src, data = shop
    draft = tmp_path / "drafted.yaml"
    said = run("mask", src, "sqlite:///unused.db", "--from-scan", "--draft-policy", str(draft))
    assert "3 table(s)" in said and not (tmp_path / "unused.db").exists()
    policy = load_policy(draft)  # the draft is a valid policy
    assert load_policy(policy.model_dump(mode="json")) == policy  # and round-trips
    assert policy.columns["customers.email"].operator == "hash"  # UNIQUE: one-to-one
    assert policy.columns["orders.note"] == "detect"  # free text with PII
    assert "orders.customer_code" not in policy.columns  # FKs inherit
    dest = f"sqlite:///{tmp_path / 'masked.db'}"
    out = run("mask", src, dest, "--from-scan", "--report", str(tmp_path / "r.json"))
    assert "copy complete: " in out
    assert_no_pii_survives(data, dest)
    for name, sql in JOINS.items():
        assert scalar(dest, sql) == scalar(src, sql), name
    report = json.loads((tmp_path / "r.json").read_text())
    assert [t["source"] for t in report["tables"]] == ["customers", "orders", "order_items"]


def test_from_scan_uses_a_tenant_data_map_or_a_json_report(run: Run, tmp_path: Path, shop) -> None:
    src, _ = shop
    run("tenant", "create", "acme")
    run("scan", src, "--tenant", "acme")
    (tmp_path / "scan.json").write_text(run("scan", src, "--format", "json"))
    fresh, mapped, reported = (tmp_path / f"{n}.yaml" for n in ("fresh", "mapped", "reported"))
    run("mask", src, "sqlite:///x.db", "--from-scan", "--draft-policy", str(fresh))
    run("mask", src, "sqlite:///x.db", "--from-scan", "acme", "--draft-policy", str(mapped))
    scan_file = str(tmp_path / "scan.json")
    run("mask", src, "sqlite:///x.db", "--from-scan", scan_file, "--draft-policy", str(reported))
    assert fresh.read_text() == mapped.read_text() == reported.read_text()
    other = tmp_path / "other.db"
    out = run("mask", f"sqlite:///{other}", "sqlite:///x.db", "--from-scan", "acme", code=2)
    assert "no such database file: other.db" in out and not other.exists()
    build_shop(f"sqlite:///{other}", customers=3)  # exists, but acme never scanned it
    out = run("mask", f"sqlite:///{other}", "sqlite:///x.db", "--from-scan", "acme", code=2)
    assert "no table of" in out
    run("tenant", "create", "blank")
    out = run("mask", src, "sqlite:///x.db", "--from-scan", "blank", code=2)
    assert "scan it first" in out


def test_interrupted_copy_is_refused_until_resumed(run: Run, tmp_path: Path, shop) -> None:
    src, data = shop
    (tmp_path / "policy.yaml").write_text(SHOP_POLICY)
    (tmp_path / "key").write_text(KEY_HEX)
    dest = f"sqlite:///{tmp_path / 'masked.db'}"
    args = ("mask", src, dest, "--policy", str(tmp_path / "policy.yaml"))
    keyed = (*args, "--key-file", str(tmp_path / "key"), "--batch-rows", "25")

    def stop(table: str, done: int, total: int | None) -> None:
        if table == "orders":
            raise KeyboardInterrupt

    job = DatabaseCopy(
        src,
        dest,
        load_policy(SHOP_POLICY),
        DeidKeys(Secret(bytes.fromhex(KEY_HEX))),
        DatabaseOptions(batch_rows=25),
    )
    with pytest.raises(KeyboardInterrupt):
        job.run(stop)
    job.close()
    out = run(*keyed, code=1)
    assert "interrupted masked copy (1 of 3 tables done)" in out and "--resume" in out
    assert "another policy" in run(*args, "--resume", code=1)  # the managed key differs
    assert "(resumed)" in run(*keyed, "--resume")
    assert_no_pii_survives(data, dest)
    whole = f"sqlite:///{tmp_path / 'whole.db'}"
    run("mask", src, whole, *keyed[3:])
    assert rows_of(dest) == rows_of(whole)
    assert "complete masked copy" in run(*keyed, code=1)
    assert "copy complete" in run(*keyed, "--restart")


def test_k_generalises_database_quasi_identifiers(run: Run, tmp_path: Path, shop) -> None:
    src, _ = shop
    (tmp_path / "policy.yaml").write_text(SHOP_POLICY)
    dest = f"sqlite:///{tmp_path / 'masked.db'}"
    said = run(
        "mask", src, dest, "--policy", str(tmp_path / "policy.yaml"), "--k", "4",
        "--quasi", "customers.zip,customers.born", "--report", str(tmp_path / "r.json"),
    )  # fmt: skip
    said = " ".join(said.split())
    assert "k=4 reached by zip: " in said and "information loss" in said
    customers = json.loads((tmp_path / "r.json").read_text())["tables"][0]
    assert customers["k_anonymity"]["k"] == 4 and customers["risk"]["k"] >= 4
    assert customers["risk"]["meets_k"] is True


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ((), "exactly one of --policy and --from-scan"),
        (("--policy", "p.yaml", "--from-scan"), "exactly one of"),
        (("--policy", "p.yaml", "--resume", "--restart"), "exclude each other"),
        (
            ("--policy", "p.yaml", "--quasi", "orders.customer_id", "--k", "3"),
            "k=3 cannot be reached within the suppression budget",
        ),
        (("--policy", "p.yaml", "--types", "email=EMAIL_ADDRESS"), "table.column=PII_TYPE"),
        (("--policy", "p.yaml", "--draft-policy", "d.yaml"), "--draft-policy needs --from-scan"),
        (("--policy", "p.yaml", "acme"), "SCAN goes with --from-scan"),
    ],
)
def test_usage_errors_exit_2(run: Run, tmp_path: Path, shop, extra, words) -> None:
    src, _ = shop
    (tmp_path / "p.yaml").write_text(SHOP_POLICY)
    dest = tmp_path / "masked.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        out = run("mask", src, f"sqlite:///{dest}", *extra, code=2)
    assert words in " ".join(out.split())
    assert not dest.exists()
