"""Impact assessment over a generated trail of 1M audit events (SQLite).

Rows are bulk-inserted straight into ``audit_events`` of a temporary store
made by ``init_platform`` (hashes are dummies: this measures the assessment,
not the chain). Only ``IncidentService.assess`` is timed.

Usage: ``.venv/bin/python benchmarks/impact_bench.py [N_EVENTS]``
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from _common import write_results
from privault.app.bootstrap import init_platform
from privault.app.incidents import IncidentService
from privault.audit.tables import audit_events
from privault.core.clock import FixedClock
from privault.core.context import Principal, RequestContext
from privault.core.secret import Secret
from privault.core.settings import Settings
from privault.incidents.impact import Selector
from tests.support.data import CUSTOMER_SCHEMA, customer

RES = "tenants/acme/records"


def generate(p: object, tenant_id: str, ids: list[str], n: int, t0: datetime) -> None:
    engine = p.data.engine  # type: ignore[attr-defined]
    actors = [f"user:u{i}" for i in range(20)]
    batch = []
    with engine.begin() as conn:
        for i in range(n):
            recs = [ids[(i * 7 + k) % len(ids)] for k in range(5)]
            detail = {"source": f"10.0.{i % 20}.1", "view": "plain" if i % 3 else "masked",
                      "records": recs, "fields": "*", "views": {}}  # fmt: skip
            batch.append({
                "chain": "bench", "seq": i + 1, "id": f"evt_b{i:012d}",
                "ts": t0 + timedelta(milliseconds=i), "tenant_id": tenant_id,
                "actor": actors[i % 20], "action": "record.read", "resource": RES,
                "purpose": "support", "outcome": "allowed", "rule": "owner", "request_id": f"r{i}",
                "detail": json.dumps(detail, separators=(",", ":"), sort_keys=True),
                "prev_hash": b"0", "hash": b"0",
            })  # fmt: skip
            if len(batch) == 50_000:
                conn.execute(insert(audit_events), batch)
                batch = []
        if batch:
            conn.execute(insert(audit_events), batch)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        clock = FixedClock()
        settings = Settings(data_dir=Path(tmp), kdf_memory_kib=8192, kdf_iterations=1)
        p = init_platform(settings, Secret("benchmark passphrase"), clock)
        admin = RequestContext(Principal("user:admin", frozenset({"owner"}), mfa_at=clock.now()))
        t = p.tenants.create(admin, "acme", "Acme")
        p.tenants.apply_schema(admin, "acme", CUSTOMER_SCHEMA)
        ids = p.vault.put_many(admin, "acme", "customer", [customer(i) for i in range(2000)])
        t0 = datetime(2025, 1, 1, tzinfo=UTC)
        start = time.perf_counter()
        generate(p, t.id, ids, n, t0)
        gen = time.perf_counter() - start
        svc = IncidentService(
            p.data, p.audit, p.authz, p.tenants, p.gate, p.identity, p.key_admin, p.clock
        )
        inc = svc.open(admin, "bench", "high")
        sel = Selector(t0, t0 + timedelta(days=30), source="10.0.3.1")
        whole = Selector(t0, t0 + timedelta(days=30), principal="user:u3")
        start = time.perf_counter()
        impact = svc.assess(admin, inc.id, whole)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        svc.assess(admin, inc.id, sel)
        by_source = time.perf_counter() - start
        p.close()
    scale = 1_000_000 / n
    path = write_results("impact", {
        "events": n, "generate_seconds": round(gen, 2), "matched_events": impact["events"],
        "subjects": impact["subjects"], "seconds": round(seconds, 3),
        "seconds_1m_events": round(seconds * scale, 3),
        "seconds_by_source_1m_events": round(by_source * scale, 3), "target_seconds": 5.0,
    })  # fmt: skip
    print(f"assess over {n} events: {seconds:.2f} s by principal, {by_source:.2f} s by source "
          f"(target <= 5 s per 1M) -> {path}")  # fmt: skip


if __name__ == "__main__":
    main()
