"""``privault serve --workers 2``: a real uvicorn with two worker processes, on both stores.

What the workers share must live in the store: CSRF accepted whichever worker
rendered the form, and the monitor's cursor (the supervisor's evaluator
counts each event once; the workers only check honeytokens).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from privault.app.bootstrap import init_platform, open_platform
from privault.core.context import Principal, RequestContext
from privault.core.secret import Secret
from privault.core.settings import Settings
from privault.monitor.rules.access import READ_COUNTER
from privault.monitor.tables import monitor_counters
from tests.conftest import PASSPHRASE, make_settings
from tests.support.data import CUSTOMER_SCHEMA, customer
from tests.support.net import free_port


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVAULT_")}
    return {
        **env,
        "PRIVAULT_DATA_DIR": str(settings.data_dir),
        "PRIVAULT_DATABASE_URL": settings.database_url,
        "PRIVAULT_KEYSTORE_URL": settings.keystore_url,
        "PRIVAULT_PASSPHRASE": PASSPHRASE,
        "PRIVAULT_KDF_MEMORY_KIB": "8192",
        "PRIVAULT_KDF_ITERATIONS": "1",
    }


@pytest.fixture(params=["sqlite", "postgres"])
def served(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[str, Settings, dict[str, Any]]]:
    settings = make_settings(tmp_path, request.param)
    p = init_platform(settings, Secret(PASSPHRASE))
    ctx = RequestContext(Principal("user:op", frozenset({"owner"}), mfa_at=datetime.now(UTC)))
    p.tenants.create(ctx, "acme")
    p.tenants.apply_schema(ctx, "acme", CUSTOMER_SCHEMA)
    ids = p.vault.put_many(ctx, "acme", "customer", [customer(i) for i in range(20)])
    p.identity.add_user(ctx, "tech")
    p.access.grant(ctx, "tech", "technician")
    _k, key = p.identity.create_api_key(ctx, "tech", "ci", scopes=["record.*"])
    p.close()
    port = free_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "privault"),
            "serve",
            "--workers",
            "2",
            "--port",
            str(port),
        ],
        env=_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.3)
        yield url, settings, {"ids": ids, "key": key.reveal()}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_two_workers_share_csrf_and_evaluate_each_event_once(
    served: tuple[str, Settings, dict[str, Any]],
) -> None:
    url, settings, setup = served

    # A form rendered by one worker is accepted by the other. Sign-in attempts
    # run many at a time on fresh connections, so both workers take some.
    def sign_in(_i: int) -> bool:
        form = httpx.get(f"{url}/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        answer = httpx.post(
            f"{url}/login",
            data={"username": "nobody", "password": "wrong", "csrf": csrf.group(1)},
            cookies=form.cookies,
        )
        return "the form expired" not in answer.text

    with ThreadPoolExecutor(max_workers=16) as pool:
        accepted = list(pool.map(sign_in, range(48)))
    assert all(accepted)
    headers = {"Authorization": f"Bearer {setup['key']}"}
    for rid in setup["ids"]:
        r = httpx.get(
            f"{url}/api/v1/tenants/acme/records/{rid}",
            params={"purpose": "support"},
            headers=headers,
        )
        assert r.status_code == 200
    c = monitor_counters.c
    reads_counted = select(func.coalesce(func.sum(c.amount), 0)).where(c.counter == READ_COUNTER)
    p = open_platform(settings, Secret(PASSPHRASE))
    try:
        deadline = time.monotonic() + 30
        while True:
            with p.data.read() as conn:
                counted = conn.execute(reads_counted).scalar_one()
            if counted >= 20 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        time.sleep(1.5)  # the evaluator polls at least once more
        with p.data.read() as conn:
            counted = conn.execute(reads_counted).scalar_one()
    finally:
        p.close()
    assert counted == 20  # twenty reads, each counted once


def test_worker_sockets_share_the_port_and_get_no_nagle_delay() -> None:
    import asyncio
    import socket

    from privault.interfaces.api.workers import listen_socket

    port = free_port()
    first, second = listen_socket("127.0.0.1", port), listen_socket("127.0.0.1", port)
    try:
        accepted: list[int] = []

        async def serve() -> None:
            async def on_client(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
                raw = w.get_extra_info("socket")
                accepted.append(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                w.close()

            server = await asyncio.start_server(on_client, sock=first)
            _r, w = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(100):
                if accepted:
                    break
                await asyncio.sleep(0.02)
            w.close()
            server.close()

        second.close()  # the kernel sends the connection to the socket still listening
        asyncio.run(serve())
        assert accepted == [1]
    finally:
        first.close()
