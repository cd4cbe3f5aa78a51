"""Entry point: ``privault …``."""

from __future__ import annotations

import typer

from privault.interfaces.cli import (
    access_cmds,
    admin,
    compliance_cmds,
    cred_cmds,
    detect,
    incident_cmds,
    lifecycle_cmds,
    mask,
    monitor_cmds,
    scan,
    serve_cmd,
    share_cmds,
    spark_cmds,
    trace_cmd,
    vault_cmds,
)
from privault.interfaces.cli.common import ErrorMappingGroup

app = typer.Typer(
    name="privault",
    cls=ErrorMappingGroup,
    help="privault: find, vault, gate, audit and de-identify customer PII.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
admin.register(app)
vault_cmds.register(app)
detect.register(app)
access_cmds.register(app)
mask.register(app)
scan.register(app)
monitor_cmds.register(app)
lifecycle_cmds.register(app)
compliance_cmds.register(app)
incident_cmds.register(app)
share_cmds.register(app)
cred_cmds.register(app)
spark_cmds.register(app)
serve_cmd.register(app)
trace_cmd.register(app)


def main() -> None:
    """Run the CLI."""
    app()
