"""A SparkSession from a master URL (``local[*]`` by default, or any cluster URL)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from pyspark.sql import SparkSession

__all__ = ["DEFAULT_MASTER", "build_session"]

DEFAULT_MASTER = "local[*]"
_DEFAULTS = {
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def build_session(
    master: str = DEFAULT_MASTER,
    *,
    app_name: str = "privault",
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """Start (or reuse) a SparkSession.

    Executors run this interpreter's Python unless ``PYSPARK_PYTHON`` says
    otherwise. ``conf`` must never hold keys: Spark writes its conf to the
    event log and the UI.

    Args:
        master: ``local[*]``, ``local[N]``, ``spark://host:7077``, ``yarn``...
        app_name: the application name shown by the cluster manager.
        conf: extra Spark settings (memory, shuffle partitions, event log).

    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName(app_name)
    for name, value in {**_DEFAULTS, **(conf or {})}.items():
        builder = builder.config(name, value)
    return builder.getOrCreate()
