"""Rule state: in memory (replay, benchmarks, unit tests) or in the database (live)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite

from privault.core.clock import as_utc
from privault.monitor.tables import monitor_counters, monitor_networks, monitor_usage

_KEEP = timedelta(days=2)  # counters cover windows of minutes to hours


def minute_of(ts: datetime) -> datetime:
    """The start of the minute containing ``ts`` (counter buckets)."""
    return ts.replace(second=0, microsecond=0)


class MemoryState:
    """:class:`~privault.monitor.rules.base.RuleState` in dictionaries."""

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str], dict[datetime, int]] = defaultdict(dict)
        self._networks: dict[str, set[str]] = defaultdict(set)
        self._usage: dict[str, dict[datetime, int]] = defaultdict(dict)

    def bump(self, counter: str, key: str, ts: datetime, amount: int = 1) -> None:
        """Add ``amount`` in the minute bucket of ``ts``; old buckets are pruned."""
        buckets = self._counters[(counter, key)]
        bucket = minute_of(ts)
        buckets[bucket] = buckets.get(bucket, 0) + amount
        if len(buckets) > 256:
            for old in [b for b in buckets if b < bucket - _KEEP]:
                del buckets[old]

    def total(self, counter: str, key: str, since: datetime) -> int:
        """Sum of buckets at or after the minute of ``since``."""
        start = minute_of(since)
        return sum(v for b, v in self._counters.get((counter, key), {}).items() if b >= start)

    def learn_network(self, actor: str, network: str, ts: datetime) -> tuple[bool, int]:
        """Record a network; (new?, how many were known before)."""
        known = self._networks[actor]
        if network in known:
            return False, len(known)
        known.add(network)
        return True, len(known) - 1

    def add_usage(self, actor: str, hour: datetime, records: int) -> None:
        """Add to an hour's usage."""
        usage = self._usage[actor]
        usage[hour] = usage.get(hour, 0) + records

    def usage(self, actor: str, since: datetime, until: datetime) -> dict[datetime, int]:
        """Hours with reads in [since, until)."""
        return {h: v for h, v in self._usage.get(actor, {}).items() if since <= h < until}


def _upsert(
    conn: Connection, table: Any, values: dict[str, Any], keys: list[str], add: str
) -> None:
    """INSERT, or add ``values[add]`` to the existing row (SQLite and PostgreSQL)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={add: getattr(table.c, add) + stmt.excluded[add]}
    )
    conn.execute(stmt)


class DbState:
    """:class:`~privault.monitor.rules.base.RuleState` over the monitor tables.

    Uses the caller's connection; never commits.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def bump(self, counter: str, key: str, ts: datetime, amount: int = 1) -> None:
        """Add ``amount`` in the minute bucket of ``ts``."""
        values = {"counter": counter, "key": key[:300], "bucket": minute_of(ts), "amount": amount}
        _upsert(self._conn, monitor_counters, values, ["counter", "key", "bucket"], "amount")

    def total(self, counter: str, key: str, since: datetime) -> int:
        """Sum of buckets since the minute of ``since``."""
        c = monitor_counters.c
        query = select(func.coalesce(func.sum(c.amount), 0)).where(
            c.counter == counter, c.key == key[:300], c.bucket >= minute_of(since)
        )
        return int(self._conn.execute(query).scalar_one())

    def learn_network(self, actor: str, network: str, ts: datetime) -> tuple[bool, int]:
        """Record a network; (new?, how many were known before)."""
        c = monitor_networks.c
        known = {n for (n,) in self._conn.execute(select(c.network).where(c.actor == actor))}
        if network in known:
            self._conn.execute(
                monitor_networks.update()
                .where(c.actor == actor, c.network == network)
                .values(last_seen=ts)
            )
            return False, len(known)
        self._conn.execute(
            monitor_networks.insert().values(
                actor=actor, network=network, first_seen=ts, last_seen=ts
            )
        )
        return True, len(known)

    def add_usage(self, actor: str, hour: datetime, records: int) -> None:
        """Add to an hour's usage."""
        values = {"actor": actor, "hour": hour, "records": records}
        _upsert(self._conn, monitor_usage, values, ["actor", "hour"], "records")

    def usage(self, actor: str, since: datetime, until: datetime) -> dict[datetime, int]:
        """Hours with reads in [since, until)."""
        c = monitor_usage.c
        rows = self._conn.execute(
            select(c.hour, c.records).where(c.actor == actor, c.hour >= since, c.hour < until)
        )
        return {as_utc(h) or h: int(r) for h, r in rows}
