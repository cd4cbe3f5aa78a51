"""Masking on Spark: the deid table plan applied to Arrow record batches (``mapInArrow``).

```
driver:   policy + Spark schema ─► plan_table (validate, bind) ─► output schema
executor: RecordBatch ─► Polars ─► TablePlan.apply ─► Arrow ─► RecordBatch
```
The plan is validated on the driver first (a bad policy fails before any
task runs) and rebuilt once per Python worker from the pickled policy and key
bytes. The key is captured by the task closure only: Spark ships closures as
opaque pickled bytes and never writes them to its conf, logs or event log.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

from privault.core.secret import Secret
from privault.deid import DeidKeys, Policy, TablePlan, plan_table
from privault.spark.jobs import TaskHook, guarded

__all__ = ["SparkMaskResult", "mask_dataframe", "write_parquet"]

#: Plans built in this Python worker, per job token (Spark reuses workers across tasks).
_PLANS: dict[str, TablePlan] = {}


@dataclass(frozen=True, slots=True)
class SparkMaskResult:
    """A masked Spark DataFrame and the plan it runs (rules, never values).

    Attributes:
        frame: the masked DataFrame (lazy until written).
        columns: column -> rule description (``fpe(recipe=card)``, ``keep``...).

    """

    frame: DataFrame
    columns: dict[str, str]


def _frame_of(data: pa.Table | pa.RecordBatch) -> pl.DataFrame:
    frame = pl.from_arrow(data)
    assert isinstance(frame, pl.DataFrame)  # a table or batch converts to a frame
    return frame


def _arrow_out(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest()).cast(schema)


def _keys(material: bytes | None) -> DeidKeys | None:
    return DeidKeys(Secret(material)) if material is not None else None


def _masker(
    policy: Policy,
    material: bytes | None,
    pii_types: Mapping[str, str],
    out_schema: pa.Schema,
    token: str,
    hook: TaskHook | None,
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function each task runs; ``material`` (the key) lives only in this closure."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        if hook is not None:
            hook()
        for batch in batches:
            frame = _frame_of(batch)
            plan = _PLANS.get(token)
            if plan is None:
                plan = plan_table(policy, frame.schema, keys=_keys(material), pii_types=pii_types)
                _PLANS[token] = plan
            yield from _arrow_out(plan.apply(frame), out_schema).to_batches()

    return guarded(run)


def mask_dataframe(
    df: DataFrame,
    policy: Policy,
    *,
    key: Secret[bytes] | None = None,
    pii_types: Mapping[str, str] | None = None,
    hook: TaskHook | None = None,
) -> SparkMaskResult:
    """Mask ``df`` with the same table plan as :func:`privault.deid.mask_file`.

    Args:
        df: the source DataFrame.
        policy: the validated policy.
        key: the project key for keyed operators (None: they refuse).
        pii_types: column -> PII type, e.g. from a scan.
        hook: runs at the start of every task (tests inject faults with it).

    Raises:
        InvalidInput: a bad policy for this data or a keyed operator without a
            key, raised on the driver before any task runs.

    """
    types = dict(pii_types or {})
    material = key.reveal() if key is not None else None
    empty = _frame_of(to_arrow_schema(df.schema).empty_table())
    plan = plan_table(policy, empty.schema, keys=_keys(material), pii_types=types)
    out_arrow = plan.apply(empty).to_arrow(compat_level=pl.CompatLevel.oldest()).schema
    out_schema = from_arrow_schema(out_arrow)
    func = _masker(policy, material, types, out_arrow, uuid.uuid4().hex, hook)
    masked = df.mapInArrow(func, out_schema)
    return SparkMaskResult(masked, {c.column: c.describe() for c in plan.columns})


def write_parquet(
    frame: DataFrame, dest: str, partition_by: Sequence[str] = (), *, mode: str = "error"
) -> float:
    """Write ``frame`` as a Parquet directory (partitioned like the source); return seconds."""
    started = time.perf_counter()
    writer: Any = frame.write.mode(mode)  # pyspark's writer methods are loosely typed
    if partition_by:
        writer = writer.partitionBy(*partition_by)
    writer.parquet(dest)
    return time.perf_counter() - started
