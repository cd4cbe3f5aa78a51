"""Wire formats of audit events: JSON lines, RFC 5424 syslog, ArcSight CEF.

Events carry ids, field names and keyed HMACs only (see
:mod:`privault.audit.chain`), so every format may leave the host.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from datetime import UTC
from typing import Any

from privault.audit.chain import SealedEvent

VERSION = "0.1"
# RFC 5612 reserves PEN 32473 for documentation; sites may set their own.
SD_ID = "privault@32473"
FACILITY_LOG_AUDIT = 13
_SEVERITY = {"allowed": 6, "denied": 5, "failed": 5, "alert": 1}
_CEF_SEVERITY = {"allowed": 3, "denied": 6, "failed": 6, "alert": 9}


def to_dict(sealed: SealedEvent) -> dict[str, Any]:
    """The event as a JSON-ready mapping, with its chain position and hash."""
    e = sealed.event
    return {
        "id": e.id,
        "ts": e.ts.astimezone(UTC).isoformat(),
        "chain": e.chain,
        "seq": sealed.seq,
        "hash": sealed.hash.hex(),
        "tenant_id": e.tenant_id,
        "actor": e.actor,
        "action": e.action,
        "resource": e.resource,
        "purpose": e.purpose,
        "outcome": e.outcome,
        "rule": e.rule,
        "request_id": e.request_id,
        "detail": e.detail,
    }


def to_json(sealed: SealedEvent) -> str:
    """One JSON line (no newline)."""
    return json.dumps(to_dict(sealed), sort_keys=True, separators=(",", ":"), default=str)


def _sd_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _token(value: str, limit: int) -> str:
    """An RFC 5424 header token: printable US-ASCII without spaces, or the nil value."""
    clean = "".join(ch for ch in value if 33 <= ord(ch) <= 126)[:limit]
    return clean or "-"


def to_rfc5424(
    sealed: SealedEvent, *, hostname: str | None = None, message: str | None = None
) -> str:
    """An RFC 5424 syslog message; MSG is the JSON event unless ``message`` is given."""
    e = sealed.event
    pri = FACILITY_LOG_AUDIT * 8 + _SEVERITY.get(e.outcome, 6)
    params = {
        "chain": e.chain,
        "seq": str(sealed.seq),
        "tenant": e.tenant_id or "",
        "actor": e.actor,
        "outcome": e.outcome,
        "rule": e.rule,
        "request": e.request_id,
        "purpose": e.purpose or "",
    }
    sd = " ".join(f'{k}="{_sd_escape(v)}"' for k, v in params.items())
    ts = e.ts.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    host = _token(hostname or socket.gethostname(), 255)
    body = message if message is not None else to_json(sealed)
    return f"<{pri}>1 {ts} {host} privault - {_token(e.action, 32)} [{SD_ID} {sd}] {body}"


def _cef_header(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|")


def _cef_ext(value: str) -> str:
    return value.replace("\\", "\\\\").replace("=", "\\=").replace("\r", "\\r").replace("\n", "\\n")


def to_cef(sealed: SealedEvent) -> str:
    """One ArcSight CEF:0 line, for SIEMs."""
    e = sealed.event
    records = e.detail.get("records")
    ext: dict[str, str] = {
        "rt": str(int(e.ts.timestamp() * 1000)),
        "externalId": e.id,
        "suser": e.actor,
        "act": e.action,
        "outcome": e.outcome,
        "src": str(e.detail.get("source", "")),
        "cs1Label": "tenant",
        "cs1": e.tenant_id or "",
        "cs2Label": "purpose",
        "cs2": e.purpose or "",
        "cs3Label": "rule",
        "cs3": e.rule,
        "cs4Label": "requestId",
        "cs4": e.request_id,
        "cs5Label": "resource",
        "cs5": e.resource,
        "cs6Label": "chainSeq",
        "cs6": f"{e.chain}:{sealed.seq}",
    }
    if isinstance(records, list):
        ext["cnt"] = str(len(records))
    header = "|".join(
        _cef_header(v)
        for v in (
            "CEF:0",
            "privault",
            "privault",
            VERSION,
            e.action,
            f"{e.action} {e.outcome}",
            str(_CEF_SEVERITY.get(e.outcome, 3)),
        )
    )
    return header + "|" + " ".join(f"{k}={_cef_ext(v)}" for k, v in ext.items() if v)


FORMATS: dict[str, Callable[[SealedEvent], str]] = {"json": to_json, "cef": to_cef}
