"""``privault serve``: setup link on first start, TLS options (uvicorn itself is stubbed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
import uvicorn
from typer.testing import CliRunner

from privault.interfaces.cli import serve_cmd
from privault.interfaces.cli.common import ErrorMappingGroup
from tests.conftest import PASSPHRASE


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[typer.Typer, list[dict[str, Any]]]:
    from privault.app.bootstrap import init_platform
    from privault.core.secret import Secret
    from tests.conftest import make_settings

    init_platform(make_settings(tmp_path, "sqlite"), Secret(PASSPHRASE)).close()
    monkeypatch.setenv("PRIVAULT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PRIVAULT_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("PRIVAULT_KDF_MEMORY_KIB", "8192")
    monkeypatch.setenv("PRIVAULT_KDF_ITERATIONS", "1")
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    app = typer.Typer(cls=ErrorMappingGroup)
    app.command("noop")(lambda: None)
    serve_cmd.register(app)
    return app, calls


def test_serve_prints_a_setup_link_and_runs_uvicorn(cli: Any) -> None:
    app, calls = cli
    result = CliRunner().invoke(app, ["serve", "--port", "8099"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8099/setup?token=" in result.output
    (call,) = calls
    assert call["host"] == "127.0.0.1" and call["port"] == 8099
    assert call["ssl_certfile"] is None and call["access_log"] is False


def test_serve_self_signed(cli: Any, tmp_path: Path) -> None:
    app, calls = cli
    result = CliRunner().invoke(app, ["serve", "--self-signed"])
    assert result.exit_code == 0, result.output
    assert "https://127.0.0.1:8080/" in result.output
    cert, key = Path(calls[0]["ssl_certfile"]), Path(calls[0]["ssl_keyfile"])
    assert cert.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert key.stat().st_mode & 0o777 == 0o600


def test_serve_needs_cert_and_key_together(cli: Any, tmp_path: Path) -> None:
    app, _calls = cli
    result = CliRunner().invoke(app, ["serve", "--cert", str(tmp_path / "c.pem")])
    assert result.exit_code == 2


def test_serve_runs_the_incident_tick_next_to_retention(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from privault.app.scheduler import IncidentTicker

    started: list[tuple[str, float]] = []
    monkeypatch.setattr(
        IncidentTicker, "start", lambda self: started.append(("start", self.interval.seconds))
    )
    monkeypatch.setattr(IncidentTicker, "stop", lambda self: started.append(("stop", 0)))
    app, calls = cli
    result = CliRunner().invoke(app, ["serve", "--incident-tick-every", "2"])
    assert result.exit_code == 0, result.output
    assert "incident escalations and reminders every 2 min" in result.output
    assert started == [("start", 120), ("stop", 0)] and len(calls) == 1
    started.clear()
    result = CliRunner().invoke(app, ["serve", "--incident-tick-every", "0"])
    assert "incident escalations" not in result.output and started == []
