"""What every CLI command shares: consoles, the platform, the request context.

Exit codes: 0 ok, 1 a check failed or the operation was refused, 2 usage or
input error. :class:`ErrorMappingGroup` maps the error tree to them in one place.
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from privault.app.bootstrap import Platform, open_platform
from privault.core.context import Principal, RequestContext
from privault.core.errors import PrivaultError
from privault.core.secret import Secret
from privault.core.settings import Settings, load_settings

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


class ErrorMappingGroup(TyperGroup):
    """Turns :class:`PrivaultError` into one clear line and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command, mapping privault errors to exit codes."""
        try:
            return super().invoke(ctx)
        except PrivaultError as exc:
            err.print(f"[red]error:[/] {escape(exc.message)}")
            raise typer.Exit(exc.exit_code) from None


def settings() -> Settings:
    """Settings from the environment and the TOML file."""
    return load_settings()


def passphrase(cfg: Settings, *, confirm: bool = False) -> Secret[str] | None:
    """The keyfile passphrase: ``PRIVAULT_PASSPHRASE``, else a prompt (local provider)."""
    if cfg.key_provider != "local":
        return None
    if cfg.passphrase is not None:
        return Secret(cfg.passphrase.get_secret_value())
    if not os.isatty(0):
        return None  # build_provider explains what to set
    value = typer.prompt("Keyfile passphrase", hide_input=True, confirmation_prompt=confirm)
    return Secret(value)


def platform() -> Platform:
    """Open the installation the settings describe."""
    cfg = settings()
    return open_platform(cfg, passphrase(cfg))


def request() -> RequestContext:
    """The context of a CLI call: the local operator of this installation.

    Whoever runs the CLI on the host with the keyfile passphrase (or the KMS
    credentials) can decrypt the stores directly, so roles and a second
    factor would protect nothing here: the CLI acts as the owner, and step-up
    is treated as satisfied. Named users, roles and MFA govern the API and the
    web dashboard; ``privault access check`` shows what a user may do.
    """
    now = datetime.now(UTC)
    principal = Principal(f"cli:{getpass.getuser()}", frozenset({"owner"}), mfa_at=now)
    return RequestContext(principal, source="cli")
