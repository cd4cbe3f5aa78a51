"""Secondary sinks: JSONL rotation, syslog over UDP and TCP into a real rsyslog, CEF.

The rsyslog fixture FAILS (does not skip) when rsyslogd is missing: CI
installs it (``apt-get install -y rsyslog``).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from privault.app.bootstrap import Platform
from privault.audit.sinks.fanout import SinkFanout
from privault.core.context import RequestContext
from privault.core.errors import AuditUnavailable
from tests.support.data import customer


def _free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Rsyslog:
    def __init__(self, out: Path, udp: int, tcp: int) -> None:
        self.out, self.udp, self.tcp = out, udp, tcp

    def lines(self) -> list[str]:
        return self.out.read_text().splitlines() if self.out.exists() else []

    def wait_for(self, needle: str, count: int = 1, timeout: float = 10.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines() if needle in line]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"rsyslog did not receive {count} x {needle!r}: {self.lines()[-5:]}")


@pytest.fixture(scope="module")
def rsyslog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rsyslog]:
    binary = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if not Path(binary).exists():
        pytest.fail("rsyslogd is not installed (apt-get install -y rsyslog)")
    tmp = tmp_path_factory.mktemp("rsyslog")
    udp, tcp = _free_port(socket.SOCK_DGRAM), _free_port(socket.SOCK_STREAM)
    out = tmp / "received.log"
    conf = tmp / "rsyslog.conf"
    conf.write_text(
        f'global(workDirectory="{tmp}" maxMessageSize="64k")\n'
        'module(load="imudp")\nmodule(load="imtcp")\n'
        f'input(type="imudp" address="127.0.0.1" port="{udp}")\n'
        f'input(type="imtcp" address="127.0.0.1" port="{tcp}")\n'
        'template(name="raw" type="string" string="%rawmsg%\\n")\n'
        f'*.* action(type="omfile" file="{out}" template="raw")\n'
    )
    proc = subprocess.Popen(
        [binary, "-n", "-f", str(conf), "-i", str(tmp / "rsyslog.pid")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Rsyslog(out, udp, tcp)
    try:
        _wait_ready(server, proc)
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_ready(server: Rsyslog, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"rsyslogd exited: {err[:500]}")
        try:
            with socket.create_connection(("127.0.0.1", server.tcp), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail("rsyslogd did not start listening")


def _read(platform: Platform, tenant: str, admin: RequestContext) -> list[str]:
    ids = platform.vault.put_many(admin, tenant, "customer", [customer(i) for i in range(3)])
    platform.gate.read(admin, tenant, ids, purpose="support")
    return ids


@pytest.mark.parametrize("protocol", ["udp", "tcp"])
@pytest.mark.parametrize("fmt", ["rfc5424", "cef"])
def test_syslog_sink_delivers_to_rsyslog(
    sqlite_platform: Platform, admin: RequestContext, rsyslog: Rsyslog, protocol: str, fmt: str
) -> None:
    port = rsyslog.udp if protocol == "udp" else rsyslog.tcp
    fanout = sqlite_platform.audit.attach_sinks(
        [{"type": "syslog", "port": port, "protocol": protocol, "format": fmt}]
    )
    sqlite_platform.tenants.create(admin, f"t{protocol}{fmt}")
    from tests.support.data import CUSTOMER_SCHEMA

    slug = f"t{protocol}{fmt}"
    sqlite_platform.tenants.apply_schema(admin, slug, CUSTOMER_SCHEMA)
    ids = _read(sqlite_platform, slug, admin)
    tenant_id = sqlite_platform.tenants.get(slug).id
    lines = rsyslog.wait_for(f'tenant="{tenant_id}"', count=4)
    read = next(line for line in lines if " record.read " in line)
    assert read.startswith("<110>1 ") or read.startswith("<1")  # facility 13 (log audit)
    assert '[privault@32473 chain="' in read and 'outcome="allowed"' in read
    if fmt == "cef":
        assert "CEF:0|privault|privault|" in read and "cnt=3" in read
    else:
        body = json.loads(read.split("] ", 1)[1])
        assert body["detail"]["records"] == ids
    assert fanout.failures == {} and sum(fanout.delivered.values()) >= 4
    fanout.close()


def test_jsonl_sink_rotates_and_keeps_chain_positions(
    sqlite_platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    path = tmp_path / "trail" / "audit.jsonl"
    sqlite_platform.audit.attach_sinks(
        [{"type": "jsonl", "path": str(path), "max_bytes": 2048, "backups": 2}]
    )
    sqlite_platform.tenants.create(admin, "acme")
    for i in range(30):
        sqlite_platform.tenants.create(admin, f"t{i}")
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]
    assert path.stat().st_mode & 0o777 == 0o600
    for p in path.parent.iterdir():
        assert p.stat().st_size <= 2048
        for line in p.read_text().splitlines():
            doc = json.loads(line)
            assert doc["seq"] >= 1 and len(doc["hash"]) == 64 and doc["action"] == "tenant.create"


def test_a_failing_sink_is_counted_and_never_fails_the_operation(
    sqlite_platform: Platform, admin: RequestContext, caplog: pytest.LogCaptureFixture
) -> None:
    dead = _free_port(socket.SOCK_STREAM)  # nothing listens there
    fanout = sqlite_platform.audit.attach_sinks(
        [{"type": "syslog", "port": dead, "protocol": "tcp", "timeout": 0.5}]
    )
    sqlite_platform.tenants.create(admin, "acme")  # succeeds: the database took the event
    assert isinstance(fanout, SinkFanout)
    assert fanout.failures["syslog#0"] == 1 and not fanout.delivered
    assert "acme" not in caplog.text and "ConnectionRefusedError" in caplog.text
    assert sqlite_platform.audit.verify().ok


def test_sinks_see_nothing_when_the_database_write_fails(
    sqlite_platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    from sqlalchemy import text

    path = tmp_path / "audit.jsonl"
    sqlite_platform.audit.attach_sinks([{"type": "jsonl", "path": str(path)}])
    with sqlite_platform.data.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_events RENAME TO audit_events_gone"))
    with pytest.raises(AuditUnavailable):
        sqlite_platform.tenants.create(admin, "acme")
    assert not path.exists()


def test_rolled_back_events_never_reach_a_sink(
    sqlite_platform: Platform, admin: RequestContext, tmp_path: Path
) -> None:
    path = tmp_path / "audit.jsonl"
    sqlite_platform.audit.attach_sinks([{"type": "jsonl", "path": str(path)}])
    audit = sqlite_platform.audit
    event = audit.event(admin, "test.rollback", "x", tenant_id=None, decision=_allow())
    with pytest.raises(RuntimeError), sqlite_platform.data.transaction() as conn:
        audit.write(conn, [event])
        raise RuntimeError("the use case failed after auditing")
    audit.write_now([audit.event(admin, "test.commit", "x", tenant_id=None, decision=_allow())])
    actions = [json.loads(line)["action"] for line in path.read_text().splitlines()]
    assert actions == ["test.commit"]


def _allow():  # type: ignore[no-untyped-def]
    from privault.access.policy import Decision

    return Decision(True, "test", "test")
