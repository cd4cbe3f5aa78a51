"""Scans and masked copies on Spark: authorize, run through ``privault.spark``, audit.

The Spark glue that needs both discovery and deid lives here (domain packages
do not import each other): :mod:`privault.spark` samples partitions and runs
the deid table plan on Arrow batches; this service classifies the sample with
the single-machine discovery scan, so both engines give the same answer.

A masked copy is written to a hidden partial directory beside ``dest`` and
renamed into place only after its audit event is written (fail-closed, as
:class:`~privault.app.masking.MaskingService` does for files).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.app.discovery import ScanReport
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput, NotFound
from privault.core.secret import Secret
from privault.deid import Policy
from privault.discovery import ScanOptions
from privault.discovery import scan as run_scan

__all__ = ["SparkJobService", "SparkMaskReport"]

MASK_ACTION = "mask.run"
SCAN_ACTION = "scan.run"
#: Rows drawn per partition for a scan (stratified sample).
ROWS_PER_PARTITION = 1_000

#: Returns the SparkSession to use (a ``pyspark.sql.SparkSession``; Any keeps
#: pyspark an optional import for the rest of the app layer).
SessionFactory = Callable[[], Any]


@dataclass(frozen=True, slots=True)
class SparkMaskReport:
    """What a Spark masked copy did: names, counts and rules, never values.

    Attributes:
        source: the source directory.
        dest: the masked directory.
        rows: rows written.
        partition_by: the partition columns kept.
        columns: column -> rule (``fpe``, ``fake``, ``keep``...).
        seconds: wall time of the copy.

    """

    source: str
    dest: str
    rows: int
    partition_by: tuple[str, ...]
    columns: dict[str, str]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "source": self.source,
            "dest": self.dest,
            "rows": self.rows,
            "partition_by": list(self.partition_by),
            "columns": self.columns,
            "seconds": self.seconds,
        }


class SparkJobService:
    """Discovery scans and masked copies of Parquet datasets on Spark.

    Args:
        auditor: writes the audit trail.
        authz: decides ``scan.run`` / ``mask.run`` (and audits denials).
        session: returns the SparkSession (built on first use by the caller).

    """

    def __init__(self, auditor: Auditor, authz: Authorizer, session: SessionFactory) -> None:
        self._audit = auditor
        self._authz = authz
        self._session = session

    def mask_parquet(
        self,
        ctx: RequestContext,
        source_dir: Path,
        dest_dir: Path,
        policy: Policy,
        key: Secret[bytes] | None,
        *,
        pii_types: Mapping[str, str] | None = None,
    ) -> SparkMaskReport:
        """Write a masked copy of the Parquet dataset ``source_dir`` to ``dest_dir``.

        Partitioning (``col=value`` directories) and the schema of unchanged
        columns are kept; pseudonyms and FF1 tokens equal the single-machine
        path's for the same key.

        Raises:
            AccessDenied: the policy decision denied ``mask.run``.
            InvalidInput: a bad policy for this data, a missing key, or a
                destination that exists or is the source.
            NotFound: the source directory does not exist.
            AuditUnavailable: the trail could not be written (no copy is left).

        """
        from privault.spark import mask_dataframe, partition_columns, write_parquet

        path = f"masking/spark/{dest_dir.name}"
        decision = self._authz.check(ctx, MASK_ACTION, None, path)
        if not source_dir.is_dir():
            raise NotFound(f"{source_dir}: no such dataset directory")
        if source_dir.resolve() == dest_dir.resolve():
            raise InvalidInput("the masked copy must not overwrite its source")
        if dest_dir.exists():
            raise InvalidInput(f"{dest_dir.name}: the destination exists; pick a new directory")
        started = time.perf_counter()
        spark = self._session()
        parts = tuple(partition_columns(source_dir))
        df = spark.read.parquet(str(source_dir))
        result = mask_dataframe(df, policy, key=key, pii_types=pii_types)
        partial = dest_dir.with_name(f".{dest_dir.name}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        try:
            write_parquet(result.frame, str(partial), parts, mode="error")
            rows = int(spark.read.parquet(str(partial)).count())
            report = SparkMaskReport(
                str(source_dir),
                str(dest_dir),
                rows,
                parts,
                result.columns,
                round(time.perf_counter() - started, 3),
            )
            event = self._audit.event(
                ctx,
                MASK_ACTION,
                path,
                tenant_id=None,
                decision=decision,
                source=source_dir.name,
                engine="spark",
                rows_in=rows,
                rows_out=rows,
                columns=report.columns,
            )
            self._audit.write_now([event])
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        partial.rename(dest_dir)
        return report

    def scan_parquet(
        self,
        ctx: RequestContext,
        path: Path,
        *,
        rows_per_partition: int = ROWS_PER_PARTITION,
        seed: int = 20_26,
    ) -> ScanReport:
        """Classify the columns of a Parquet dataset from a stratified Spark sample.

        Spark draws up to ``rows_per_partition`` rows from every partition;
        the sample is classified by the single-machine scan (same readers,
        detectors and classifier), so the two engines agree on the same rows.

        Raises:
            AccessDenied: the policy decision denied ``scan.run``.
            InvalidInput: a sample size below 1.
            NotFound: the path does not exist.

        """
        from privault.spark import sample_partitions

        if rows_per_partition < 1:
            raise InvalidInput("the sample size must be at least 1 row per partition")
        decision = self._authz.check(ctx, SCAN_ACTION, None, "discovery")
        if not path.exists():
            raise NotFound(f"{path}: no such dataset")
        spark = self._session()
        df = spark.read.parquet(str(path))
        rows = int(df.count())
        sample = sample_partitions(df, rows_per_partition, seed)
        with tempfile.TemporaryDirectory(prefix="privault-spark-scan-") as tmp:
            staged = Path(tmp) / "sample.parquet"
            sample.write_parquet(staged)
            opts = ScanOptions(sample_size=max(1, sample.height), seed=seed)
            result = run_scan([str(staged)], opts)
        datasets = tuple(
            replace(d, source=str(path), name=path.name, row_count=rows) for d in result.datasets
        )
        event = self._audit.event(
            ctx,
            SCAN_ACTION,
            "discovery",
            tenant_id=None,
            decision=decision,
            sources=[str(path)],
            engine="spark",
            datasets=len(datasets),
            pii_columns=sum(bool(c.pii_types) for d in datasets for c in d.columns),
            issues=len(result.issues),
            changes=0,
        )
        self._audit.write_now([event])
        return ScanReport(datasets, result.issues, 0, (), None, None, (str(path),))
