"""Wire formats: RFC 5424 framing and escaping, CEF escaping, JSON lines."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from privault.audit.chain import AuditEvent, SealedEvent
from privault.audit.sinks.formats import to_cef, to_json, to_rfc5424


def sealed(**kw: object) -> SealedEvent:
    base: dict[str, object] = {
        "id": "evt_1",
        "ts": datetime(2026, 1, 5, 10, 0, 0, 123456, tzinfo=UTC),
        "tenant_id": "tnt_1",
        "actor": "user:alice",
        "action": "record.read",
        "resource": "tenants/acme/records",
        "outcome": "allowed",
        "rule": "role:admin",
        "request_id": "req_1",
        "purpose": "support",
        "detail": {"records": ["rec_1", "rec_2"], "source": "10.0.0.1"},
    }
    base.update(kw)
    return SealedEvent(AuditEvent(**base), 7, bytes(range(32)))  # type: ignore[arg-type]


RFC5424 = re.compile(
    r"^<(\d{1,3})>1 (\S+) (\S+) privault - (\S+) \[privault@32473 ([^\]]|\\\])*\] (.*)$"
)


def test_rfc5424_header_structured_data_and_json_message() -> None:
    line = to_rfc5424(sealed(), hostname="host one")
    match = RFC5424.match(line)
    assert match, line
    assert match.group(1) == str(13 * 8 + 6) and match.group(2) == "2026-01-05T10:00:00.123456Z"
    assert match.group(3) == "hostone" and match.group(4) == "record.read"
    assert json.loads(line.split("] ", 1)[1])["seq"] == 7


@pytest.mark.parametrize(
    ("actor", "escaped"),
    [
        ('user:a"b', 'actor="user:a\\"b"'),  # quote
        ("user:a]b", 'actor="user:a\\]b"'),  # closing bracket
        ("user:a\\b", 'actor="user:a\\\\b"'),  # backslash
    ],
)
def test_rfc5424_escapes_param_values(actor: str, escaped: str) -> None:
    assert escaped in to_rfc5424(sealed(actor=actor), hostname="h")


def test_denied_and_alert_events_get_higher_severity() -> None:
    assert to_rfc5424(sealed(outcome="denied"), hostname="h").startswith(f"<{13 * 8 + 5}>")
    assert to_rfc5424(sealed(outcome="alert"), hostname="h").startswith(f"<{13 * 8 + 1}>")


def test_cef_header_and_extension_escaping() -> None:
    line = to_cef(sealed(action="record|read", actor="user:a=b\nc"))
    assert line.startswith("CEF:0|privault|privault|0.1|record\\|read|record\\|read allowed|3|")
    assert "suser=user:a\\=b\\nc" in line and "cnt=2" in line and "cs6=tnt_1:7" in line
    assert "rt=1767607200123" in line


def test_json_line_is_one_line_with_chain_position() -> None:
    doc = json.loads(to_json(sealed(detail={"note": "two\nlines"})))
    assert doc["seq"] == 7 and doc["hash"] == bytes(range(32)).hex() and doc["chain"] == "tnt_1"
    assert "\n" not in to_json(sealed(detail={"note": "two\nlines"}))
