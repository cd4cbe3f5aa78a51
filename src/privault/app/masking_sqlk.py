"""k-anonymity for database copies: levels from a first pass, kept in the copy state.

```
SOURCE table ─► SELECT quasi-identifiers only, in batches ─► TablePlan.apply(only=QIs)
            ─► plan_k_anonymity (the search file copies use) ─► KPlan per table
                   refused here (k out of reach) before DEST is opened
DEST state, job row: {"kanon": {table: KPlan.to_doc()}} written with the empty tables
--resume: plan_at(first pass, saved doc) ─► the same levels; a source whose
          classes changed since is refused
```

Database rows may be referenced by other rows, so the rows still below k are
never dropped: their generalisable quasi-identifiers become ``*`` (the key
columns among the quasi-identifiers stay exact). The saved document holds
levels, hierarchy steps and counts, never a value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import polars as pl
from sqlalchemy import Engine, Table, select

from privault.app.masking_sqlschema import page_frame, polars_schema
from privault.core.errors import Conflict, InvalidInput
from privault.deid.kanon import KPlan, plan_at, plan_k_anonymity
from privault.deid.operators.generalize import DateShift
from privault.deid.sql import DatabasePlan
from privault.deid.table import TablePlan

__all__ = ["k_plans", "load_k_plans", "saved_doc"]


def _quasi_frame(
    engine: Engine, table: Table, plan: TablePlan, quasi: tuple[str, ...], batch: int
) -> pl.DataFrame:
    """The masked quasi-identifier columns of the whole table, read in batches."""
    needed = list(quasi)
    for column in plan.columns:  # a date shift needs its subject column beside it
        op = column.operator
        if column.column in quasi and isinstance(op, DateShift) and op.params.subject_column:
            needed.append(op.params.subject_column)
    needed = list(dict.fromkeys(needed))
    schema = {c: t for c, t in polars_schema(table).items() if c in needed}
    only = frozenset(quasi)
    parts = []
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=batch).execute(
            select(*(table.c[c] for c in needed))
        )
        for rows in result.partitions():
            parts.append(plan.apply(page_frame(table.name, rows, schema), only=only))
    if not parts:
        return pl.DataFrame(schema=dict.fromkeys(quasi, pl.String()))
    return pl.concat(parts).select(quasi)


def k_plans(
    engine: Engine, tables: Mapping[str, Table], plan: DatabasePlan, batch: int
) -> dict[str, tuple[KPlan, pl.DataFrame]]:
    """Plan k for every table with quasi-identifiers (empty tables need none).

    Returns:
        Per table, the plan and the first pass's data (to check a resume against).

    Raises:
        InvalidInput: k cannot be reached on a table (fewer rows than k, or not
            within the suppression budget with its key columns kept exact).

    """
    if plan.k is None:
        return {}
    found: dict[str, tuple[KPlan, pl.DataFrame]] = {}
    for shape in plan.order:
        quasi = plan.risk[shape.name][0]
        if not quasi:
            continue
        data = _quasi_frame(engine, tables[shape.name], plan.tables[shape.name], quasi, batch)
        if not data.height:
            continue
        try:
            kplan = plan_k_anonymity(
                data,
                plan.k,
                max_suppression=plan.max_suppression,
                fixed=plan.exact.get(shape.name, ()),
                suppression="values",
            )
        except InvalidInput as exc:
            raise InvalidInput(f"table {shape.name}: {exc.message}", table=shape.name) from None
        found[shape.name] = (kplan, data)
    return found


def saved_doc(plans: Mapping[str, tuple[KPlan, pl.DataFrame]]) -> str:
    """The job row's saved document: every table's levels (no values)."""
    return json.dumps({"kanon": {t: p.to_doc() for t, (p, _) in plans.items()}}, sort_keys=True)


def load_k_plans(
    saved: str, plans: Mapping[str, tuple[KPlan, pl.DataFrame]], max_suppression: float
) -> dict[str, KPlan]:
    """The plans an interrupted copy used: its saved levels over the first pass's data.

    Raises:
        Conflict: the saved levels name other tables, or the source's classes
            changed since the copy started.

    """
    docs = json.loads(saved).get("kanon", {})
    if set(docs) != set(plans):
        raise Conflict(
            "the interrupted copy in DEST reached k on other tables; the source changed "
            "since it started: use --restart"
        )
    restored: dict[str, KPlan] = {}
    for table, doc in docs.items():
        try:
            kplan = plan_at(plans[table][1], doc, max_suppression=max_suppression)
        except InvalidInput:
            kplan = None
        if kplan is None or (kplan.rows, kplan.suppressed_rows) != (
            doc["rows"],
            doc["suppressed_rows"],
        ):
            raise Conflict(
                f"table {table}: the source changed since the interrupted copy started "
                "(its quasi-identifier classes differ); use --restart"
            )
        restored[table] = kplan
    return restored
