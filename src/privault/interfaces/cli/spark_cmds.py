"""``privault spark scan`` and ``privault spark mask``: Parquet datasets on Spark.

Needs the ``privault[spark]`` extra. The same detectors and operators as
``privault scan`` / ``privault mask`` run on partitions; ``--master`` takes
``local[*]`` (default) or any cluster URL. Keys are shipped to executors in
the task closure only, never in Spark conf or logs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from privault.core.errors import InvalidInput
from privault.deid import load_policy
from privault.interfaces.cli.common import out, platform, request
from privault.interfaces.cli.mask import _pairs, _resolve_key

if TYPE_CHECKING:
    from privault.app.bootstrap import Platform
    from privault.app.spark_jobs import SparkJobService

__all__ = ["register", "spark_app"]

spark_app = typer.Typer(
    help="Scan and mask Parquet datasets on Apache Spark.", no_args_is_help=True
)

MasterOpt = Annotated[
    str, typer.Option("--master", help="Spark master URL: local[*], spark://host:7077, yarn...")
]


def _session(master: str) -> Callable[[], Any]:
    def build() -> Any:  # a pyspark SparkSession
        try:
            from privault.spark import build_session
        except ImportError:
            raise InvalidInput("Spark is not installed: pip install 'privault[spark]'") from None
        return build_session(master)

    return build


def _service(master: str) -> tuple[SparkJobService, Platform]:
    from privault.app.spark_jobs import SparkJobService

    p = platform()
    return SparkJobService(p.audit, p.authz, _session(master)), p


def scan(
    path: Annotated[Path, typer.Argument(help="A Parquet file or (partitioned) directory.")],
    master: MasterOpt = "local[*]",
    rows: Annotated[int, typer.Option("--rows", min=1, help="Rows sampled per partition.")] = 1_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON summary.")] = False,
) -> None:
    """Classify the columns of PATH from a stratified sample drawn on Spark."""
    report = _service(master)[0].scan_parquet(request(), path, rows_per_partition=rows)
    if as_json:
        out.print_json(json.dumps(report.to_json()))
        return
    table = Table(title=f"{path.name}: {sum(d.row_count for d in report.datasets)} rows")
    for name in ("column", "PII type", "confidence"):
        table.add_column(name)
    for d in report.datasets:
        for c in d.columns:
            table.add_row(c.name, c.pii_type or "-", f"{c.confidence:.2f}")
    out.print(table)


def mask(
    source: Annotated[Path, typer.Argument(help="Parquet dataset directory (may be partitioned).")],
    dest: Annotated[Path, typer.Argument(help="The masked dataset directory (must not exist).")],
    policy: Annotated[Path, typer.Option("--policy", "-p", help="YAML de-identification policy.")],
    master: MasterOpt = "local[*]",
    project: Annotated[
        str, typer.Option(help="Masking project: its managed key keeps pseudonyms consistent.")
    ] = "default",
    key_file: Annotated[
        Path | None, typer.Option("--key-file", help="Project key for keyed operators.")
    ] = None,
    types: Annotated[str | None, typer.Option(help="PII types: col=TYPE,…")] = None,
) -> None:
    """Write a masked copy of the Parquet dataset SOURCE to DEST on Spark."""
    rules = load_policy(policy)
    service, p = _service(master)
    key = _resolve_key(p.masking, key_file, project)
    report = service.mask_parquet(request(), source, dest, rules, key, pii_types=_pairs(types))
    table = Table(title=f"{report.rows} rows masked on Spark → {dest}")
    table.add_column("column")
    table.add_column("rule")
    for column, rule in report.columns.items():
        table.add_row(column, rule)
    out.print(table)
    if report.partition_by:
        out.print(f"partitioned by {', '.join(report.partition_by)}")


def register(app: typer.Typer) -> None:
    """Add the ``spark`` command group to the main ``privault`` app."""
    spark_app.command("scan")(scan)
    spark_app.command("mask")(mask)
    app.add_typer(spark_app, name="spark")
