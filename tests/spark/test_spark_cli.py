"""``privault spark`` commands are registered with their options (no session needed)."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from privault.interfaces.cli import spark_cmds


def test_spark_group_lists_scan_and_mask() -> None:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test root."""

    spark_cmds.register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["spark", "--help"])
    assert result.exit_code == 0, result.output
    assert "scan" in result.output and "mask" in result.output
    result = runner.invoke(app, ["spark", "mask", "--help"])
    assert result.exit_code == 0, result.output
    assert "--master" in result.output and "--policy" in result.output
