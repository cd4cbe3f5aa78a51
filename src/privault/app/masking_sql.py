"""Masked copies of a SQL database into another one: plan, prepare, stream, resume.

```
SOURCE ─► reflect (tables, keys) ─► [types: discovery's classifier] ─► plan_database
   [k] ─► quasi-identifiers only, in batches ─► levels per table (masking_sqlk)
                    every refusal here, before DEST is opened ─────────┘
DEST ◄─ create tables (parents first, portable types) + _privault_mask_state (incomplete,
        the k levels in the job row)
  per table, parents first: keyset page on the key ─► TablePlan.apply ─► [KPlan.apply]
                            ─► INSERT + state (last key, counts) in one DEST transaction
  after the last table: risk over the copy's quasi-identifiers ─► report
  the service audits, then marks the state complete
```

Pagination: ``ORDER BY`` the primary key (else a unique key whose columns
are NOT NULL) with ``WHERE key > last``; a table with neither is read in
``LIMIT/OFFSET`` pages ordered by all its columns (slower; resume skips the
rows already copied). The last key is stored encrypted (deterministic
``encrypt`` under the project key) unless the key columns are copied as they are.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, MetaData, Table, func, inspect, select
from sqlalchemy.exc import IntegrityError as SaIntegrityError
from sqlalchemy.exc import SQLAlchemyError

from privault.app import masking_sqlk as sk
from privault.app import masking_sqlstate as st
from privault.app.masking_sqlschema import (
    STATE_TABLE,
    dest_tables,
    page_frame,
    polars_schema,
    reflect_source,
)
from privault.core.errors import Conflict, IntegrityError, InvalidInput, NotFound, PrivaultError
from privault.deid import Binding, DeidKeys, Operator, Policy, build_operator, measure_risk
from privault.deid.copy import column_reports
from privault.deid.report import KReport, MaskReport
from privault.deid.sql import DatabaseMaskReport, DatabasePlan, TableShape, plan_database
from privault.deid.table import TablePlan
from privault.discovery import ScanOptions, scan
from privault.discovery.sql import connect, parse_url, safe_url

__all__ = ["DatabaseCopy", "DatabaseOptions", "TableProgress", "classify", "open_source"]

TableProgress = Callable[[str, int, int | None], None]
"""Called with (table, rows done, table rows or None) after each batch."""


@dataclass(frozen=True, slots=True)
class DatabaseOptions:
    """Options of one database copy.

    Attributes:
        pii_types: table -> column -> PII type; None: classify the source with
            discovery when the policy has entity rules.
        batch_rows: rows per page read, masked and written in one transaction.
        resume: continue an interrupted copy in DEST.
        restart: drop the tables of an earlier privault copy in DEST and start over.

    """

    pii_types: Mapping[str, Mapping[str, str]] | None = None
    batch_rows: int = 5_000
    resume: bool = False
    restart: bool = False


def open_source(url: str) -> Engine:
    """Connect to a source; a SQLite file that does not exist is not created.

    Raises:
        NotFound: no such SQLite file.
        InvalidInput: a bad URL or a refused connection (no password shown).

    """
    parsed = parse_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).is_file():
        raise NotFound(f"no such database file: {Path(str(file)).name}")
    return connect(url)


def _same_database(a: str, b: str) -> bool:
    pa, pb = parse_url(a), parse_url(b)
    if pa.get_backend_name() == pb.get_backend_name() == "sqlite":
        return Path(pa.database or "").resolve() == Path(pb.database or "").resolve()
    return safe_url(pa) == safe_url(pb)


def classify(url: str) -> dict[str, dict[str, str]]:
    """Table -> column -> PII type, from discovery's classifier over a sample."""
    found: dict[str, dict[str, str]] = {}
    for d in scan([url], ScanOptions()).datasets:
        table = d.name.rpartition("::")[2].partition(".")[2]
        found[table] = {c.name: c.pii_type for c in d.columns if c.pii_type is not None}
    return found


class DatabaseCopy:
    """One masked copy of SOURCE into DEST (see the module docstring).

    Construction validates everything (policy against the reflected schema,
    keys, referential integrity) without opening DEST.

    Raises:
        InvalidInput: bad URLs, a policy this database refuses, SOURCE == DEST.
        NotFound: a SQLite source file that does not exist.

    """

    def __init__(
        self,
        source: str,
        dest: str,
        policy: Policy,
        keys: DeidKeys | None,
        options: DatabaseOptions,
    ) -> None:
        if options.resume and options.restart:
            raise InvalidInput("--resume and --restart exclude each other")
        if options.batch_rows < 1:
            raise InvalidInput("the batch size must be at least 1")
        parse_url(dest)
        if _same_database(source, dest):
            raise InvalidInput("the masked copy must not overwrite its source")
        self.source_url, self.dest_url, self._opts, self._keys = source, dest, options, keys
        self._src = open_source(source)
        self._dst: Engine | None = None
        try:
            self._plan(policy)
        except BaseException:
            self._src.dispose()
            raise
        self._state: Table = st.state_table(MetaData())
        self.resumed = False

    def _plan(self, policy: Policy) -> None:
        options, keys, source = self._opts, self._keys, self.source_url
        self._meta, shapes = reflect_source(self._src)
        if not shapes:
            raise InvalidInput(f"{safe_url(source)} has no tables to copy")
        types = options.pii_types
        if types is None:
            types = classify(source) if policy.entities else {}
        self._schemas = {s.name: polars_schema(self._meta.tables[s.name]) for s in shapes}
        self.plan: DatabasePlan = plan_database(
            policy, shapes, self._schemas, keys=keys, pii_types=types
        )
        self.fingerprint = self._fingerprint(policy, types)
        self._first_pass = sk.k_plans(self._src, self._meta.tables, self.plan, options.batch_rows)
        self.kplans = {t: p for t, (p, _) in self._first_pass.items()}

    def _fingerprint(self, policy: Policy, types: Mapping[str, Mapping[str, str]]) -> str:
        key = self._keys.hmac("mask-state").digest(b"fingerprint").hex() if self._keys else ""
        doc = {
            "v": 1,
            "policy": policy.model_dump(mode="json"),
            "source": safe_url(self.source_url),
            "types": {t: dict(c) for t, c in types.items()},
            "key": key,
        }
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()

    def close(self) -> None:
        """Release both connection pools."""
        self._src.dispose()
        if self._dst is not None:
            self._dst.dispose()

    def run(self, progress: TableProgress | None = None) -> DatabaseMaskReport:
        """Prepare DEST (or resume), copy every table, measure risk; the job stays incomplete.

        Raises:
            Conflict: DEST holds another copy or foreign tables; an interrupted
                copy without ``resume``/``restart``; a resume under another policy/key.

        """
        self._dst = connect(self.dest_url)
        states = self._prepare(self._dst)
        started = time.perf_counter()
        order = self.plan.order
        for shape in order:
            try:
                self._copy_table(self._dst, shape, states.get(shape.name), progress)
            except SQLAlchemyError as exc:
                raise _refused(shape.name, exc) from None
        reports = tuple(self._report(self._dst, s.name) for s in order)
        return DatabaseMaskReport(
            safe_url(self.source_url),
            safe_url(self.dest_url),
            reports,
            self.resumed,
            round(time.perf_counter() - started, 3),
        )

    def finish(self) -> None:
        """Mark the copy complete (after the service wrote its audit event)."""
        assert self._dst is not None  # run() came first
        with self._dst.begin() as conn:
            st.save(conn, self._state, st.JOB, status="complete")

    # -- DEST preparation -------------------------------------------------------------

    def _prepare(self, engine: Engine) -> dict[str, st.TableState]:
        existing = set(inspect(engine).get_table_names())
        names = [s.name for s in self.plan.order]
        states: dict[str, st.TableState] = {}
        if STATE_TABLE in existing:
            with engine.connect() as conn:
                states = st.read_states(conn, self._state)
        job = states.get(st.JOB)
        if self._opts.resume:
            return self._check_resume(job, states)
        if job is not None and self._opts.restart:
            self._drop_previous(engine, states)
            existing = set(inspect(engine).get_table_names())
        elif job is not None:
            done = sum(s.status == "done" for n, s in states.items() if n != st.JOB)
            if job.status == "complete":
                raise Conflict(
                    "DEST already holds a complete masked copy; use --restart to redo it"
                )
            raise Conflict(
                f"DEST holds an interrupted masked copy ({done} of {len(states) - 1} tables "
                "done); run again with --resume to continue it or --restart to start over"
            )
        clash = sorted(existing & {*names, STATE_TABLE})
        if clash:
            raise Conflict(
                f"DEST already has table(s) not made by privault mask: {', '.join(clash)}; "
                "copy into an empty database"
            )
        dest = self._dest_metadata()
        with engine.begin() as conn:
            dest.create_all(conn)
            self._state.create(conn)
            st.start(conn, self._state, self.fingerprint, names, sk.saved_doc(self._first_pass))
        return {}

    def _check_resume(
        self, job: st.TableState | None, states: dict[str, st.TableState]
    ) -> dict[str, st.TableState]:
        if job is None:
            raise Conflict("DEST holds no interrupted masked copy: nothing to resume")
        if job.status == "complete":
            raise Conflict("DEST already holds a complete masked copy: nothing to resume")
        if job.fingerprint != self.fingerprint:
            raise Conflict(
                "the interrupted copy in DEST was made under another policy, source, PII "
                "types or key; resume with the same ones, or use --restart"
            )
        self.kplans = sk.load_k_plans(job.stats, self._first_pass, self.plan.max_suppression)
        self.resumed = True
        return states

    def _drop_previous(self, engine: Engine, states: dict[str, st.TableState]) -> None:
        meta = MetaData()
        meta.reflect(engine, only=[n for n in states if n != st.JOB] + [STATE_TABLE])
        with engine.begin() as conn:
            meta.drop_all(conn)

    def _dest_metadata(self) -> MetaData:
        types = {}
        changed = {}
        for shape in self.plan.order:
            schema = self._schemas[shape.name]
            types[shape.name] = (schema, self.plan.output_schema(shape.name, schema))
            changed[shape.name] = frozenset(
                c.column
                for c in self.plan.tables[shape.name].columns
                if c.action not in ("keep", "drop")
                and not (c.operator is not None and c.operator.name == "keep")
            ) | frozenset(self.plan.generalised(shape.name))
        return dest_tables(self._meta, self.plan.order, types, changed)

    # -- streaming ---------------------------------------------------------------------

    def _copy_table(
        self,
        engine: Engine,
        shape: TableShape,
        state: st.TableState | None,
        progress: TableProgress | None,
    ) -> None:
        plan = self.plan.tables[shape.name]
        if state is not None:
            st.load_stats(state.stats, plan.stats)
            if state.status == "done":
                return
        source = self._meta.tables[shape.name]
        dest = Table(shape.name, MetaData(), autoload_with=engine)
        cursor = st.Cursor(shape, source, self._key_codec(shape, plan))
        if state is not None:
            cursor.restore(state)
        with self._src.connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(source)).scalar_one())
        schema = self._schemas[shape.name]
        kplan = self.kplans.get(shape.name)
        while True:
            with self._src.connect() as conn:
                rows = conn.execute(cursor.page(self._opts.batch_rows)).all()
            if not rows:
                break
            frame = page_frame(shape.name, rows, schema)
            masked = plan.apply(frame)
            if kplan is not None:
                masked = kplan.apply(masked)
            with engine.begin() as conn:
                if masked.height:
                    conn.execute(dest.insert(), masked.to_dicts())
                cursor.advance(rows, masked.height)
                st.save(conn, self._state, shape.name, **cursor.saved(plan))
            if progress is not None:
                progress(shape.name, cursor.rows_in, total)
        with engine.begin() as conn:
            st.save(conn, self._state, shape.name, status="done")

    def _key_codec(self, shape: TableShape, plan: TablePlan) -> Operator[Any] | None:
        """Encrypts the stored last key unless the key columns are copied unchanged."""
        key_cols = set(st.key_columns(shape, self._meta.tables[shape.name]))
        kept = all(
            c.action == "keep" or (c.operator is not None and c.operator.name == "keep")
            for c in plan.columns
            if c.column in key_cols
        )
        if kept or self._keys is None:
            return None
        return build_operator("encrypt", {"context": "mask-state"}, Binding(keys=self._keys))

    def _report(self, engine: Engine, name: str) -> MaskReport:
        plan = self.plan.tables[name]
        with engine.connect() as conn:
            state = st.read_states(conn, self._state)[name]
        quasi, sens = self.plan.risk[name]
        risk = None
        if quasi:
            cols = list(dict.fromkeys([*quasi, *sens]))
            table = Table(name, MetaData(), autoload_with=engine)
            with engine.connect() as conn:
                rows = conn.execute(select(*(table.c[c] for c in cols))).all()
            frame = pl.DataFrame(
                [tuple(str(v) if v is not None else None for v in r) for r in rows],
                schema=dict.fromkeys(cols, pl.String()),
                orient="row",
            )
            risk = measure_risk(frame, quasi, sens, k_target=self.plan.k)
        columns = column_reports(plan)
        kplan = self.kplans.get(name)
        kreport = KReport.of(kplan) if kplan is not None else None
        return MaskReport(
            name, name, "sql", "sql", state.rows_in, state.rows_out, columns, risk, kreport
        )


def _refused(table: str, exc: SQLAlchemyError) -> PrivaultError:
    """A driver error as one line without values (drivers quote the rows they refused)."""
    kind = type(getattr(exc, "orig", None) or exc).__name__
    message = (
        f"table {table}: a database refused a batch ({kind}); the copy stays incomplete: "
        "fix the cause, then run again with --resume"
    )
    if isinstance(exc, SaIntegrityError):
        return IntegrityError(message, table=table)
    return InvalidInput(message, table=table)
