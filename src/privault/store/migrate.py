"""Schema migrations (Alembic). The schema comes only from here."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from privault.core.errors import ConfigurationError

Store = Literal["data", "keys"]
_HERE = Path(__file__).parent / "migrations"


def _config(store: Store) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE / store))
    return cfg


def head_revision(store: Store) -> str:
    """The newest migration of ``store``."""
    head = ScriptDirectory.from_config(_config(store)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it has no schema."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, store: Store) -> tuple[str | None, str]:
    """Bring ``engine``'s schema to the head of ``store``; return (before, after)."""
    before = current_revision(engine)
    cfg = _config(store)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return before, head_revision(store)


def require_current(engine: Engine, store: Store) -> None:
    """Refuse to run on a schema that is missing or behind.

    Raises:
        ConfigurationError: telling the user to run ``privault db upgrade``.

    """
    current, head = current_revision(engine), head_revision(store)
    if current != head:
        state = "has no schema" if current is None else f"is at {current}, code needs {head}"
        raise ConfigurationError(
            f"the {store} store {state}; run 'privault db upgrade' (or 'privault init')"
        )
