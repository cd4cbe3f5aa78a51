"""Helpers of the job tests: files under the data root, waiting for a job."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from privault.app.bootstrap import Platform
from tests.support.data import customer

FIELDS = ["customer_id", "name", "email", "phone", "notes"]


def data_root(platform: Platform) -> Path:
    """The jobs' data root of ``platform`` (created)."""
    root = platform.jobs.sources.root
    root.mkdir(parents=True, exist_ok=True)
    return root


def write_customers(path: Path, n: int = 40) -> Path:
    """A CSV of ``n`` fake customers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, FIELDS)
        w.writeheader()
        for i in range(1, n + 1):
            w.writerow({k: v for k, v in customer(i).items() if k in FIELDS})
    return path


def wait_done(client: TestClient, url: str, headers: dict[str, str], timeout: float = 60) -> Any:
    """Poll a job until it is done or failed; return its last state."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(url, headers=headers).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)
