"""The machine-readable outputs of data-subject requests: access bundles and the register."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from privault.app.gate import RecordView
from privault.core.errors import InvalidInput
from privault.lifecycle.dsr_repository import ConsentChange, ErasureMapping, Request

REGISTER_COLUMNS: tuple[str, ...] = (
    "id",
    "tenant_id",
    "subject_id",
    "kind",
    "law",
    "state",
    "received_on",
    "due_on",
    "extended",
    "extension_reason",
    "verified_by",
    "verification_method",
    "verified_at",
    "created_at",
    "closed_at",
)


def access_bundle(
    req: Request,
    tenant: str,
    now: datetime,
    views: Sequence[RecordView],
    consent: Sequence[ConsentChange],
    *,
    restricted: bool,
    requests: Sequence[Request],
    mappings: Sequence[ErasureMapping],
) -> dict[str, Any]:
    """Everything held about a subject: records (as the gate returned them) and context."""
    return {
        "kind": "privault.dsr-access-bundle",
        "version": 1,
        "request_id": req.id,
        "tenant": tenant,
        "subject_id": req.subject_id,
        "generated_at": now.isoformat(),
        "records": [
            {
                "id": v.id,
                "record_type": v.record_type,
                "created_at": v.created_at.isoformat(),
                "updated_at": v.updated_at.isoformat(),
                "fields": v.fields,
            }
            for v in views
        ],
        "consent": [
            {"purpose": c.purpose, "decision": c.decision, "method": c.method, "at": _iso(c.at)}
            for c in consent
        ],
        "processing_restricted": restricted,
        "requests": [
            {"id": r.id, "kind": r.kind, "state": r.state, "received_on": _iso(r.received_on)}
            for r in requests
        ],
        "other_sources": [{"source": m.source, "dataset": m.dataset} for m in mappings],
    }


def register_row(r: Request) -> dict[str, Any]:
    """One request as a register row (dates as ISO text)."""
    data = asdict(r)
    return {k: _iso(data[k]) for k in REGISTER_COLUMNS}


def register_text(requests: Sequence[Request], fmt: str) -> str:
    """The register as JSON or CSV.

    Raises:
        InvalidInput: another format.

    """
    rows = [register_row(r) for r in requests]
    if fmt == "json":
        return json.dumps(rows, indent=2, sort_keys=True)
    if fmt != "csv":
        raise InvalidInput("the register exports as json or csv")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(REGISTER_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
