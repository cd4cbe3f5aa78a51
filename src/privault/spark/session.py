"""A SparkSession from a master URL (``local[*]`` by default, or any cluster URL).

Retries: on a cluster ``spark.task.maxFailures`` bounds the attempts of a
task; local masters ignore that setting and take the count from the URL
(``local[N,F]``), so :func:`retrying_master` writes it there.

JDBC drivers come from the machine, never from Maven (this product runs
where only package registries are reachable): the Debian packages
``libpostgresql-jdbc-java`` and ``libxerial-sqlite-jdbc-java`` install them
under ``/usr/share/java``; ``PRIVAULT_SPARK_JARS`` (``:``-separated) adds others.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from pyspark.sql import SparkSession

from privault.core.errors import ConfigurationError

__all__ = [
    "DEFAULT_MASTER",
    "JDBC_DRIVERS",
    "MAX_TASK_ATTEMPTS",
    "build_session",
    "jdbc_jars",
    "retrying_master",
]

DEFAULT_MASTER = "local[*]"
#: Attempts per task before the job fails (the first run plus three retries).
MAX_TASK_ATTEMPTS = 4
_DEFAULTS = {
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.task.maxFailures": str(MAX_TASK_ATTEMPTS),
    # Larger Arrow batches: the deid plan and the profiler pay a fixed cost per batch.
    "spark.sql.execution.arrow.maxRecordsPerBatch": "50000",
}
#: JDBC sub-protocol -> (driver class, jar file names searched for, Debian package).
JDBC_DRIVERS: Mapping[str, tuple[str, tuple[str, ...], str]] = {
    "postgresql": ("org.postgresql.Driver", ("postgresql.jar",), "libpostgresql-jdbc-java"),
    "sqlite": (
        "org.sqlite.JDBC",
        ("sqlite-jdbc.jar", "xerial-sqlite-jdbc.jar"),
        "libxerial-sqlite-jdbc-java",
    ),
}
_JAR_DIRS = (Path("/usr/share/java"),)
_LOCAL = re.compile(r"^local\[(\*|\d+)\]$")


def retrying_master(master: str, attempts: int = MAX_TASK_ATTEMPTS) -> str:
    """``local[N]`` -> ``local[N,attempts]`` (local mode ignores ``spark.task.maxFailures``)."""
    if master == "local":
        return f"local[1,{attempts}]"
    match = _LOCAL.match(master)
    return f"local[{match.group(1)},{attempts}]" if match else master


def jdbc_jars() -> list[Path]:
    """The JDBC driver jars found on this machine (plus ``PRIVAULT_SPARK_JARS``)."""
    found = [Path(p) for p in os.environ.get("PRIVAULT_SPARK_JARS", "").split(":") if p]
    for _cls, names, _pkg in JDBC_DRIVERS.values():
        for folder in _JAR_DIRS:
            hit = next((folder / n for n in names if (folder / n).is_file()), None)
            if hit is not None:
                found.append(hit.resolve())
                break
    return found


def jdbc_driver(protocol: str) -> str:
    """The driver class for ``jdbc:<protocol>:``; a clear error when its jar is missing.

    Raises:
        ConfigurationError: an unknown sub-protocol or a driver jar not installed.

    """
    if protocol not in JDBC_DRIVERS:
        known = ", ".join(sorted(JDBC_DRIVERS))
        raise ConfigurationError(f"no JDBC driver known for jdbc:{protocol}: (known: {known})")
    cls, names, package = JDBC_DRIVERS[protocol]
    extra = os.environ.get("PRIVAULT_SPARK_JARS", "")
    if not any(p.name in names for p in jdbc_jars()) and not extra:
        raise ConfigurationError(
            f"the {protocol} JDBC driver is not installed: apt-get install {package} "
            "(or list its jar in PRIVAULT_SPARK_JARS)"
        )
    return cls


def build_session(
    master: str = DEFAULT_MASTER,
    *,
    app_name: str = "privault",
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """Start (or reuse) a SparkSession with the JDBC drivers found on this machine.

    Executors run this interpreter's Python unless ``PYSPARK_PYTHON`` says
    otherwise. ``conf`` must never hold keys or credentials: Spark writes its
    conf to the event log and the UI.

    Args:
        master: ``local[*]``, ``local[N]``, ``spark://host:7077``, ``yarn``...
            Local masters get :data:`MAX_TASK_ATTEMPTS` attempts per task.
        app_name: the application name shown by the cluster manager.
        conf: extra Spark settings (memory, shuffle partitions, event log).

    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.master(retrying_master(master)).appName(app_name)
    settings = dict(_DEFAULTS)
    jars = jdbc_jars()
    if jars:
        paths = [str(p) for p in jars]
        settings["spark.jars"] = ",".join(paths)
        settings["spark.driver.extraClassPath"] = os.pathsep.join(paths)
    settings.update(conf or {})
    for name, value in settings.items():
        builder = builder.config(name, value)
    return builder.getOrCreate()
