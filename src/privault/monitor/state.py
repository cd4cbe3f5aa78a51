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


class BatchState:
    """:class:`~privault.monitor.rules.base.RuleState` that writes once per batch.

    Reads see the stored state plus this batch's pending changes, so rules
    evaluate a batch exactly as they would one event at a time; :meth:`flush`
    then writes one upsert per counter bucket, usage hour and network instead
    of one per event. Uses the caller's connection; never commits.
    """

    def __init__(self, conn: Connection) -> None:
        self._db = DbState(conn)
        self._conn = conn
        self._counters: dict[tuple[str, str, datetime], int] = defaultdict(int)
        self._usage: dict[tuple[str, datetime], int] = defaultdict(int)
        self._networks: dict[str, set[str]] = {}  # stored and new networks per actor
        self._seen: dict[tuple[str, str], tuple[datetime, datetime]] = {}  # first, last
        self._new_networks: set[tuple[str, str]] = set()
        # Stored state does not change until flush: read each question once.
        self._stored_totals: dict[tuple[str, str, datetime], int] = {}
        self._stored_usage: dict[tuple[str, datetime, datetime], dict[datetime, int]] = {}

    def bump(self, counter: str, key: str, ts: datetime, amount: int = 1) -> None:
        """Add ``amount`` in the minute bucket of ``ts`` (written at flush)."""
        self._counters[(counter, key[:300], minute_of(ts))] += amount

    def total(self, counter: str, key: str, since: datetime) -> int:
        """Stored buckets since the minute of ``since``, plus this batch's."""
        start, key = minute_of(since), key[:300]
        pending = sum(
            v for (c, k, b), v in self._counters.items() if c == counter and k == key and b >= start
        )
        stored = self._stored_totals.get((counter, key, start))
        if stored is None:
            stored = self._stored_totals[(counter, key, start)] = self._db.total(
                counter, key, start
            )
        return stored + pending

    def learn_network(self, actor: str, network: str, ts: datetime) -> tuple[bool, int]:
        """Record a network; (new?, how many were known before)."""
        known = self._networks.get(actor)
        if known is None:
            c = monitor_networks.c
            rows = self._conn.execute(select(c.network).where(c.actor == actor))
            known = self._networks[actor] = {n for (n,) in rows}
        first, last = self._seen.get((actor, network), (ts, ts))
        self._seen[(actor, network)] = (min(first, ts), max(last, ts))
        if network in known:
            return False, len(known)
        known.add(network)
        self._new_networks.add((actor, network))
        return True, len(known) - 1

    def add_usage(self, actor: str, hour: datetime, records: int) -> None:
        """Add to an hour's usage (written at flush)."""
        self._usage[(actor, hour)] += records

    def usage(self, actor: str, since: datetime, until: datetime) -> dict[datetime, int]:
        """Hours with reads in [since, until), stored plus this batch's."""
        stored = self._stored_usage.get((actor, since, until))
        if stored is None:
            stored = self._stored_usage[(actor, since, until)] = self._db.usage(actor, since, until)
        out = dict(stored)
        for (a, hour), records in self._usage.items():
            if a == actor and since <= hour < until:
                out[hour] = out.get(hour, 0) + records
        return out

    def flush(self, conn: Connection | None = None) -> None:
        """Write the batch's changes.

        On ``conn`` when given: the batch may have been evaluated on a read
        snapshot and be written in a later transaction.
        """
        if conn is not None:
            self._db, self._conn = DbState(conn), conn
        for (counter, key, bucket), amount in self._counters.items():
            self._db.bump(counter, key, bucket, amount)
        for (actor, hour), records in self._usage.items():
            self._db.add_usage(actor, hour, records)
        c = monitor_networks.c
        for (actor, network), (first, last) in self._seen.items():
            if (actor, network) in self._new_networks:
                self._conn.execute(
                    monitor_networks.insert().values(
                        actor=actor, network=network, first_seen=first, last_seen=last
                    )
                )
            else:
                self._conn.execute(
                    monitor_networks.update()
                    .where(c.actor == actor, c.network == network)
                    .values(last_seen=last)
                )
        self._counters.clear()
        self._usage.clear()
        self._networks.clear()
        self._seen.clear()
        self._new_networks.clear()
        self._stored_totals.clear()
        self._stored_usage.clear()
