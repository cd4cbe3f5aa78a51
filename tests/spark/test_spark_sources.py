"""S3 (moto's server on loopback) and JDBC (SQLite, PostgreSQL) datasets on Spark."""

from __future__ import annotations

import base64
import secrets
import sqlite3
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.dataset as pads
import pytest

from privault.app.bootstrap import Platform
from privault.core.context import RequestContext
from privault.core.secret import Secret
from privault.spark import datasets as sd
from privault.spark.s3 import S3Access
from tests.conftest import create_pg_database, pg_admin_url
from tests.spark.conftest import SparkRun
from tests.spark.test_spark_engine import (
    POLICY,
    TYPES,
    frame,
    service,
    single_machine_mask,
    write_partitioned,
)

MASKED = ["id", "full_name", "email", "card_number"]


def test_s3_round_trip_matches_single_machine_and_keeps_secrets_out_of_logs(
    spark_run: SparkRun,
    s3_endpoint: str,
    tmp_path: Path,
    sqlite_platform: Platform,
    admin: RequestContext,
) -> None:
    import boto3

    access_id = "AKIA" + secrets.token_hex(8).upper()  # fake, assembled at run time
    secret_key = "canary" + secrets.token_hex(16)
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1",
        aws_access_key_id=access_id, aws_secret_access_key=secret_key,
    )  # fmt: skip
    client.create_bucket(Bucket="lake")
    local = tmp_path / "customers"
    write_partitioned(frame().to_arrow(), local)
    for f in local.rglob("*.parquet"):
        client.upload_file(str(f), "lake", f"crm/customers/{f.relative_to(local)}")
    access = S3Access(s3_endpoint, "us-east-1", Secret(access_id), Secret(secret_key))
    key = Secret(secrets.token_bytes(32))
    jobs = service(sqlite_platform, spark_run.session, s3=lambda: access)

    report = jobs.mask(
        admin, "s3://lake/crm/customers", "s3://lake/crm/masked", POLICY, key, pii_types=TYPES
    )
    assert report.rows == len(frame()) and report.partition_by == ("country",)
    keys = [
        o["Key"] for o in client.list_objects_v2(Bucket="lake", Prefix="crm/masked/")["Contents"]
    ]
    assert "crm/masked/_SUCCESS" in keys
    assert {k.split("/")[2] for k in keys if k.endswith(".parquet")} == {"country=DE", "country=US"}
    fs = access.filesystem()
    got = pl.from_arrow(
        pads.dataset(
            "lake/crm/masked", filesystem=fs, format="parquet", partitioning="hive"
        ).to_table()
    )
    assert isinstance(got, pl.DataFrame)
    single = tmp_path / "single.parquet"
    frame().write_parquet(single)
    expected = single_machine_mask(single, tmp_path / "masked.parquet", key)
    assert got.select(expected.columns).sort("id").equals(expected)  # row by row

    (found,) = jobs.scan(admin, "s3://lake/crm/customers").datasets
    types = {c.name: c.pii_type for c in found.columns}
    assert types["email"] == "EMAIL_ADDRESS" and types["card_number"] == "CREDIT_CARD"

    seen = b"".join(p.read_bytes() for p in spark_run.event_log.rglob("*") if p.is_file())
    if spark_run.driver_log.exists():
        seen += spark_run.driver_log.read_bytes()
    assert b"privault_s3" in seen or b"SparkListenerJobEnd" in seen  # the logs are the right ones
    for form in (
        secret_key.encode(),
        secret_key[6:].encode(),
        base64.b64encode(secret_key.encode()),
    ):
        assert form not in seen
    conf = repr(spark_run.session.sparkContext.getConf().getAll())
    assert secret_key[6:] not in conf and access_id not in conf


def _jdbc_source(backend: str, tmp_path: Path) -> tuple[str, str]:
    if backend == "sqlite":
        db = tmp_path / "crm.db"
        with sqlite3.connect(db) as conn:
            conn.execute(
                "CREATE TABLE customers (id INTEGER, full_name TEXT, email TEXT, card_number TEXT)"
            )
            rows = frame().select(MASKED).rows()
            conn.executemany("INSERT INTO customers VALUES (?, ?, ?, ?)", rows)
        return f"sqlite:///{db}", f"sqlite:///{db}"
    import psycopg

    url = create_pg_database(pg_admin_url(), f"pv_spark_{secrets.token_hex(4)}")
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute(
            "CREATE TABLE customers (id INTEGER, full_name TEXT, email TEXT, card_number TEXT)"
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO customers VALUES (%s, %s, %s, %s)", frame().select(MASKED).rows()
            )
    return url, url


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_jdbc_table_masked_into_new_table(
    backend: str, spark: Any, tmp_path: Path, sqlite_platform: Platform, admin: RequestContext
) -> None:
    url, _ = _jdbc_source(backend, tmp_path)
    key = Secret(secrets.token_bytes(32))
    jobs = service(sqlite_platform, spark)
    report = jobs.mask(
        admin, f"{url}::customers", f"{url}::customers_masked", POLICY, key, pii_types=TYPES
    )
    assert report.rows == len(frame()) and report.partition_by == ()
    dest = sd.parse_dataset(f"{url}::customers_masked")
    assert "password" not in str(dest) and str(dest).startswith("jdbc:")
    got = pl.from_arrow(sd.read(spark, dest).toArrow())
    assert isinstance(got, pl.DataFrame)
    single = tmp_path / "single.parquet"
    frame().select(MASKED).with_columns(pl.col("id").cast(pl.Int32)).write_parquet(single)
    expected = single_machine_mask(single, tmp_path / "masked.parquet", key)
    assert got.select(MASKED).sort("id").equals(expected.select(MASKED))
    assert not sd.exists(spark, sd.parse_dataset(f"{url}::customers_masked__privault_partial"))

    (found,) = jobs.scan(admin, f"{url}::customers", full=True).datasets
    assert {c.name: c.pii_type for c in found.columns}["email"] == "EMAIL_ADDRESS"
