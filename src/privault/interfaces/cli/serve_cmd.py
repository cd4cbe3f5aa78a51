"""``privault serve``: the REST API and the web dashboard over uvicorn."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from privault.app import server_state
from privault.app.bootstrap import open_platform
from privault.app.scheduler import IncidentTicker, RetentionScheduler
from privault.app.setup import SetupService, write_self_signed
from privault.core.errors import InvalidInput
from privault.interfaces.api import ApiConfig, create_app
from privault.interfaces.api.workers import CONFIG_ENV, config_env, serve_workers
from privault.interfaces.cli import common


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the CLI."""
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8080,
    cert: Annotated[Path | None, typer.Option(help="TLS certificate (PEM)")] = None,
    key: Annotated[Path | None, typer.Option(help="TLS private key (PEM)")] = None,
    self_signed: Annotated[
        bool, typer.Option("--self-signed", help="generate a certificate for a first start")
    ] = False,
    access_log: Annotated[bool, typer.Option(help="log each request line")] = False,
    retention_every: Annotated[
        int, typer.Option(min=0, help="run retention every N hours (0: never)")
    ] = 24,
    incident_tick_every: Annotated[
        int,
        typer.Option(
            min=0, help="send incident escalations and clock reminders every N minutes (0: never)"
        ),
    ] = 5,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="worker processes (rate limits then count per worker; on SQLite "
            "the workers take turns to write)",
        ),
    ] = 1,
    threads: Annotated[
        int,
        typer.Option(
            min=1,
            help="threads per worker for short requests (CPU-bound Python gains "
            "nothing from more; long ones run on a lane of their own)",
        ),
    ] = 1,
) -> None:
    """Serve the dashboard at / and the API at /api/v1 (HTTPS with a certificate)."""
    import uvicorn

    if (cert is None) != (key is None):
        raise InvalidInput("give both --cert and --key, or neither")
    cfg = common.settings()
    secret = common.passphrase(cfg)
    platform = open_platform(cfg, secret)
    if self_signed and cert is None:
        cert, key = write_self_signed(platform.settings.data_dir / "tls", host)
    tls = cert is not None
    config = ApiConfig(tls=tls, threads=threads)
    app = None
    # One background rule evaluator per server: in this process (with
    # --workers, the supervisor: the workers only check honeytokens).
    platform.monitor.start_background()
    if workers == 1:
        app = create_app(platform, config)
    else:
        # Each worker opens the installation itself (privault.interfaces.api.workers).
        platform.jobs.runner.recover()
        os.environ[CONFIG_ENV] = config_env(config)
        if secret is not None:
            os.environ["PRIVAULT_PASSPHRASE"] = secret.reveal()
    scheme = "https" if tls else "http"
    base = f"{scheme}://{host}:{port}"
    setup = SetupService(platform.data, platform.identity, platform.access, platform.clock)
    if setup.needed():
        token = setup.create_setup_token(common.request())
        common.out.print("No user exists yet. Create the first owner (link works once, 1 hour):")
        common.out.print(f"  {base}/setup?token={token.reveal()}")
    common.out.print(
        f"privault dashboard at {base}/  ·  API at {base}/api/v1  ·  docs {base}/api/docs"
    )
    server_state.record(
        platform.settings.data_dir,
        server_state.ServerState(tls, host, port, platform.clock.now()),
    )
    scheduler, ticker = None, None
    if incident_tick_every:
        ticker = IncidentTicker(
            platform.incidents, platform.clock, timedelta(minutes=incident_tick_every)
        )
        ticker.start()
        common.out.print(
            f"incident escalations and reminders every {incident_tick_every} min "
            "(--incident-tick-every 0: off)"
        )
    if retention_every:
        scheduler = RetentionScheduler(
            platform.lifecycle, platform.tenants, platform.clock, timedelta(hours=retention_every)
        )
        scheduler.start()
        common.out.print(f"retention runs every {retention_every} h (--retention-every 0: off)")
    options: dict[str, Any] = {
        "ssl_certfile": str(cert) if cert else None,
        "ssl_keyfile": str(key) if key else None,
        "access_log": access_log,
        "log_level": "info",
        "server_header": False,
    }
    if app is not None:
        uvicorn.run(app, host=host, port=port, **options)
    else:
        serve_workers(workers, host, port, **options)
    for running in (scheduler, ticker):
        if running is not None:
            running.stop()
    platform.close()
