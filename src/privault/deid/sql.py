"""Masking plans for whole databases: policies per table, keys kept consistent.

Pure (no database): the caller reflects the schema into :class:`TableShape`
values and Polars schemas; this module splits the policy per table, plans
every table with :func:`~privault.deid.table.plan_table` (the same code as
file copies) and enforces referential integrity:

* a policy may address ``table.column``, a bare ``column`` (every table that
  has it) or PII types; an address naming no table or column is refused;
* a foreign-key column inherits the rule of the column it references (same
  operator, parameters and PII type under the same key, so equal source
  values give equal masked values and joins still work); an explicit rule on
  a foreign-key column that differs from its parent's is refused;
* primary-key, unique and referenced columns must keep their values distinct:
  only ``keep``, ``hash``, ``fpe`` and deterministic ``encrypt`` are one-to-one;
  anything else (``fake``, ``mask``, random ``encrypt``, ``detect``, ``drop``…)
  is refused before any row is written;
* tables are planned (and copied) parents first; a foreign-key cycle between
  tables is refused (self-references are fine);
* with ``risk.k``, every table with quasi-identifiers is brought to k by the
  copy (:mod:`privault.deid.kanon`): quasi-identifiers that are keys stay
  exact, the others are generalised (their DEST columns become text), and the
  rows still below k keep their keys with their other quasi-identifiers
  suppressed (``*``), so no row that others reference disappears.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import polars as pl

from privault.core.errors import InvalidInput
from privault.deid.keys import DeidKeys
from privault.deid.operators import validate_params
from privault.deid.policy import ColumnRule, OperatorRule, Policy
from privault.deid.report import MaskReport
from privault.deid.table import ColumnPlan, TablePlan, plan_table

__all__ = [
    "KEY_SAFE_OPERATORS",
    "DatabaseMaskReport",
    "DatabasePlan",
    "ForeignKeyRef",
    "TableShape",
    "fk_order",
    "plan_database",
]

#: Operators that map distinct values to distinct values under one key.
KEY_SAFE_OPERATORS = ("keep", "hash", "fpe", "encrypt (mode: deterministic)")


@dataclass(frozen=True, slots=True)
class ForeignKeyRef:
    """``columns`` of a table reference ``ref_columns`` of ``table``."""

    columns: tuple[str, ...]
    table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TableShape:
    """The key structure of one table (names only, no values)."""

    name: str
    columns: tuple[str, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKeyRef, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()

    def why_key(self, column: str, referenced: frozenset[str]) -> str | None:
        """Why ``column`` must stay one-to-one, or None."""
        if column in self.primary_key:
            return "is (part of) the primary key"
        if any(column in u for u in self.unique):
            return "is UNIQUE"
        if column in referenced:
            return "is referenced by a foreign key"
        return None


def fk_order(shapes: Sequence[TableShape]) -> list[TableShape]:
    """Tables parents first (a stable topological order by foreign keys).

    Raises:
        InvalidInput: a foreign-key cycle between tables, or a reference to a
            table that is not part of the copy.

    """
    by_name = {s.name: s for s in shapes}
    done: list[TableShape] = []
    state: dict[str, int] = {}

    def visit(shape: TableShape, path: tuple[str, ...]) -> None:
        if state.get(shape.name) == 2:
            return
        if state.get(shape.name) == 1:
            raise InvalidInput(
                f"foreign-key cycle between tables {' -> '.join((*path, shape.name))}: "
                "not supported for masked copies"
            )
        state[shape.name] = 1
        for fk in shape.foreign_keys:
            if fk.table == shape.name:
                continue
            if fk.table not in by_name:
                raise InvalidInput(f"table {shape.name!r} references unknown table {fk.table!r}")
            visit(by_name[fk.table], (*path, shape.name))
        state[shape.name] = 2
        done.append(shape)

    for shape in sorted(shapes, key=lambda s: s.name):
        visit(shape, ())
    return done


def _split_columns(
    policy: Policy, shapes: Sequence[TableShape]
) -> dict[str, dict[str, ColumnRule]]:
    """Column rules per table; ``table.column`` wins over a bare ``column``."""
    tables = {s.name: set(s.columns) for s in shapes}
    out: dict[str, dict[str, ColumnRule]] = {s.name: {} for s in shapes}
    unknown: list[str] = []
    for address, rule in policy.columns.items():
        table, dot, column = address.partition(".")
        if dot and table in tables:
            if column not in tables[table]:
                unknown.append(address)
            continue
        owners = [t for t, cols in tables.items() if address in cols]
        if not owners:
            unknown.append(address)
        for t in owners:
            out[t][address] = rule
    for address, rule in policy.columns.items():
        table, dot, column = address.partition(".")
        if dot and table in tables and column in tables[table]:
            out[table][column] = rule
    if unknown:
        raise InvalidInput(
            f"the policy names column(s) the database does not have: {', '.join(sorted(unknown))}",
            columns=sorted(unknown),
        )
    return out


def _risk_columns(names: Sequence[str], table: str, columns: Sequence[str]) -> tuple[str, ...]:
    picked: list[str] = []
    for name in names:
        t, dot, c = name.partition(".")
        if dot and t == table and c in columns:
            picked.append(c)
        elif name in columns:
            picked.append(name)
    return tuple(dict.fromkeys(picked))


def _check_risk_names(policy: Policy, shapes: Sequence[TableShape]) -> None:
    spec = policy.risk
    for name in (*spec.quasi_identifiers, *spec.sensitive):
        if not any(_risk_columns([name], s.name, s.columns) for s in shapes):
            raise InvalidInput(f"risk column {name!r} is in no table of the database")
    if spec.k is not None and not spec.quasi_identifiers:
        raise InvalidInput("k-anonymity needs quasi-identifier columns (--quasi table.column)")


def _rule_of(plan: ColumnPlan) -> OperatorRule:
    if plan.operator is None:
        return OperatorRule(operator="keep")
    params = plan.operator.params.model_dump(exclude_defaults=True)
    return OperatorRule(operator=plan.operator.name, params=params)


def _same_rule(own: ColumnRule, other: OperatorRule) -> bool:
    if not isinstance(own, OperatorRule) or own.operator != other.operator:
        return False
    mine = validate_params(own.operator, own.params)
    return mine == validate_params(other.operator, other.params)


def _key_safe(plan: ColumnPlan) -> bool:
    if plan.action == "keep":
        return True
    op = plan.operator
    if plan.action != "operator" or op is None:
        return False
    if op.name == "encrypt":
        return bool(getattr(op.params, "mode", "") == "deterministic")
    return op.name in ("hash", "fpe", "keep")


@dataclass(frozen=True, slots=True)
class DatabasePlan:
    """Every table's plan, parents first, and what each table's copy needs.

    Attributes:
        order: the tables, parents first.
        tables: each table's column plan.
        risk: per table, its quasi-identifier and sensitive columns.
        k: the k to reach on each table with quasi-identifiers, if any.
        max_suppression: the share of a table's rows whose quasi-identifiers
            may be suppressed (``*``) to reach k.
        exact: per table, the quasi-identifiers that are keys (primary,
            unique, foreign or referenced): kept exact, never generalised.

    """

    order: tuple[TableShape, ...]
    tables: Mapping[str, TablePlan]
    risk: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]
    k: int | None = None
    max_suppression: float = 0.05
    exact: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def generalised(self, table: str) -> tuple[str, ...]:
        """The quasi-identifiers of ``table`` that reaching k generalises (none without k)."""
        if self.k is None:
            return ()
        exact = self.exact.get(table, ())
        return tuple(c for c in self.risk[table][0] if c not in exact)

    def output_schema(self, table: str, schema: Mapping[str, pl.DataType]) -> pl.Schema:
        """The masked columns and their Polars types (from an empty batch)."""
        plan = self.tables[table]
        saved = {c: (s.changed, s.entities.copy()) for c, s in plan.stats.items()}
        empty = pl.DataFrame(schema={n: schema[n] for n in schema})
        out = plan.apply(empty).schema
        for column, (changed, entities) in saved.items():
            plan.stats[column].changed, plan.stats[column].entities = changed, entities
        for column in self.generalised(table):  # ranges, prefixes, "*": text
            out[column] = pl.String()
        return out


class _Planner:
    def __init__(
        self,
        policy: Policy,
        keys: DeidKeys | None,
        pii_types: Mapping[str, Mapping[str, str]],
        referenced: Mapping[str, frozenset[str]],
    ) -> None:
        self.policy, self.keys, self.pii, self.referenced = policy, keys, pii_types, referenced
        self.plans: dict[str, TablePlan] = {}

    def plan(
        self, shape: TableShape, rules: dict[str, ColumnRule], schema: Mapping[str, pl.DataType]
    ) -> TablePlan:
        explicit = dict(rules)
        inherited = self._inherited(shape, explicit, self.plans)
        plan = self._build(shape, explicit, inherited, schema)
        if any(fk.table == shape.name for fk in shape.foreign_keys):  # self-reference
            inherited = self._inherited(shape, explicit, {**self.plans, shape.name: plan})
            plan = self._build(shape, explicit, inherited, schema)
        self._check_keys(shape, plan)
        self.plans[shape.name] = plan
        return plan

    def _inherited(
        self, shape: TableShape, explicit: Mapping[str, ColumnRule], plans: Mapping[str, TablePlan]
    ) -> dict[str, tuple[ColumnPlan, str]]:
        found: dict[str, tuple[ColumnPlan, str]] = {}
        for fk in shape.foreign_keys:
            parent = plans.get(fk.table)
            if parent is None:
                continue
            by_col = {c.column: c for c in parent.columns}
            for col, ref in zip(fk.columns, fk.ref_columns, strict=True):
                src = by_col[ref]
                own = explicit.get(col)
                if own is not None and not _same_rule(own, _rule_of(src)):
                    raise InvalidInput(
                        f"{shape.name}.{col} references {fk.table}.{ref} and must be masked "
                        f"the same way ({src.describe()}); remove its rule: foreign keys "
                        "inherit the rule of the column they reference",
                        column=f"{shape.name}.{col}",
                    )
                found[col] = (src, f"foreign key -> {fk.table}.{ref}")
        return found

    def _build(
        self,
        shape: TableShape,
        explicit: Mapping[str, ColumnRule],
        inherited: Mapping[str, tuple[ColumnPlan, str]],
        schema: Mapping[str, pl.DataType],
    ) -> TablePlan:
        columns = dict(explicit)
        types = {c: t for c, t in self.pii.get(shape.name, {}).items() if c not in inherited}
        for col, (src, _) in inherited.items():
            columns[col] = _rule_of(src)
            if src.entity is not None:
                types[col] = src.entity
        quasi, sens = _risk_columns_of(self.policy, shape)
        risk = self.policy.risk.model_copy(update={"quasi_identifiers": quasi, "sensitive": sens})
        local = self.policy.model_copy(update={"columns": columns, "risk": risk})
        plan = plan_table(local, schema, keys=self.keys, pii_types=types)
        if not inherited:
            return plan
        cols = tuple(
            replace(c, reason=inherited[c.column][1]) if c.column in inherited else c
            for c in plan.columns
        )
        return TablePlan(local, cols, self.keys)

    def _check_keys(self, shape: TableShape, plan: TablePlan) -> None:
        referenced = self.referenced.get(shape.name, frozenset())
        for c in plan.columns:
            why = shape.why_key(c.column, referenced)
            if why is None or _key_safe(c):
                continue
            which = "the unlisted rule" if c.reason == "unlisted" else "its rule"
            raise InvalidInput(
                f"{shape.name}.{c.column} {why}: {which} {c.describe()} is not one-to-one and "
                f"would break keys or joins; give it one of: {', '.join(KEY_SAFE_OPERATORS)}",
                column=f"{shape.name}.{c.column}",
            )


def _risk_columns_of(policy: Policy, shape: TableShape) -> tuple[tuple[str, ...], tuple[str, ...]]:
    spec = policy.risk
    return (
        _risk_columns(spec.quasi_identifiers, shape.name, shape.columns),
        _risk_columns(spec.sensitive, shape.name, shape.columns),
    )


def plan_database(
    policy: Policy,
    shapes: Sequence[TableShape],
    schemas: Mapping[str, Mapping[str, pl.DataType]],
    *,
    keys: DeidKeys | None = None,
    pii_types: Mapping[str, Mapping[str, str]] | None = None,
) -> DatabasePlan:
    """Plan every table; every refusal happens here, before anything is written.

    Args:
        policy: the validated policy (column addresses ``table.column`` or ``column``).
        shapes: the tables with their keys.
        schemas: Polars types of each table's columns, in order.
        keys: the project's keys (keyed operators refuse without them).
        pii_types: table -> column -> PII type (from classification or a scan).

    Raises:
        InvalidInput: an unknown table/column/type/operator, a keyed operator
            without a key, a rule that would break keys or joins, an FK cycle.

    """
    order = fk_order(shapes)
    rules = _split_columns(policy, order)
    _check_risk_names(policy, order)
    referenced: dict[str, set[str]] = {}
    for s in order:
        for fk in s.foreign_keys:
            referenced.setdefault(fk.table, set()).update(fk.ref_columns)
    planner = _Planner(
        policy, keys, pii_types or {}, {t: frozenset(c) for t, c in referenced.items()}
    )
    for shape in order:
        planner.plan(shape, rules[shape.name], schemas[shape.name])
    risk = {s.name: _risk_columns_of(policy, s) for s in order}
    exact = _exact_quasi(policy, order, planner.plans, risk, referenced)
    spec = policy.risk
    return DatabasePlan(tuple(order), planner.plans, risk, spec.k, spec.max_suppression, exact)


def _exact_quasi(
    policy: Policy,
    order: Sequence[TableShape],
    plans: Mapping[str, TablePlan],
    risk: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]],
    referenced: Mapping[str, set[str]],
) -> dict[str, tuple[str, ...]]:
    """Per table, the quasi-identifiers that are keys (kept exact when reaching k).

    Raises:
        InvalidInput: a risk column the plan drops.

    """
    exact: dict[str, tuple[str, ...]] = {}
    for shape in order:
        quasi, sens = risk[shape.name]
        dropped = [c.column for c in plans[shape.name].columns if c.action == "drop"]
        gone = [c for c in (*quasi, *sens) if c in dropped]
        if gone:
            names = ", ".join(f"{shape.name}.{c}" for c in gone)
            raise InvalidInput(f"risk column(s) dropped by the policy: {names}")
        refs = frozenset(referenced.get(shape.name, ()))
        fks = {c for fk in shape.foreign_keys for c in fk.columns}
        keys = [c for c in quasi if shape.why_key(c, refs) is not None or c in fks]
        if keys and policy.risk.k is not None:
            exact[shape.name] = tuple(keys)
    return exact


@dataclass(frozen=True, slots=True)
class DatabaseMaskReport:
    """The report of one masked database copy: a :class:`MaskReport` per table.

    Attributes:
        source: the source URL without its password.
        dest: the destination URL without its password.
        tables: per table (parents first): columns, rules, counts, measured risk.
        resumed: whether this run continued an interrupted copy.
        seconds: wall time of this run.

    """

    source: str
    dest: str
    tables: tuple[MaskReport, ...]
    resumed: bool = False
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        """Rows written over all tables."""
        return sum(t.rows_out for t in self.tables)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: names, rules and counts only, never a value."""
        doc = asdict(self)
        doc["tables"] = [t.to_dict() for t in self.tables]
        doc["rows"] = self.rows
        return doc
