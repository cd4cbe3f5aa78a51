"""Audit benchmark: durable chained events/s beside plain inserts; rule evaluation events/s.

Every figure is measured in this one process as the median of several runs,
beside its reference in the same run:

* chained: ``Auditor.write_now`` (HMAC chain, head row, periodic Ed25519
  checkpoints, commit) in batches, on SQLite (WAL, synchronous=NORMAL) and
  PostgreSQL;
* plain: the same rows inserted into the same table in the same batches,
  without chain, HMAC or head (``chain_vs_plain`` = plain rate / chained rate);
* single: one event per transaction (a request's cost);
* rules: the whole rule set over synthetic gated reads, in memory and with
  the database-backed state the live path uses.

PostgreSQL: ``PRIVAULT_TEST_PG_URL`` if set; otherwise the benchmark re-runs
itself under ``scripts/with-postgres.sh`` when the server binaries exist;
otherwise it says so and skips PostgreSQL. Writes benchmarks/results/audit.json.

    python benchmarks/audit_bench.py [--events 20000] [--batch 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import glob
import os
import secrets
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from _common import ROOT, median_rate, write_results
from privault.access.policy import Decision
from privault.app.auditing import Auditor
from privault.app.bootstrap import Platform, init_platform
from privault.app.monitor_live import StaticFacts
from privault.audit.chain import AuditEvent, detail_json
from privault.audit.tables import audit_events
from privault.core.context import Principal, RequestContext
from privault.core.ids import new_id
from privault.core.secret import Secret
from privault.core.settings import Settings
from privault.monitor.config import MonitorConfig
from privault.monitor.engine import MonitorEngine
from privault.monitor.model import Observation
from privault.monitor.state import BatchState, MemoryState

CTX = RequestContext(Principal("user:bench", frozenset({"owner"})), source="10.1.2.3")
ALLOW = Decision(True, "role:owner", "bench")
PG_ENV = "PRIVAULT_TEST_PG_URL"


def events(auditor: Auditor, n: int, tenant: str) -> list[AuditEvent]:
    """Gated-read-shaped events: 10 record ids, fields, views."""
    return [
        auditor.event(
            CTX,
            "record.read",
            "tenants/bench/records",
            tenant_id=tenant,
            decision=ALLOW,
            purpose="support",
            view="masked",
            records=[new_id("rec") for _ in range(10)],
            fields="*",
            views={},
        )
        for _ in range(n)
    ]


class Pool:
    """Events built before the clock starts (ids are random: building them is not writing)."""

    def __init__(self, auditor: Auditor, n: int, tenant: str, runs: int) -> None:
        self._lists = [events(auditor, n, tenant) for _ in range(runs)]

    def take(self) -> list[AuditEvent]:
        return self._lists.pop()


def chained(platform: Platform, evs: list[AuditEvent], batch: int) -> int:
    n = len(evs)
    for i in range(0, n, batch):
        platform.audit.write_now(evs[i : i + batch])
    return n


def plain(platform: Platform, evs: list[AuditEvent], batch: int) -> int:
    """The same rows and batches, without chain head, HMAC or checkpoints."""
    n = len(evs)
    base = secrets.randbits(40)
    for i in range(0, n, batch):
        rows = [
            {
                "chain": f"plain{base}",
                "seq": i + j + 1,
                "id": e.id,
                "ts": e.ts,
                "tenant_id": e.tenant_id,
                "actor": e.actor,
                "action": e.action,
                "resource": e.resource,
                "purpose": e.purpose,
                "outcome": e.outcome,
                "rule": e.rule,
                "request_id": e.request_id,
                "detail": detail_json(e.detail),
                "prev_hash": b"",
                "hash": b"",
            }
            for j, e in enumerate(evs[i : i + batch])
        ]
        with platform.data.transaction() as conn:
            conn.execute(insert(audit_events), rows)
    return n


def single(platform: Platform, evs: list[AuditEvent]) -> int:
    for e in evs:
        platform.audit.write_now([e])
    return len(evs)


def store_figures(platform: Platform, args: argparse.Namespace) -> dict[str, float]:
    tenant, runs = "tnt_bench", args.repeats
    chained(platform, events(platform.audit, 2000, tenant), args.batch)  # warm-up
    plain(platform, events(platform.audit, 2000, tenant), args.batch)
    pool_c, pool_p = (Pool(platform.audit, args.events, tenant, runs) for _ in range(2))
    pool_s = Pool(platform.audit, 500, tenant, runs)
    c_rate, _ = median_rate(lambda: chained(platform, pool_c.take(), args.batch), runs)
    p_rate, _ = median_rate(lambda: plain(platform, pool_p.take(), args.batch), runs)
    s_rate, _ = median_rate(lambda: single(platform, pool_s.take()), runs)
    return {
        "chained_events_per_s": round(c_rate),
        "plain_events_per_s": round(p_rate),
        "chain_vs_plain": round(p_rate / c_rate, 3),
        "single_event_tx_per_s": round(s_rate),
    }


def observations(n: int) -> list[Observation]:
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    return [
        Observation(
            id=f"evt{i}",
            ts=start + timedelta(seconds=i),
            tenant_id="t1",
            actor=f"user:u{i % 50}",
            action="record.read",
            resource="tenants/acme/records",
            outcome="allowed",
            rule="role:admin",
            purpose="support",
            source=f"10.0.{i % 50}.7",
            detail={"records": [f"r{i}_{k}" for k in range(5)], "view": "masked", "views": {}},
        )
        for i in range(n)
    ]


def rule_figures(platform: Platform, args: argparse.Namespace) -> dict[str, float]:
    engine = MonitorEngine(MonitorConfig())
    batch = observations(args.events)
    facts = StaticFacts()

    def in_memory() -> int:
        engine.evaluate_all(batch, MemoryState(), facts)
        return len(batch)

    mem, _ = median_rate(in_memory, args.repeats)

    def with_db() -> int:
        small = batch[:2000]
        for i in range(0, len(small), 100):
            with platform.data.transaction() as conn:  # as the monitor's catch-up does
                state = BatchState(conn)
                engine.evaluate_all(small[i : i + 100], state, facts)
                state.flush()
        return len(small)

    db, _ = median_rate(with_db, args.repeats)
    return {"rules_events_per_s_memory": round(mem), "rules_events_per_s_db": round(db)}


def open_store(url: str | None, tmp: Path) -> Platform:
    extra: dict[str, Any] = {}
    if url:
        extra = {"database_url": url, "keystore_url": url.rsplit("/", 1)[0] + "/pv_bench_keys"}
    settings = Settings(data_dir=tmp, kdf_memory_kib=8192, kdf_iterations=1, **extra)
    platform = init_platform(settings, Secret("bench passphrase"))
    # The chained figure is the trail's own cost (HMAC chain, head, checkpoints,
    # commit). Live rule evaluation runs after commit as a listener and is
    # measured on its own below (rules_events_per_s_*), so it is detached here.
    platform.monitor.detach()
    return platform


def pg_databases(admin_url: str) -> str:
    import psycopg

    dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        for name in ("pv_bench_data", "pv_bench_keys"):
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + "/pv_bench_data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    no_pg = os.environ.get(PG_ENV) or os.environ.get("AUDIT_BENCH_NO_PG")
    if not no_pg and glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        env = {**os.environ, "AUDIT_BENCH_NO_PG": "1"}
        script = ROOT / "scripts" / "with-postgres.sh"
        cmd = ["bash", str(script), sys.executable, __file__, *sys.argv[1:]]
        raise SystemExit(subprocess.call(cmd, env=env))
    figures: dict[str, Any] = {"events": args.events, "batch": args.batch}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = open_store(None, Path(tmp))
        figures["sqlite"] = store_figures(sqlite, args)
        figures.update(rule_figures(sqlite, args))
        sqlite.close()
    pg_url = os.environ.get(PG_ENV)
    if pg_url:
        with tempfile.TemporaryDirectory() as tmp:
            pg = open_store(pg_databases(pg_url), Path(tmp))
            figures["postgres"] = store_figures(pg, args)
            pg.close()
    else:
        figures["postgres"] = "skipped: no PostgreSQL server (set PRIVAULT_TEST_PG_URL)"
    figures["events_per_s_sqlite"] = figures["sqlite"]["chained_events_per_s"]
    figures["chain_vs_plain"] = figures["sqlite"]["chain_vs_plain"]
    if isinstance(figures["postgres"], dict):
        figures["events_per_s_postgres"] = figures["postgres"]["chained_events_per_s"]
        figures["chain_vs_plain_postgres"] = figures["postgres"]["chain_vs_plain"]
    path = write_results("audit", figures)
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(
        f"targets: chain_vs_plain <= 1.5 -> {figures['chain_vs_plain']}; "
        f">= 5000 events/s on SQLite -> {figures['events_per_s_sqlite']}"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
