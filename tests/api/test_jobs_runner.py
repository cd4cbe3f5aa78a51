"""The job runner: restart recovery, clean failures, a bounded queue."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from privault.app.jobs import JobRunner, Progress
from privault.core.clock import FixedClock
from privault.core.errors import Busy
from privault.interfaces.api import create_app
from privault.jobs import JobRow
from privault.jobs import repository as repo
from tests.api.conftest import OPEN_LIMITS

SCANS = "/api/v1/tenants/acme/scans"


def queued_row(platform: Platform, clock: FixedClock, status: str = "queued") -> JobRow:
    tenant_id = platform.tenants.get("acme").id
    row = JobRow(
        f"job_test{time.monotonic_ns()}", "scan", tenant_id, "user:root", status, 0.0,
        {"targets": ["x"]}, None, None, None, clock.now(), None, None,
    )  # fmt: skip
    with platform.data.transaction() as conn:
        repo.add(conn, row)
        if status == "running":
            repo.set_running(conn, row.id, clock.now())
    return row


def wait(platform: Platform, job_id: str) -> JobRow:
    deadline = time.monotonic() + 30
    while True:
        with platform.data.transaction() as conn:
            row = repo.get(conn, job_id)
        assert row is not None
        if row.status in ("done", "failed") or time.monotonic() > deadline:
            return row
        time.sleep(0.02)


def test_jobs_left_running_by_a_stopped_server_are_marked_interrupted(
    platform: Platform, clock: FixedClock, tenant: str, owner_key: dict[str, str]
) -> None:
    running = queued_row(platform, clock, "running")
    waiting = queued_row(platform, clock)
    with TestClient(create_app(platform, OPEN_LIMITS)) as client:  # a server starts
        for row in (running, waiting):
            job = client.get(f"{SCANS}/{row.id}", headers=owner_key).json()
            assert job["status"] == "failed" and job["error_code"] == "interrupted", job
            assert job["finished_at"]
    with platform.data.transaction() as conn:
        assert repo.interrupt_active(conn, clock.now()) == 0  # nothing is left active


def test_an_unexpected_error_is_stored_without_its_message(
    platform: Platform, clock: FixedClock, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    canary = "".join(["canary-", "4111", "1111", "1111", "1111"])
    runner = JobRunner(platform.data, clock, workers=1)
    row = queued_row(platform, clock)

    def work(progress: Progress) -> tuple[dict[str, object], list[dict[str, object]]]:
        progress(0.5)
        raise RuntimeError(f"library error quoting a value: {canary}")

    caplog.set_level(logging.DEBUG)
    runner.reserve()
    runner.start(row.id, work)
    failed = wait(platform, row.id)
    runner.close(wait=True)
    assert failed.status == "failed" and failed.error_code == "internal"
    assert failed.error is not None and canary not in failed.error
    assert canary not in caplog.text and row.id in caplog.text


def test_progress_and_result_are_recorded(
    platform: Platform, clock: FixedClock, tenant: str
) -> None:
    runner = JobRunner(platform.data, clock, workers=1)
    row = queued_row(platform, clock)
    seen = threading.Event()
    release = threading.Event()

    def work(progress: Progress) -> tuple[dict[str, object], list[dict[str, object]]]:
        progress(0.4)
        seen.set()
        release.wait(10)
        return {"datasets": 1}, [{"key": "a"}]

    runner.reserve()
    runner.start(row.id, work)
    assert seen.wait(10)
    with platform.data.transaction() as conn:
        mid = repo.get(conn, row.id)
    assert mid is not None and mid.status == "running" and mid.progress == pytest.approx(0.4)
    release.set()
    done = wait(platform, row.id)
    runner.close(wait=True)
    assert done.status == "done" and done.progress == 1.0 and done.summary == {"datasets": 1}
    with platform.data.transaction() as conn:
        assert repo.results(conn, row.id) == [{"key": "a"}]


def test_the_queue_is_bounded(platform: Platform, clock: FixedClock) -> None:
    runner = JobRunner(platform.data, clock, workers=1, max_queued=1)
    runner.reserve()
    runner.reserve()
    with pytest.raises(Busy):
        runner.reserve()
    runner.release()
    runner.reserve()  # a place came free
    runner.close()


def test_a_failure_message_is_scrubbed_before_it_is_stored(
    platform: Platform, clock: FixedClock, tenant: str
) -> None:
    from privault.core.errors import InvalidInput

    root = str(platform.jobs.sources.root)
    runner = JobRunner(platform.data, clock, workers=1)
    row = queued_row(platform, clock)

    def work(progress: Progress) -> tuple[dict[str, object], list[dict[str, object]]]:
        raise InvalidInput(f"{root}/crm/a.csv: not a table")

    runner.reserve()
    runner.start(row.id, work, platform.jobs.scrub)
    failed = wait(platform, row.id)
    runner.close(wait=True)
    assert failed.error_code == "invalid_input" and failed.error == "crm/a.csv: not a table"
