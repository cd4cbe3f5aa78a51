"""Stratified samples for discovery: up to N rows drawn uniformly from every partition.

Each partition keeps the N rows with the smallest random keys (a bottom-k
sample: uniform, one pass, never more than about N rows plus one batch in
memory). The driver collects at most ``N x partitions`` rows, which the caller
classifies with the single-machine classifier.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
from pyspark import TaskContext
from pyspark.sql import DataFrame
from pyspark.sql.pandas.types import to_arrow_schema

from privault.spark.jobs import guarded

__all__ = ["partition_columns", "sample_partitions"]

_KEY = "__privault_sample_key"


def _sampler(
    rows: int, seed: int, schema: pa.Schema
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        ctx = TaskContext.get()
        part = ctx.partitionId() if ctx is not None else 0
        rng = np.random.default_rng([seed, part])
        kept: pa.Table | None = None
        for batch in batches:
            keys = pa.array(rng.random(batch.num_rows))
            table = pa.Table.from_batches([batch]).append_column(_KEY, keys)
            kept = table if kept is None else pa.concat_tables([kept, table])
            if kept.num_rows > rows:
                kept = kept.sort_by(_KEY).slice(0, rows)
        if kept is not None:
            yield from kept.drop_columns([_KEY]).cast(schema).to_batches()

    return guarded(run)


def sample_partitions(df: DataFrame, rows_per_partition: int, seed: int = 20_26) -> pl.DataFrame:
    """Return up to ``rows_per_partition`` rows drawn uniformly from each partition of ``df``.

    Columns keep their types (the caller stringifies as its readers do).
    """
    schema = to_arrow_schema(df.schema)
    sampled = df.mapInArrow(_sampler(rows_per_partition, seed, schema), df.schema)
    table: pa.Table = sampled.toArrow()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)  # a table converts to a frame
    return frame


def partition_columns(root: Path) -> list[str]:
    """The Hive-style partition columns of a local dataset directory (``a=1/b=2/...``)."""
    names: list[str] = []
    level = root
    while True:
        subdirs = sorted(p for p in level.iterdir() if p.is_dir() and "=" in p.name)
        if not subdirs:
            return names
        names.append(subdirs[0].name.split("=", 1)[0])
        level = subdirs[0]
