"""What the running server is doing, recorded for checks that need it (TLS).

``privault serve`` writes ``server.json`` in the data directory when it
starts; the compliance check "TLS in transit" reads it back, so it reports
what the server actually does rather than what someone declared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

STATE_FILE = "server.json"


@dataclass(frozen=True, slots=True)
class ServerState:
    """How the last server started."""

    tls: bool
    host: str
    port: int
    started_at: datetime


def record(data_dir: Path, state: ServerState) -> None:
    """Write the state file (no secrets: flags, address and time only)."""
    doc = {
        "tls": state.tls,
        "host": state.host,
        "port": state.port,
        "started_at": state.started_at.isoformat(),
    }
    path = data_dir / STATE_FILE
    path.write_text(json.dumps(doc) + "\n")
    path.chmod(0o600)


def read(data_dir: Path) -> ServerState | None:
    """The last recorded state, or None when no server has started here."""
    try:
        doc = json.loads((data_dir / STATE_FILE).read_text())
        return ServerState(
            bool(doc["tls"]),
            str(doc["host"]),
            int(doc["port"]),
            datetime.fromisoformat(doc["started_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
