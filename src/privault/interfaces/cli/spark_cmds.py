"""``privault spark scan|mask`` and the Spark engine of ``privault scan|mask``.

Needs the ``privault[spark]`` extra. The same detectors and operators as
the single-machine commands run on partitions; the master is ``local[*]``
by default or any cluster URL. Datasets: Parquet or CSV paths (partitioned
or not), ``s3://bucket/prefix``, ``URL::TABLE`` (JDBC; SQLAlchemy URLs too).
Keys and S3 credentials reach executors inside pickled tasks only, never
Spark conf or logs. Progress comes from Spark's status tracker (stderr).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from privault.core.errors import InvalidInput
from privault.deid import load_policy
from privault.interfaces.cli.common import err, out, platform, request
from privault.interfaces.cli.mask import _pairs, _resolve_key

if TYPE_CHECKING:
    from privault.app.bootstrap import Platform
    from privault.app.discovery import ScanReport
    from privault.app.spark_jobs import SparkJobService

__all__ = ["DEFAULT_MASTER", "mask_on_spark", "register", "scan_on_spark", "spark_app"]

DEFAULT_MASTER = "local[*]"
MASTER_HELP = "Spark master URL: local[*], spark://host:7077, yarn..."
DATASET_HELP = "Parquet/CSV path, s3://bucket/prefix or URL::TABLE (JDBC)."

spark_app = typer.Typer(
    help="Scan and mask datasets (Parquet, CSV, S3, JDBC) on Apache Spark.",
    no_args_is_help=True,
)

MasterOpt = Annotated[str, typer.Option("--master", "--spark-master", help=MASTER_HELP)]


def _session(master: str) -> Callable[[], Any]:
    def build() -> Any:  # a pyspark SparkSession
        try:
            from privault.spark import build_session
        except ImportError:
            raise InvalidInput("Spark is not installed: pip install 'privault[spark]'") from None
        return build_session(master)

    return build


def _service(master: str, p: Platform) -> SparkJobService:
    try:
        from privault.app.spark_jobs import SparkJobService
    except ImportError:
        raise InvalidInput("Spark is not installed: pip install 'privault[spark]'") from None
    return SparkJobService(p.audit, p.authz, _session(master))


@contextmanager
def spark_progress() -> Iterator[Callable[[str, int, int | None], None]]:
    """A Rich bar on stderr fed with (label, tasks done, tasks total) from Spark."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("spark", total=None)

        def update(label: str, done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total, description=f"{label} (tasks)")

        yield update


def scan_on_spark(
    targets: Sequence[str],
    *,
    full: bool,
    sample: int,
    master: str,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> ScanReport:
    """Scan every target on Spark; one report as ``privault scan`` prints it.

    Args:
        targets: dataset specs (paths, ``s3://`` prefixes, ``URL::TABLE``).
        full: profile every row instead of a sample.
        sample: rows sampled per dataset, spread over its partitions.
        master: the Spark master URL.
        progress: receives Spark task progress.

    """
    from privault.app.discovery import ScanReport

    p = platform()
    try:
        service = _service(master, p)
        reports = [
            service.scan(request(), t, full=full, sample_size=sample, progress=progress)
            for t in targets
        ]
    finally:
        p.close()
    return ScanReport(
        tuple(d for r in reports for d in r.datasets), (), 0, (), None, None, tuple(targets)
    )


def mask_on_spark(
    source: str,
    dest: str,
    policy: Path,
    *,
    key_file: Path | None = None,
    project: str = "default",
    types: str | None = None,
    master: str = DEFAULT_MASTER,
    report_json: Path | None = None,
) -> None:
    """Mask ``source`` into ``dest`` on Spark and print the report (``mask --engine spark``).

    Raises:
        InvalidInput: a bad policy, dataset spec or key; a destination that exists.
        SparkJobFailed: a partition failed on every attempt (nothing is kept).

    """
    rules = load_policy(policy)
    p = platform()
    try:
        service = _service(master, p)
        key = _resolve_key(p.masking, key_file, project)
        with spark_progress() as progress:
            report = service.mask(
                request(), source, dest, rules, key, pii_types=_pairs(types), progress=progress
            )
    finally:
        p.close()
    table = Table(title=f"{report.rows} rows masked on Spark → {report.dest}")
    table.add_column("column")
    table.add_column("rule")
    for column, rule in report.columns.items():
        table.add_row(column, rule)
    out.print(table)
    if report.partition_by:
        out.print(f"partitioned by {', '.join(report.partition_by)}")
    out.print(f"spark: {report.spark} ({report.seconds}s)")
    if report_json is not None:
        report_json.write_text(json.dumps(report.to_dict(), indent=2) + "\n")


def scan(
    path: Annotated[str, typer.Argument(help=DATASET_HELP)],
    master: MasterOpt = DEFAULT_MASTER,
    rows: Annotated[int, typer.Option("--rows", min=1, help="Rows sampled per partition.")] = 1_000,
    full: Annotated[bool, typer.Option("--full", help="Profile every row, not a sample.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON summary.")] = False,
) -> None:
    """Classify the columns of a dataset on Spark (stratified sample, or --full profile)."""
    p = platform()
    try:
        with spark_progress() as progress:
            report = _service(master, p).scan(
                request(), path, full=full, rows_per_partition=rows, progress=progress
            )
    finally:
        p.close()
    if as_json:
        out.print_json(json.dumps(report.to_json()))
        return
    (dataset,) = report.datasets
    table = Table(title=f"{dataset.name}: {dataset.row_count} rows")
    for name in ("column", "PII type", "confidence"):
        table.add_column(name)
    for c in dataset.columns:
        table.add_row(c.name, c.pii_type or "-", f"{c.confidence:.2f}")
    out.print(table)


def mask(
    source: Annotated[str, typer.Argument(help=DATASET_HELP)],
    dest: Annotated[str, typer.Argument(help="The masked dataset (must not exist), same forms.")],
    policy: Annotated[Path, typer.Option("--policy", "-p", help="YAML de-identification policy.")],
    master: MasterOpt = DEFAULT_MASTER,
    project: Annotated[
        str, typer.Option(help="Masking project: its managed key keeps pseudonyms consistent.")
    ] = "default",
    key_file: Annotated[
        Path | None, typer.Option("--key-file", help="Project key for keyed operators.")
    ] = None,
    types: Annotated[str | None, typer.Option(help="PII types: col=TYPE,…")] = None,
    report_json: Annotated[
        Path | None, typer.Option("--report", help="Also write the report as JSON.")
    ] = None,
) -> None:
    """Write a masked copy of the dataset SOURCE to DEST on Spark (partitioning kept)."""
    mask_on_spark(
        source, dest, policy, key_file=key_file, project=project, types=types, master=master,
        report_json=report_json,
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the ``spark`` command group to the main ``privault`` app."""
    spark_app.command("scan")(scan)
    spark_app.command("mask")(mask)
    app.add_typer(spark_app, name="spark")
