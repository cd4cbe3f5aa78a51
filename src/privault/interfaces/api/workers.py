"""The app of one worker process when ``privault serve --workers N`` runs several.

:func:`serve_workers` starts each worker as a fresh process with its own
``SO_REUSEPORT`` socket on the shared port (Linux), and uvicorn there builds
the app with :func:`app` (a factory). The worker opens the installation from
the same environment as the supervisor (``PRIVAULT_*`` settings, and
``PRIVAULT_PASSPHRASE`` for a local keyfile, which the supervisor sets for
its workers when it prompted for it) and reads the serve options the
supervisor put in ``PRIVAULT_SERVE_CONFIG``.

What is shared between workers lives in the store: sessions, CSRF (a key
derived from the platform's keys), WebAuthn challenges, jobs, the audit
trail and the monitor's cursor (each event evaluated once, by any worker).
Rate limits are counted per worker.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import os
import signal
import socket
import threading
from multiprocessing.process import BaseProcess
from typing import Any

from fastapi import FastAPI

from privault.app.bootstrap import open_platform
from privault.core.errors import ConfigurationError
from privault.core.settings import load_settings
from privault.interfaces.api.app import create_app
from privault.interfaces.api.middleware import ApiConfig

CONFIG_ENV = "PRIVAULT_SERVE_CONFIG"
log = logging.getLogger(__name__)


def config_env(config: ApiConfig, *, web: bool = True) -> str:
    """The ``PRIVAULT_SERVE_CONFIG`` value that hands ``config`` to the workers."""
    return json.dumps({"api": dataclasses.asdict(config), "web": web})


def app() -> FastAPI:
    """Open the installation and build this worker's app (uvicorn ``factory=True``).

    Raises:
        ConfigurationError: not started by ``privault serve --workers``.
    """
    raw = os.environ.get(CONFIG_ENV)
    if raw is None:
        raise ConfigurationError(f"{CONFIG_ENV} is not set: start workers with privault serve")
    options = json.loads(raw)
    settings = load_settings()
    # Read once: processes this worker starts (scan and masking jobs) do not inherit it.
    os.environ.pop("PRIVAULT_PASSPHRASE", None)
    platform = open_platform(settings)
    platform.monitor.evaluate_elsewhere()  # the supervisor runs the evaluator
    return create_app(
        platform, ApiConfig(**options["api"]), web=bool(options["web"]), recover_jobs=False
    )


def serve_workers(count: int, host: str, port: int, **uvicorn_options: Any) -> None:
    """Run ``count`` worker processes on ``host:port`` until SIGINT or SIGTERM.

    Each worker binds its own socket with ``SO_REUSEPORT``, so the kernel
    spreads new connections over the workers. (With one shared socket, the
    worker that wakes first accepts every waiting connection, and a client
    opening its keep-alive pool at once lands on one worker.) A worker that
    dies is started again.
    """
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def start() -> BaseProcess:
        proc = spawn.Process(target=_worker, args=(host, port, uvicorn_options), daemon=False)
        proc.start()
        return proc

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    procs = [start() for _ in range(count)]
    try:
        while not stop.wait(0.5):
            for i, proc in enumerate(procs):
                if not proc.is_alive():
                    log.warning("worker %d exited (code %s); starting it again", i, proc.exitcode)
                    procs[i] = start()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.join(30)
        for s, handler in previous.items():
            signal.signal(s, handler)


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    """One worker process: its own listening socket on the shared port, then uvicorn."""
    import uvicorn

    sock = listen_socket(host, port)
    config = uvicorn.Config(f"{__name__}:app", factory=True, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])


def listen_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` that other workers may bind too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY only on sockets
    # whose protocol says TCP, and without it Nagle's algorithm meets delayed
    # ACKs (about 40 ms per response).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock
