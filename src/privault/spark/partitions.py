"""One result per partition: a function folds a partition's Arrow batches into bytes.

Used by the full-profile scan: each task profiles its partition and returns
the pickled counts; the driver merges them. Only the folded results (counts,
masked examples) travel back to the driver, never the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa
from pyspark.sql import DataFrame

from privault.spark.jobs import TaskHook, guarded

__all__ = ["fold_partitions"]

#: Folds one partition's batches into one opaque result.
FoldFn = Callable[[Iterator[pa.RecordBatch]], bytes]
_OUT = pa.schema([("result", pa.binary())])


def _task(
    fold: FoldFn, hook: TaskHook | None
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        if hook is not None:
            hook()
        yield pa.RecordBatch.from_pydict({"result": [fold(batches)]}, schema=_OUT)

    return guarded(run)


def fold_partitions(df: DataFrame, fold: FoldFn, *, hook: TaskHook | None = None) -> list[bytes]:
    """Run ``fold`` on every partition of ``df``; return the results in partition order."""
    out = df.mapInArrow(_task(fold, hook), "result binary")
    table: pa.Table = out.toArrow()
    return [bytes(v) for v in table.column("result").to_pylist()]
