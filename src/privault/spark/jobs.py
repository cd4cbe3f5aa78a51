"""Running a Spark action: progress from Spark's status tracker, retries counted, failures named.

```
caller thread:  setJobGroup(token) ─► action (count, write, collect…) ─► result
poller thread:  statusTracker: jobs of token ─► stages ─► tasks done / total
                ─► progress(label, done, total) every ``poll`` seconds
```
A task that fails is retried by Spark (``spark.task.maxFailures``, or
``local[N,F]``); the failed attempts are counted from the stage infos and
returned in :class:`JobStats`. When a task runs out of attempts, Spark aborts
the job and :class:`SparkJobFailed` names the stage, the partition and the
attempts, never the exception's message (it can quote a row): tasks wrapped
by :func:`guarded` drop that message on the executor already.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from pyspark import TaskContext

from privault.core.errors import PrivaultError

__all__ = ["JobStats", "ProgressFn", "SparkJobFailed", "TaskHook", "guarded", "run_tracked"]

T = TypeVar("T")
U = TypeVar("U")
#: ``progress(label, tasks_done, tasks_total)``, as discovery's progress callbacks.
ProgressFn = Callable[[str, int, int | None], None]
#: Called at the start of every partition task on the executor (tests inject faults
#: with it; nothing on the CLI can set one).
TaskHook = Callable[[], None]

_MARK = re.compile(r"privault task failed: partition (\d+), stage (\d+), attempt (\d+), (\w+)")


class SparkJobFailed(PrivaultError):
    """A Spark job was aborted: a partition failed on every attempt.

    Fields: ``stage``, ``partition``, ``attempts``, ``error`` (an exception
    class name, never its message).
    """

    code: ClassVar[str] = "spark_job_failed"
    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500


@dataclass(frozen=True, slots=True)
class JobStats:
    """What Spark ran for one action.

    Attributes:
        jobs: Spark jobs started.
        stages: stages run.
        tasks: tasks that completed.
        failed_attempts: task attempts that failed and were retried.

    """

    jobs: int = 0
    stages: int = 0
    tasks: int = 0
    failed_attempts: int = 0

    def describe(self) -> str:
        """``3 job(s), 4 stage(s), 12 task(s); 1 failed attempt retried``."""
        text = f"{self.jobs} job(s), {self.stages} stage(s), {self.tasks} task(s)"
        if self.failed_attempts:
            text += f"; {self.failed_attempts} failed task attempt(s) retried"
        return text

    def __add__(self, other: JobStats) -> JobStats:
        return JobStats(
            self.jobs + other.jobs,
            self.stages + other.stages,
            self.tasks + other.tasks,
            self.failed_attempts + other.failed_attempts,
        )


def _snapshot(tracker: Any, group: str) -> JobStats:
    jobs = tracker.getJobIdsForGroup(group)
    stages: set[int] = set()
    for job in jobs:
        info = tracker.getJobInfo(job)
        if info is not None:
            stages.update(info.stageIds)
    done = failed = seen = 0
    for stage in stages:
        info = tracker.getStageInfo(stage)
        if info is None or info.numTasks == 0:
            continue
        seen += 1
        done += info.numCompletedTasks
        failed += info.numFailedTasks
    return JobStats(len(jobs), seen, done, failed)


def _totals(tracker: Any, group: str) -> tuple[int, int]:
    done = total = 0
    for job in tracker.getJobIdsForGroup(group):
        info = tracker.getJobInfo(job)
        for stage in info.stageIds if info is not None else ():
            s = tracker.getStageInfo(stage)
            if s is not None:
                done += s.numCompletedTasks
                total += s.numTasks
    return done, total


def failure_of(exc: BaseException) -> SparkJobFailed | None:
    """The :class:`SparkJobFailed` for a job a guarded task aborted, or None for other errors.

    Spark 4 re-raises the failing task's last exception without naming its
    stage or partition; :func:`guarded` tasks put both in their exception.
    """
    match = _MARK.search(str(exc))
    if match is None:
        return None
    partition, stage, attempt = (int(g) for g in match.groups()[:3])
    error, attempts = match.group(4), attempt + 1
    return SparkJobFailed(
        f"Spark job failed: partition {partition} of stage {stage} failed "
        f"{attempts} attempt(s) ({error})",
        stage=stage,
        partition=partition,
        attempts=attempts,
        error=error,
    )


def guarded(task: Callable[[Iterator[T]], Iterator[U]]) -> Callable[[Iterator[T]], Iterator[U]]:
    """Wrap a partition task: its failure names the partition, never the exception's text.

    The original message (a parser or operator error can quote a value) is
    dropped here on the executor, so it reaches neither Spark's logs nor the
    event log nor the driver; only the exception's class name travels.
    """

    def run(items: Iterator[T]) -> Iterator[U]:
        try:
            yield from task(items)
        except Exception as exc:
            ctx = TaskContext.get()
            where = (ctx.partitionId(), ctx.stageId(), ctx.attemptNumber()) if ctx else (0, 0, 0)
            raise RuntimeError(
                "privault task failed: partition {}, stage {}, attempt {}, ".format(*where)
                + type(exc).__name__
            ) from None

    return run


def run_tracked(
    spark: Any,
    action: Callable[[], T],
    *,
    label: str,
    progress: ProgressFn | None = None,
    poll: float = 0.25,
) -> tuple[T, JobStats]:
    """Run ``action`` (one or more Spark actions) and follow its jobs.

    Args:
        spark: the SparkSession.
        action: runs the Spark actions in this thread.
        label: progress label (e.g. ``masking``).
        progress: receives (label, tasks done, tasks total) while it runs.
        poll: seconds between two looks at the status tracker.

    Raises:
        SparkJobFailed: a partition failed on all its attempts.

    """
    sc = spark.sparkContext
    tracker = sc.statusTracker()
    group = f"privault-{uuid.uuid4().hex[:12]}"
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(poll):
            if progress is not None:
                done, total = _totals(tracker, group)
                progress(label, done, total or None)

    sc.setJobGroup(group, label, interruptOnCancel=False)
    poller = threading.Thread(target=watch, name="privault-spark-progress", daemon=True)
    poller.start()
    try:
        result = action()
    except Exception as exc:
        failed = failure_of(exc)
        if failed is not None:
            raise failed from None
        raise
    finally:
        stop.set()
        poller.join()
        sc.setLocalProperty("spark.jobGroup.id", None)  # clears the group for this thread
    stats = _snapshot(tracker, group)
    if progress is not None:
        progress(label, stats.tasks, stats.tasks)
    return result, stats
