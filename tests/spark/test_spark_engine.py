"""Spark runs the same deid plan and discovery classifier as the single-machine path."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from privault.app.bootstrap import Platform
from privault.app.spark_jobs import SparkJobService
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.deid import MaskOptions, load_policy, mask_file
from privault.discovery import ScanOptions, scan
from privault.spark import mask_dataframe, write_parquet
from tests.spark.conftest import SparkRun

POLICY = load_policy(
    "entities: {PERSON: fake, EMAIL_ADDRESS: hash, CREDIT_CARD: fpe}\nunlisted: keep\n"
)
TYPES = {"full_name": "PERSON", "email": "EMAIL_ADDRESS", "card_number": "CREDIT_CARD"}
FIRST = ["Maria", "James", "Anna", "Peter", "Laura", "David", "Sofia", "Thomas"]
LAST = ["Garcia", "Smith", "Müller", "Rossi", "Jensen", "Brown", "Novak", "Keller"]
CARDS = ["4111111111111111", "5500005555555559", "4012888888881881", "378282246310005"]
N = 400


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": list(range(N)),
            "full_name": [f"{FIRST[i % 8]} {LAST[(i * 3) % 8]}" for i in range(N)],
            "email": [f"{FIRST[i % 8].lower()}.{i}@mail.example" for i in range(N)],
            "card_number": [CARDS[i % 4] for i in range(N)],
            "phone": [f"+1 415 555 {1000 + i:04d}" for i in range(N)],
            "amount": [float(i) * 1.5 for i in range(N)],
            "country": ["US" if i % 3 else "DE" for i in range(N)],
        }
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same rows as one Parquet file and as a dataset partitioned by country."""
    root = tmp_path_factory.mktemp("spark-data")
    frame = _frame()
    single = root / "customers.parquet"
    frame.write_parquet(single)
    part = root / "customers"
    ds.write_dataset(
        frame.to_arrow(),
        part,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([("country", pa.string())]), flavor="hive"),
    )
    return single, part


def _service(platform: Platform, spark: Any) -> SparkJobService:
    return SparkJobService(platform.audit, platform.authz, lambda: spark)


def test_mask_matches_single_machine_row_by_row(
    spark: Any,
    data: tuple[Path, Path],
    tmp_path: Path,
    sqlite_platform: Platform,
    admin: RequestContext,
) -> None:
    single, part = data
    key = Secret(secrets.token_bytes(32))
    expected_path = tmp_path / "single.parquet"
    mask_file(single, expected_path, POLICY, key=key, options=MaskOptions(pii_types=TYPES))
    dest = tmp_path / "masked"
    report = _service(sqlite_platform, spark).mask_parquet(
        admin, part, dest, POLICY, key, pii_types=TYPES
    )

    assert report.rows == N
    assert report.partition_by == ("country",)
    assert report.columns["card_number"] == "fpe" and report.columns["full_name"] == "fake"
    assert sorted(p.name for p in dest.iterdir() if p.is_dir()) == ["country=DE", "country=US"]
    source_schema = spark.read.parquet(str(part)).schema
    assert spark.read.parquet(str(dest)).schema == source_schema
    got = pl.from_arrow(spark.read.parquet(str(dest)).toArrow())
    assert isinstance(got, pl.DataFrame)
    expected = pl.read_parquet(expected_path).sort("id")
    got = got.select(expected.columns).sort("id")
    assert got.equals(expected)  # fake names, hashes and FF1 tokens, row by row
    assert (got["card_number"] != _frame()["card_number"]).all()
    assert not (tmp_path / ".masked.partial").exists()


def test_mask_refuses_bad_policy_and_existing_dest(
    spark: Any, data: tuple[Path, Path], sqlite_platform: Platform, admin: RequestContext
) -> None:
    _, part = data
    service = _service(sqlite_platform, spark)
    with pytest.raises(InvalidInput):  # keyed operators refuse without a key, before any task
        service.mask_parquet(admin, part, part.with_name("nokey"), POLICY, None, pii_types=TYPES)
    with pytest.raises(InvalidInput):
        service.mask_parquet(admin, part, part, POLICY, None)


def test_scan_matches_single_machine(
    spark: Any, data: tuple[Path, Path], sqlite_platform: Platform, admin: RequestContext
) -> None:
    single, part = data
    expected = scan([str(single)], ScanOptions(sample_size=10_000)).datasets[0]
    report = _service(sqlite_platform, spark).scan_parquet(admin, part, rows_per_partition=N)

    (got,) = report.datasets
    assert got.row_count == N
    assert {c.name: c.pii_type for c in got.columns} == {
        c.name: c.pii_type for c in expected.columns
    }
    assert {c.name: c.pii_type for c in got.columns}["email"] == "EMAIL_ADDRESS"
    assert {c.name: c.freeform_pii for c in got.columns} == {
        c.name: c.freeform_pii for c in expected.columns
    }


def test_scan_samples_each_partition(spark: Any, data: tuple[Path, Path]) -> None:
    from privault.spark import sample_partitions

    _, part = data
    df = spark.read.parquet(str(part)).repartition(4)
    sample = sample_partitions(df, 10)
    assert sample.height == 40
    assert sample.columns == df.columns
    assert sample_partitions(df, 10, seed=1)["id"].to_list() != sample["id"].to_list()


def test_key_never_reaches_event_log_or_driver_log(
    spark_run: SparkRun, data: tuple[Path, Path], tmp_path: Path
) -> None:
    _, part = data
    material = f"canary-{secrets.token_hex(16)}".encode()  # assembled at run time only
    df = spark_run.session.read.parquet(str(part))
    result = mask_dataframe(df, POLICY, key=Secret(material), pii_types=TYPES)
    write_parquet(result.frame, str(tmp_path / "out"), ["country"])
    result.frame.explain(extended=True)  # plans are what reach the event log
    forms = [
        material,
        material.hex().encode(),
        base64.b64encode(material),
        material[7:].upper(),  # the random part, in any case
        material[7:],
    ]
    logs = [p for p in spark_run.event_log.rglob("*") if p.is_file()]
    logs += [spark_run.driver_log] if spark_run.driver_log.exists() else []
    assert logs, "Spark wrote no event log"
    seen = b"".join(p.read_bytes() for p in logs)
    assert b"SparkListenerJobEnd" in seen or b"SparkListenerJobStart" in seen
    for form in forms:
        assert form not in seen
    conf = repr(spark_run.session.sparkContext.getConf().getAll()).encode()
    assert material[7:] not in conf
