"""BatchState evaluates a batch exactly as DbState does one event at a time."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, create_engine, select

from privault.monitor.config import MonitorConfig
from privault.monitor.engine import MonitorEngine
from privault.monitor.model import Finding, Observation
from privault.monitor.state import BatchState, DbState
from privault.monitor.tables import metadata, monitor_counters, monitor_networks, monitor_usage
from tests.unit.monitor.test_rules import MONDAY_10, Facts, obs


def history() -> list[Observation]:
    """Two weeks of a few principals' reads from a few networks, then a burst at night."""
    rng = random.Random(7)
    out: list[Observation] = []
    ts = MONDAY_10 - timedelta(days=14)
    for i in range(600):
        ts += timedelta(minutes=rng.choice([1, 7, 30, 95]))
        actor = rng.choice(["user:alice", "user:bob", "user:carol"])
        n = rng.choice([1, 1, 2, 5, 20])
        out.append(
            obs(
                ts=ts,
                actor=actor,
                source=f"10.0.{rng.randint(0, 3)}.{rng.randint(1, 200)}",
                detail={"records": [f"rec_{i}_{k}" for k in range(n)], "view": "masked"},
            )
        )
    night = MONDAY_10 + timedelta(hours=13)  # 23:00
    burst = [f"rec_night_{k}" for k in range(400)]
    out.append(obs(ts=night, actor="user:bob", source="192.0.2.9", detail={"records": burst}))
    return [replace(o, id=f"evt_{i}") for i, o in enumerate(out)]


def state_of(conn: Connection) -> dict[str, Any]:
    def rows(table: Any) -> list[tuple[Any, ...]]:
        return sorted(tuple(r) for r in conn.execute(select(table)))

    return {t.name: rows(t) for t in (monitor_counters, monitor_usage, monitor_networks)}


def key(f: Finding) -> tuple[Any, ...]:
    return (f.rule, f.event_id, f.dedup_key, f.severity, f.title)


def test_batch_state_matches_event_at_a_time() -> None:
    engine = MonitorEngine(MonitorConfig())
    facts = Facts()
    events = history()
    results = []
    for batch_size in (1, len(events)):
        db = create_engine("sqlite://")
        metadata.create_all(db)
        found: list[Finding] = []
        with db.begin() as conn:
            for start in range(0, len(events), batch_size):
                chunk = events[start : start + batch_size]
                if batch_size == 1:
                    found += engine.evaluate_all(chunk, DbState(conn), facts)
                else:
                    state = BatchState(conn)
                    found += engine.evaluate_all(chunk, state, facts)
                    state.flush()
            results.append(([key(f) for f in found], state_of(conn)))
    (one_by_one, stored_one), (batched, stored_batch) = results
    assert {f[0] for f in one_by_one} >= {"bulk-read", "new-network"}  # the scenario bites
    assert batched == one_by_one
    assert stored_batch == stored_one
