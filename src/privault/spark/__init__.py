"""Spark engine: the same deid table plan and discovery profiling, on partitions.

A thin layer over PySpark (the optional ``privault[spark]`` extra). Nothing
here re-implements a detector or an operator: masking ships the validated
policy and the project key to executors inside the task closure and runs
:func:`privault.deid.plan_table` on Arrow record batches (``mapInArrow``);
discovery draws a stratified sample (N rows per partition) or folds every
partition into a profile (:mod:`~privault.spark.partitions`) that the caller
classifies with the single-machine classifier. :mod:`~privault.spark.datasets`
reads and writes local Parquet/CSV, S3 (:mod:`~privault.spark.s3`, a Python
data source) and JDBC tables; :mod:`~privault.spark.jobs` follows progress,
counts retries and names a failed partition.

Keys travel only inside the pickled task closure (as bytes): never in Spark
conf, never logged, so they never reach the event log.
"""

from __future__ import annotations

from privault.spark.jobs import JobStats as JobStats
from privault.spark.jobs import SparkJobFailed as SparkJobFailed
from privault.spark.jobs import run_tracked as run_tracked
from privault.spark.mask import SparkMaskResult as SparkMaskResult
from privault.spark.mask import mask_dataframe as mask_dataframe
from privault.spark.mask import write_parquet as write_parquet
from privault.spark.sample import partition_columns as partition_columns
from privault.spark.sample import sample_partitions as sample_partitions
from privault.spark.session import build_session as build_session

__all__ = [
    "JobStats",
    "SparkJobFailed",
    "SparkMaskResult",
    "build_session",
    "mask_dataframe",
    "partition_columns",
    "run_tracked",
    "sample_partitions",
    "write_parquet",
]
