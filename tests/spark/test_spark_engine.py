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
from privault.spark import SparkJobFailed, mask_dataframe, write_parquet
from tests.spark.conftest import SparkRun

POLICY = load_policy(
    "entities: {PERSON: fake, EMAIL_ADDRESS: hash, CREDIT_CARD: fpe}\nunlisted: keep\n"
)
TYPES = {"full_name": "PERSON", "email": "EMAIL_ADDRESS", "card_number": "CREDIT_CARD"}
FIRST = ["Maria", "James", "Anna", "Peter", "Laura", "David", "Sofia", "Thomas"]
LAST = ["Garcia", "Smith", "Müller", "Rossi", "Jensen", "Brown", "Novak", "Keller"]
CARDS = ["4111111111111111", "5500005555555559", "4012888888881881", "378282246310005"]
N = 400


def frame() -> pl.DataFrame:
    """Customers with names, e-mails, cards and phones (fake, generated)."""
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


def write_partitioned(table: pa.Table, root: Path, fmt: str = "parquet") -> None:
    ds.write_dataset(
        table,
        root,
        format=fmt,
        partitioning=ds.partitioning(pa.schema([("country", pa.string())]), flavor="hive"),
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same rows as one Parquet file and as a dataset partitioned by country."""
    root = tmp_path_factory.mktemp("spark-data")
    single = root / "customers.parquet"
    frame().write_parquet(single)
    part = root / "customers"
    write_partitioned(frame().to_arrow(), part)
    return single, part


def service(platform: Platform, spark: Any, **kw: Any) -> SparkJobService:
    return SparkJobService(platform.audit, platform.authz, lambda: spark, **kw)


def single_machine_mask(src: Path, dest: Path, key: Secret[bytes]) -> pl.DataFrame:
    mask_file(src, dest, POLICY, key=key, options=MaskOptions(pii_types=TYPES))
    return pl.read_parquet(dest).sort("id")


def spark_rows(spark: Any, df: Any, columns: list[str]) -> pl.DataFrame:
    got = pl.from_arrow(df.toArrow())
    assert isinstance(got, pl.DataFrame)
    return got.select(columns).sort("id")


def test_mask_matches_single_machine_row_by_row(
    spark: Any,
    data: tuple[Path, Path],
    tmp_path: Path,
    sqlite_platform: Platform,
    admin: RequestContext,
) -> None:
    single, part = data
    key = Secret(secrets.token_bytes(32))
    expected = single_machine_mask(single, tmp_path / "single.parquet", key)
    dest = tmp_path / "masked"
    seen: list[tuple[int, int | None]] = []
    report = service(sqlite_platform, spark).mask(
        admin, str(part), str(dest), POLICY, key, pii_types=TYPES,
        progress=lambda _label, done, total: seen.append((done, total)),
    )  # fmt: skip

    assert report.rows == N and report.partition_by == ("country",)
    assert report.columns["card_number"] == "fpe" and report.columns["full_name"] == "fake"
    assert sorted(p.name for p in dest.iterdir() if p.is_dir()) == ["country=DE", "country=US"]
    assert spark.read.parquet(str(dest)).schema == spark.read.parquet(str(part)).schema
    got = spark_rows(spark, spark.read.parquet(str(dest)), expected.columns)
    assert got.equals(expected)  # fake names, hashes and FF1 tokens, row by row
    assert (got["card_number"] != frame()["card_number"]).all()
    assert not (tmp_path / ".masked.partial").exists()
    assert seen and seen[-1][0] == seen[-1][1] and seen[-1][0] > 0  # tasks done == total
    assert "task(s)" in report.spark and report.retried == 0


def test_csv_directory_mask_and_full_scan_match_single_machine(
    spark: Any, tmp_path: Path, sqlite_platform: Platform, admin: RequestContext
) -> None:
    strings = frame().with_columns(pl.all().cast(pl.String))  # CSV columns are text
    single = tmp_path / "customers.csv"
    strings.write_csv(single)
    part = tmp_path / "csv"
    write_partitioned(strings.to_arrow(), part, "csv")
    key = Secret(secrets.token_bytes(32))
    jobs = service(sqlite_platform, spark)
    dest = tmp_path / "csv-masked"
    jobs.mask(admin, str(part), str(dest), POLICY, key, pii_types=TYPES)

    assert list(dest.rglob("*.csv")) and (dest / "country=US").is_dir()
    mask_file(single, tmp_path / "one.csv", POLICY, key=key, options=MaskOptions(pii_types=TYPES))
    expected = pl.read_csv(tmp_path / "one.csv", infer_schema=False).sort("id")
    got = spark.read.option("header", "true").csv(str(dest))
    assert spark_rows(spark, got, expected.columns).sort("id").equals(expected)

    full = scan([str(single)], ScanOptions(full=True)).datasets[0]
    (on_spark,) = jobs.scan(admin, str(part), full=True).datasets
    assert on_spark.row_count == N and on_spark.full
    assert {c.name: c.pii_type for c in on_spark.columns} == {
        c.name: c.pii_type for c in full.columns
    }
    assert on_spark.category == full.category


def test_scan_sample_and_full_match_single_machine(
    spark: Any, data: tuple[Path, Path], sqlite_platform: Platform, admin: RequestContext
) -> None:
    single, part = data
    jobs = service(sqlite_platform, spark)
    for full in (False, True):
        expected = scan([str(single)], ScanOptions(full=full, sample_size=10_000)).datasets[0]
        (got,) = jobs.scan(admin, str(part), full=full, rows_per_partition=N).datasets
        assert got.row_count == N
        types = {c.name: c.pii_type for c in got.columns}
        assert types == {c.name: c.pii_type for c in expected.columns}, full
        assert types["email"] == "EMAIL_ADDRESS" and types["card_number"] == "CREDIT_CARD"
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


def _fail_first_attempt_of_partition_0() -> None:
    from pyspark import TaskContext

    ctx = TaskContext.get()
    if ctx is not None and ctx.partitionId() == 0 and ctx.attemptNumber() == 0:
        raise RuntimeError("injected fault")


def _always_fail_partition_0() -> None:
    from pyspark import TaskContext

    ctx = TaskContext.get()
    if ctx is not None and ctx.partitionId() == 0:
        raise RuntimeError("injected fault")


def test_failed_partition_is_retried_and_reported(
    spark: Any,
    data: tuple[Path, Path],
    tmp_path: Path,
    sqlite_platform: Platform,
    admin: RequestContext,
) -> None:
    _, part = data
    key = Secret(secrets.token_bytes(32))
    flaky = service(sqlite_platform, spark, task_hook=_fail_first_attempt_of_partition_0)
    report = flaky.mask(admin, str(part), str(tmp_path / "ok"), POLICY, key, pii_types=TYPES)
    assert report.rows == N
    assert report.retried >= 1 and "retried" in report.spark

    broken = service(sqlite_platform, spark, task_hook=_always_fail_partition_0)
    with pytest.raises(SparkJobFailed) as caught:
        broken.mask(admin, str(part), str(tmp_path / "bad"), POLICY, key, pii_types=TYPES)
    err = caught.value
    assert err.fields["partition"] == 0 and err.fields["attempts"] == 4
    assert err.fields["error"] == "RuntimeError"
    assert "\n" not in err.message and "nothing was written to bad" in err.message
    assert "injected" not in err.message  # the exception's text (it can quote rows) stays out
    assert not (tmp_path / "bad").exists() and not (tmp_path / ".bad.partial").exists()
    with pytest.raises(SparkJobFailed, match="partition 0 of stage"):
        broken.scan(admin, str(part), full=True)


def test_mask_refuses_bad_policy_and_existing_dest(
    spark: Any, data: tuple[Path, Path], sqlite_platform: Platform, admin: RequestContext
) -> None:
    _, part = data
    jobs = service(sqlite_platform, spark)
    with pytest.raises(InvalidInput):  # keyed operators refuse without a key, before any task
        jobs.mask(admin, str(part), str(part.with_name("nokey")), POLICY, None, pii_types=TYPES)
    with pytest.raises(InvalidInput, match="must not overwrite"):
        jobs.mask(admin, str(part), str(part), POLICY, None)
    with pytest.raises(InvalidInput, match="destination exists"):
        jobs.mask(admin, str(part), str(part.parent), POLICY, None)


def test_key_never_reaches_event_log_or_driver_log(
    spark_run: SparkRun, data: tuple[Path, Path], tmp_path: Path
) -> None:
    _, part = data
    material = f"canary-{secrets.token_hex(16)}".encode()  # assembled at run time only
    df = spark_run.session.read.parquet(str(part))
    result = mask_dataframe(df, POLICY, key=Secret(material), pii_types=TYPES)
    assert result.frame.count() == N
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
