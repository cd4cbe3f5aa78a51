"""A live server (uvicorn in a thread) over a platform in a tmp dir, and the system Chromium.

If Chromium is missing the tests FAIL (CI installs it with apt): a skipped
browser suite would hide a broken dashboard.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import uvicorn

from privault.app.bootstrap import Platform, init_platform
from privault.core.context import Principal, RequestContext
from privault.core.secret import Secret
from privault.interfaces.api import ApiConfig, create_app
from tests.conftest import PASSPHRASE, make_settings
from tests.support.data import CUSTOMER_SCHEMA, customer
from tests.support.net import free_port

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "Tr0ub4dor&3-horse-battery"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": FLAGS}


@dataclass
class Live:
    """A running server and what the tests need to drive it."""

    url: str
    platform: Platform
    app: Any
    totp: pyotp.TOTP

    def code(self, offset_steps: int = 0) -> str:
        when = datetime.now(UTC) + timedelta(seconds=30 * offset_steps)
        return self.totp.at(when)

    def shot(self, page: Any, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def serve(app: Any, port: int | None = None) -> tuple[str, uvicorn.Server, threading.Thread]:
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, thread


def seeded(tmp: Path, **settings: Any) -> tuple[Platform, pyotp.TOTP]:
    """A platform with two clients, records, an owner 'alice' with TOTP."""
    p = init_platform(make_settings(tmp, "sqlite", **settings), Secret(PASSPHRASE))
    now = datetime.now(UTC)
    op = RequestContext(Principal("user:setup", frozenset({"owner"}), mfa_at=now))
    for slug, name, n in (("acme", "Acme Ltd", 30), ("globex", "Globex Corp", 12)):
        p.tenants.create(op, slug, name)
        p.tenants.apply_schema(op, slug, CUSTOMER_SCHEMA)
        p.vault.put_many(op, slug, "customer", [customer(i) for i in range(1, n + 1)])
    p.identity.add_user(op, "alice", display_name="Alice Admin", password=Secret(PASSWORD))
    p.access.grant(op, "alice", "owner")
    p.identity.add_user(op, "tom", display_name="Tom Tech", password=Secret(PASSWORD))
    p.access.grant(op, "tom", "technician", "acme")
    uri = p.mfa.enroll_totp(op, "alice").uri.reveal()
    totp = pyotp.parse_uri(uri)
    # The previous step's code, taken now (seeding takes seconds: a code from
    # the start could be two steps old by now), so the current one stays
    # unused for the test's own sign-in.
    p.mfa.confirm_totp(op, "alice", totp.at(datetime.now(UTC) - timedelta(seconds=30)))
    return p, totp


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    platform, totp = seeded(tmp_path)
    app = create_app(platform, ApiConfig())
    url, server, thread = serve(app)
    yield Live(url, platform, app, totp)
    server.should_exit = True
    thread.join(timeout=10)
    platform.close()


@pytest.fixture
def empty_live(tmp_path: Path) -> Iterator[Live]:
    platform = init_platform(make_settings(tmp_path, "sqlite"), Secret(PASSPHRASE))
    app = create_app(platform, ApiConfig())
    url, server, thread = serve(app)
    yield Live(url, platform, app, pyotp.TOTP(pyotp.random_base32()))
    server.should_exit = True
    thread.join(timeout=10)
    platform.close()
