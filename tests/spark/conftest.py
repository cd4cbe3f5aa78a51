"""One local SparkSession for the whole test run (start-up takes 8-25 s here).

The session writes Spark's event log and the driver's log4j log (INFO) to a
temporary directory, so the canary test can search both for key material.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.net import moto_s3

LOG4J = """\
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = {path}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d %p %c: %m%n%ex
"""


@dataclass(frozen=True)
class SparkRun:
    """The shared session and where it logs."""

    session: Any  # pyspark.sql.SparkSession
    event_log: Path
    driver_log: Path


@pytest.fixture(scope="session")
def spark_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkRun]:
    from privault.spark import build_session

    logs = tmp_path_factory.mktemp("spark-logs")
    events = logs / "events"
    events.mkdir()
    driver_log = logs / "driver.log"
    config = logs / "log4j2.properties"
    config.write_text(LOG4J.format(path=driver_log))
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_SUBMIT_ARGS"] = (
        f'--driver-java-options "-Dlog4j2.configurationFile=file:{config}" pyspark-shell'
    )
    session = build_session(
        "local[2]",
        app_name="privault-tests",
        conf={
            "spark.sql.shuffle.partitions": "2",
            "spark.default.parallelism": "2",
            "spark.ui.enabled": "false",
            "spark.eventLog.enabled": "true",
            "spark.eventLog.dir": f"file://{events}",
            "spark.eventLog.compress": "false",  # plain text, so the canary search means something
        },
    )
    try:
        yield SparkRun(session, events, driver_log)
    finally:
        session.stop()
        os.environ.pop("PYSPARK_SUBMIT_ARGS", None)


@pytest.fixture
def spark(spark_run: SparkRun) -> Any:
    return spark_run.session


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on loopback (as the discovery S3 tests run it)."""
    with moto_s3() as endpoint:
        yield endpoint
