"""Scans and masked copies on Spark: authorize, run through ``privault.spark``, audit.

The Spark glue that needs both discovery and deid lives in the app layer
(domain packages do not import each other): :mod:`privault.spark` reads and
writes datasets (local Parquet/CSV, S3, JDBC), samples partitions and runs the
deid table plan on Arrow batches; :mod:`privault.app.spark_scan` classifies
with the single-machine discovery classifier, so both engines agree.

A masked copy is staged (a hidden ``.NAME.partial`` directory, a
``NAME__privault_partial`` table; on S3 the writer deletes its objects when
the job aborts) and promoted only after its audit event is written
(fail-closed, as :class:`~privault.app.masking.MaskingService` does for
files). A job that fails leaves nothing that looks complete.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.discovery import ScanReport
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.deid import Policy
from privault.discovery import ScanOptions

if TYPE_CHECKING:
    from privault.spark.datasets import SparkDataset
    from privault.spark.jobs import JobStats, ProgressFn, TaskHook
    from privault.spark.s3 import S3Access

__all__ = ["SparkJobService", "SparkMaskReport"]

MASK_ACTION = "mask.run"
SCAN_ACTION = "scan.run"
#: Rows drawn per partition for a sample scan (stratified sample).
ROWS_PER_PARTITION = 1_000
_PARTIAL_TABLE = "__privault_partial"

#: Returns the SparkSession to use (a ``pyspark.sql.SparkSession``; Any keeps
#: pyspark an optional import for the rest of the app layer).
SessionFactory = Callable[[], Any]


@dataclass(frozen=True, slots=True)
class SparkMaskReport:
    """What a Spark masked copy did: names, counts and rules, never values.

    Attributes:
        source: the source dataset (no credentials).
        dest: the masked dataset (no credentials).
        rows: rows written.
        partition_by: the partition columns kept.
        columns: column -> rule (``fpe``, ``fake``, ``keep``...).
        seconds: wall time of the copy.
        spark: what Spark ran (jobs, stages, tasks, retried attempts).
        retried: task attempts that failed and were retried.

    """

    source: str
    dest: str
    rows: int
    partition_by: tuple[str, ...]
    columns: dict[str, str]
    seconds: float
    spark: str = ""
    retried: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "source": self.source,
            "dest": self.dest,
            "rows": self.rows,
            "partition_by": list(self.partition_by),
            "columns": self.columns,
            "seconds": self.seconds,
            "spark": self.spark,
            "retried_task_attempts": self.retried,
        }


class SparkJobService:
    """Discovery scans and masked copies of datasets on Spark.

    Args:
        auditor: writes the audit trail.
        authz: decides ``scan.run`` / ``mask.run`` (and audits denials).
        session: returns the SparkSession (built on first use).
        s3: returns the S3 endpoint and credentials (default: boto3's chain).
        task_hook: runs at the start of every Spark task. Tests inject
            faults with it; no interface sets one.

    """

    def __init__(
        self,
        auditor: Auditor,
        authz: Authorizer,
        session: SessionFactory,
        *,
        s3: Callable[[], S3Access] | None = None,
        task_hook: TaskHook | None = None,
    ) -> None:
        self._audit = auditor
        self._authz = authz
        self._session = session
        self._s3_factory = s3
        self._s3: S3Access | None = None
        self._hook = task_hook

    def _access(self, *datasets: SparkDataset) -> S3Access | None:
        if self._s3 is None and any(d.kind == "s3" for d in datasets):
            from privault.spark.s3 import S3Access

            self._s3 = self._s3_factory() if self._s3_factory else S3Access.from_boto()
        return self._s3

    def mask(
        self,
        ctx: RequestContext,
        source: str,
        dest: str,
        policy: Policy,
        key: Secret[bytes] | None,
        *,
        pii_types: Mapping[str, str] | None = None,
        progress: ProgressFn | None = None,
    ) -> SparkMaskReport:
        """Write a masked copy of the dataset ``source`` to the new dataset ``dest``.

        Sources and destinations: Parquet or CSV paths (partitioned or not),
        ``s3://bucket/prefix``, ``URL::TABLE`` for JDBC. Partitioning and the
        schema of unchanged columns are kept; pseudonyms and FF1 tokens equal
        the single-machine path's for the same key.

        Raises:
            AccessDenied: the policy decision denied ``mask.run``.
            InvalidInput: a bad policy for this data, a missing key, or a
                destination that exists or is the source.
            NotFound: the source does not exist.
            SparkJobFailed: a partition failed on every attempt (nothing kept).
            AuditUnavailable: the trail could not be written (nothing kept).

        """
        from privault.spark import datasets as sd
        from privault.spark import mask_dataframe
        from privault.spark.jobs import SparkJobFailed, run_tracked

        src = sd.parse_dataset(source)
        dst = sd.parse_destination(dest, src)
        path = f"masking/spark/{dst.name}"
        decision = self._authz.check(ctx, MASK_ACTION, None, path)
        if _identity(src) == _identity(dst):
            raise InvalidInput("the masked copy must not overwrite its source")
        started = time.perf_counter()
        spark = self._session()
        s3 = self._access(src, dst)
        if sd.exists(spark, dst, s3):
            raise InvalidInput(f"{dst.name}: the destination exists; pick a new one")
        df = sd.read(spark, src, s3)
        parts = sd.partitioning(src, s3) if dst.kind != "jdbc" else ()
        result = mask_dataframe(df, policy, key=key, pii_types=pii_types, hook=self._hook)
        staged = _staging(dst)

        def run() -> int:
            sd.write(spark, result.frame, staged, parts, s3)
            return int(sd.read(spark, staged, s3).count())

        try:
            rows, stats = run_tracked(spark, run, label="masking", progress=progress)
            report = SparkMaskReport(
                str(src), str(dst), rows, parts, result.columns,
                round(time.perf_counter() - started, 3), stats.describe(), stats.failed_attempts,
            )  # fmt: skip
            self._audit.write_now([self._mask_event(ctx, decision, path, src, report, stats)])
            _promote(spark, staged, dst)
        except SparkJobFailed as exc:
            _discard(spark, staged, s3)
            raise SparkJobFailed(
                f"{exc.message}; nothing was written to {dst.name}", **exc.fields
            ) from None
        except BaseException:
            _discard(spark, staged, s3)
            raise
        return report

    def _mask_event(
        self,
        ctx: RequestContext,
        decision: Any,
        path: str,
        src: SparkDataset,
        report: SparkMaskReport,
        stats: JobStats,
    ) -> Any:
        return self._audit.event(
            ctx,
            MASK_ACTION,
            path,
            tenant_id=None,
            decision=decision,
            source=src.name,
            engine="spark",
            rows_in=report.rows,
            rows_out=report.rows,
            columns=report.columns,
            retried_task_attempts=stats.failed_attempts,
        )

    def scan(
        self,
        ctx: RequestContext,
        source: str,
        *,
        full: bool = False,
        rows_per_partition: int = ROWS_PER_PARTITION,
        sample_size: int | None = None,
        seed: int = 20_26,
        progress: ProgressFn | None = None,
    ) -> ScanReport:
        """Classify the columns of a dataset on Spark.

        Sample mode draws up to ``rows_per_partition`` rows from every
        partition (``sample_size`` instead: that many rows in all, spread over
        the partitions) and classifies them with the single-machine scan; full
        mode profiles every row on the executors and merges the profiles.

        Raises:
            AccessDenied: the policy decision denied ``scan.run``.
            InvalidInput: a sample size below 1 or a malformed source.
            NotFound: the source does not exist.
            SparkJobFailed: a partition failed on every attempt.

        """
        from privault.app.spark_scan import full_profile, sample_scan
        from privault.spark import datasets as sd
        from privault.spark import sample_partitions
        from privault.spark.jobs import run_tracked
        from privault.spark.partitions import fold_partitions

        if rows_per_partition < 1 or (sample_size is not None and sample_size < 1):
            raise InvalidInput("the sample size must be at least 1 row per partition")
        decision = self._authz.check(ctx, SCAN_ACTION, None, "discovery")
        ds = sd.parse_dataset(source)
        spark = self._session()
        df = sd.read(spark, ds, self._access(ds))
        options = ScanOptions(full=full, seed=seed)
        hook = self._hook
        if sample_size is not None:
            rows_per_partition = -(-sample_size // max(1, df.rdd.getNumPartitions()))

        def run() -> Any:
            if full:
                fold = lambda frame, fn: fold_partitions(frame, fn, hook=hook)  # noqa: E731
                return full_profile(df, options, source=str(ds), name=ds.name, fold=fold)
            rows = int(df.count())
            sample = sample_partitions(df, rows_per_partition, seed)
            return sample_scan(sample, options, source=str(ds), name=ds.name, rows=rows)

        dataset, stats = run_tracked(spark, run, label="scanning", progress=progress)
        event = self._audit.event(
            ctx,
            SCAN_ACTION,
            "discovery",
            tenant_id=None,
            decision=decision,
            sources=[str(ds)],
            engine="spark",
            full=full,
            datasets=1,
            pii_columns=sum(bool(c.pii_types) for c in dataset.columns),
            issues=0,
            changes=0,
            retried_task_attempts=stats.failed_attempts,
        )
        self._audit.write_now([event])
        return ScanReport((dataset,), (), 0, (), None, None, (str(ds),))


def _identity(ds: SparkDataset) -> str:
    if ds.kind in ("parquet", "csv"):
        return str(Path(ds.location).resolve())
    return str(ds).rstrip("/").lower() if ds.kind == "jdbc" else str(ds).rstrip("/")


def _staging(dst: SparkDataset) -> SparkDataset:
    if dst.kind in ("parquet", "csv"):
        where = Path(dst.location)
        return replace(dst, location=str(where.with_name(f".{where.name}.partial")))
    if dst.kind == "jdbc":
        return replace(dst, table=f"{dst.table}{_PARTIAL_TABLE}")
    return dst  # S3: the writer deletes its objects if the job aborts


def _promote(spark: Any, staged: SparkDataset, dst: SparkDataset) -> None:
    from privault.spark import datasets as sd

    if dst.kind in ("parquet", "csv"):
        Path(staged.location).rename(dst.location)
    elif dst.kind == "jdbc":
        assert dst.table is not None and staged.table is not None  # JDBC datasets have tables
        bare = dst.table.rsplit(".", 1)[-1]
        if not sd.jdbc_execute(spark, dst, f"ALTER TABLE {staged.table} RENAME TO {bare}"):
            raise InvalidInput(f"{dst.name}: the masked table could not be put in place")


def _discard(spark: Any, staged: SparkDataset, s3: S3Access | None) -> None:
    """Remove what a failed copy left (the destination was empty before it began)."""
    from privault.spark import datasets as sd

    if staged.kind in ("parquet", "csv"):
        shutil.rmtree(staged.location, ignore_errors=True)
    elif staged.kind == "jdbc":
        sd.jdbc_execute(spark, staged, f"DROP TABLE IF EXISTS {staged.table}")
    elif s3 is not None:
        from privault.spark.s3 import S3Location, s3_objects

        fs = s3.filesystem()
        where = S3Location.parse(staged.location)
        for obj in [*s3_objects(s3, where), f"{where.root}/_SUCCESS"]:
            try:
                fs.delete_file(obj)
            except OSError:
                continue  # already gone
