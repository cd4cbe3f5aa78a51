"""Spark vs the single-process path on the same generated Parquet data, in one run.

    .venv/bin/python benchmarks/spark_bench.py            # 2M rows (quick)
    .venv/bin/python benchmarks/spark_bench.py --rows 10000000   # the issue's 10M

Scan (stratified sample -> same classifier) and mask (same deid plan, FF1,
fake, hash) run on local Spark and on one Python process over the same rows.
Writes ``benchmarks/results/spark.json`` with ``rows_per_s`` for both and
``overhead_vs_single`` (Spark seconds / single-process seconds; > 1 means
Spark is slower). The full-profile scan merges per-partition profiles.
On a 2-core machine Spark cannot win: what is measured is its overhead
(JVM <-> Python Arrow transfer, task scheduling, Parquet re-encoding), not
its scaling. Session start-up is reported apart and not counted.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_results

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds

from privault.app.spark_scan import full_profile
from privault.core.secret import Secret
from privault.deid import MaskOptions, load_policy, mask_file
from privault.discovery import ScanOptions, scan
from privault.spark import build_session, mask_dataframe, sample_partitions, write_parquet
from privault.spark.partitions import fold_partitions

POLICY = load_policy(
    "entities: {PERSON: fake, EMAIL_ADDRESS: hash, CREDIT_CARD: fpe}\nunlisted: keep\n"
)
TYPES = {"full_name": "PERSON", "email": "EMAIL_ADDRESS", "card_number": "CREDIT_CARD"}
FIRST = ["Maria", "James", "Anna", "Peter", "Laura", "David", "Sofia", "Thomas"]
LAST = ["Garcia", "Smith", "Muller", "Rossi", "Jensen", "Brown", "Novak", "Keller"]
CARDS = ["4111111111111111", "5500005555555559", "4012888888881881", "378282246310005"]
COUNTRIES = ["US", "DE", "FR", "NL", "IT", "ES", "SE", "PL"]


def generate(rows: int, root: Path) -> tuple[Path, Path]:
    """The same rows as one Parquet file and as a dataset partitioned by country."""
    i = pl.int_range(0, rows, eager=True)
    frame = pl.DataFrame({"id": i}).with_columns(
        full_name=pl.format(
            "{} {}",
            pl.lit(pl.Series(FIRST)).gather(pl.col("id") % 8),
            pl.lit(pl.Series(LAST)).gather((pl.col("id") * 7 // 3) % 8),
        ),
        email=pl.format("user{}@mail.example", pl.col("id")),
        card_number=pl.lit(pl.Series(CARDS)).gather(pl.col("id") % 4),
        amount=pl.col("id").cast(pl.Float64) * 1.5,
        country=pl.lit(pl.Series(COUNTRIES)).gather(pl.col("id") % 8),
    )
    single = root / "data.parquet"
    frame.write_parquet(single, row_group_size=250_000)
    part = root / "data"
    ds.write_dataset(
        frame.to_arrow(),
        part,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([("country", pa.string())]), flavor="hive"),
        max_rows_per_group=250_000,
    )
    return single, part


def timed(label: str, fn: Any) -> float:
    started = time.perf_counter()
    fn()
    took = time.perf_counter() - started
    print(f"  {label}: {took:.2f} s", flush=True)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rows", type=int, default=10_000_000, help="rows (default: the issue's 10M)"
    )
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--sample", type=int, default=10_000, help="scan sample rows in total")
    args = parser.parse_args()
    rows: int = args.rows
    key = Secret(secrets.token_bytes(32))
    work = Path(tempfile.mkdtemp(prefix="privault-spark-bench-"))
    try:
        print(f"generating {rows:,} rows ...", flush=True)
        single, part = generate(rows, work)
        times: dict[str, float] = {}
        print("single process:", flush=True)
        times["single_scan_sample"] = timed(
            "scan (sample)", lambda: scan([str(single)], ScanOptions(sample_size=args.sample))
        )
        times["single_scan_full"] = timed(
            "scan (full)", lambda: scan([str(single)], ScanOptions(full=True))
        )
        times["single_mask"] = timed(
            "mask",
            lambda: mask_file(
                single, work / "single-out.parquet", POLICY, key=key,
                options=MaskOptions(pii_types=TYPES),
            ),
        )  # fmt: skip
        print(f"spark ({args.master}):", flush=True)
        started = time.perf_counter()
        spark = build_session(args.master, app_name="privault-bench")
        startup = time.perf_counter() - started
        print(f"  session start: {startup:.2f} s", flush=True)
        df = spark.read.parquet(str(part))
        partitions = df.rdd.getNumPartitions()
        per_part = max(1, args.sample // partitions)

        def spark_scan() -> None:
            sample = sample_partitions(df, per_part)
            staged = work / "sample.parquet"
            sample.write_parquet(staged)
            scan([str(staged)], ScanOptions(sample_size=sample.height))

        times["spark_scan_sample"] = timed("scan (sample, per partition)", spark_scan)
        times["spark_scan_full"] = timed(
            "scan (full profile, merged)",
            lambda: full_profile(
                df, ScanOptions(full=True), source=str(part), name="data", fold=fold_partitions
            ),
        )

        def spark_mask() -> None:
            result = mask_dataframe(df, POLICY, key=key, pii_types=TYPES)
            write_parquet(result.frame, str(work / "spark-out"), ["country"])

        times["spark_mask"] = timed("mask", spark_mask)
        cores = os.cpu_count() or 1
        spark.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def rate(seconds: float) -> float:
        return round(rows / seconds, 1)

    figures = {
        "rows": rows,
        "cores": cores,
        "spark_master": args.master,
        "spark_partitions": partitions,
        "spark_session_start_s": round(startup, 2),
        "scan_sample": {
            "single_rows_per_s": rate(times["single_scan_sample"]),
            "spark_rows_per_s": rate(times["spark_scan_sample"]),
            "overhead_vs_single": round(
                times["spark_scan_sample"] / times["single_scan_sample"], 2
            ),
            "sample_rows": args.sample,
        },
        "scan_full": {
            "single_rows_per_s": rate(times["single_scan_full"]),
            "spark_rows_per_s": rate(times["spark_scan_full"]),
            "overhead_vs_single": round(times["spark_scan_full"] / times["single_scan_full"], 2),
        },
        "mask": {
            "single_rows_per_s": rate(times["single_mask"]),
            "spark_rows_per_s": rate(times["spark_mask"]),
            "overhead_vs_single": round(times["spark_mask"] / times["single_mask"], 2),
        },
        "seconds": {k: round(v, 2) for k, v in times.items()},
        "note": (
            f"{cores} core(s), local Spark: this measures Spark's overhead over one Python "
            "process (Arrow transfer JVM<->Python, scheduling, Parquet re-encoding), not a "
            "speed-up. Masking is embarrassingly parallel (no shuffle): on a cluster it "
            "should scale with executor cores up to the partition count."
        ),
    }
    path = write_results("spark", figures)
    print(f"\nwrote {path}")
    print(f"NOTE: {figures['note']}")


if __name__ == "__main__":
    main()
