"""The Spark engine through the real CLI: ``scan --engine spark`` and ``privault spark``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.spark.test_spark_engine import frame, write_partitioned
from tests.support.cli import cli_runner


def test_scan_engine_spark_and_spark_mask_errors(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = cli_runner(tmp_path, monkeypatch)
    run("init")
    lake = tmp_path / "lake"
    write_partitioned(frame().to_arrow(), lake)

    doc = json.loads(run("scan", str(lake), "--engine", "spark", "--format", "json"))
    (dataset,) = doc["tables"]
    assert dataset["rows"] == len(frame())
    found = json.dumps(dataset)
    assert "EMAIL_ADDRESS" in found and "CREDIT_CARD" in found
    run("scan", str(lake), "--engine", "spark", "--fail-on", "CREDIT_CARD", code=1)
    out = run("scan", str(lake), "--engine", "spark", "--tenant", "acme", code=2)
    assert "--engine local only" in out
    assert "unknown engine" in run("scan", str(lake), "--engine", "flink", code=2)

    policy = tmp_path / "policy.yaml"
    policy.write_text("entities: {EMAIL_ADDRESS: hash}\nunlisted: keep\n")
    report = tmp_path / "report.json"
    out = run(
        "spark", "mask", str(lake), str(tmp_path / "masked"), "--policy", str(policy),
        "--types", "email=EMAIL_ADDRESS", "--report", str(report),
    )  # fmt: skip
    assert "rows masked on Spark" in out and "partitioned by country" in out
    done = json.loads(report.read_text())
    assert done["rows"] == len(frame()) and done["partition_by"] == ["country"]
    assert done["columns"]["email"] == "hash"  # keyed by the project's managed key
    via_mask = tmp_path / "masked-via-mask"
    out = run(
        "mask", str(lake), str(via_mask), "--policy", str(policy), "--engine", "spark",
        "--types", "email=EMAIL_ADDRESS", "--spark-master", "local[2]",
    )  # fmt: skip
    assert "rows masked on Spark" in out
    import polars as pl

    def rows(path: Path) -> list[dict[str, Any]]:
        got = pl.read_parquet(path / "**/*.parquet", hive_partitioning=True)
        return got.sort("email").select(sorted(got.columns)).to_dicts()

    assert rows(via_mask) == rows(tmp_path / "masked")  # the same job either way
    out = run("mask", str(lake), str(tmp_path / "m2"), "--engine", "spark", "--k", "3", code=2)
    assert "--engine spark takes" in out
    assert "unknown engine" in run("mask", "a.csv", "b.csv", "--engine", "flink", code=2)
    out = run("spark", "mask", str(lake), str(tmp_path), "--policy", str(policy), code=2)
    assert "destination exists" in out and len(out.strip().splitlines()) == 1
    out = run("spark", "mask", f"{lake}/nope", str(tmp_path / "m"), "--policy", str(policy), code=2)
    assert "no such dataset" in out


def test_spark_group_lists_scan_and_mask() -> None:
    from typer.testing import CliRunner

    from privault.interfaces.cli.main import app

    runner = CliRunner()
    result = runner.invoke(app, ["spark", "mask", "--help"])
    assert result.exit_code == 0, result.output
    assert "--master" in result.output and "--policy" in result.output
    result = runner.invoke(app, ["scan", "--help"])
    assert "--engine" in result.output and "--spark-master" in result.output
