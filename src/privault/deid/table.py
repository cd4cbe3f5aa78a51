"""Tables: a rule per column, applied vectorised with Polars.

Each column gets one action, decided in this order:

1. ``policy.columns[name]`` — an operator rule or ``detect``;
2. the column's PII type in the caller's ``pii_types`` mapping (a scan's
   result) — that type's entity rule, else the default;
3. ``policy.unlisted`` — ``detect`` (string columns only), ``keep`` or ``drop``.

Operators with a Polars form (mask, redact, replace, generalize, keep) run as
expressions; the others (hash, fpe, fake, encrypt) run once per distinct value
and are joined back, or in one tight loop when nearly every value is distinct;
``detect`` columns go through :mod:`privault.detect` and text anonymization.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from privault.core.entities import check_entity_type
from privault.core.errors import InvalidInput
from privault.deid.keys import DeidKeys
from privault.deid.operators import Binding, Operator, build_operator
from privault.deid.operators.generalize import DateShift
from privault.deid.policy import DETECT, OperatorRule, Policy
from privault.deid.text import TextAnonymizer
from privault.detect import ENTITY_TYPES, Analyzer, AnalyzerConfig

__all__ = ["ColumnPlan", "ColumnStats", "TablePlan", "plan_table"]

Action = Literal["operator", "detect", "keep", "drop"]
_SAMPLE = 10_000  # values sampled to decide between dedupe-and-join and one loop


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """What happens to one column, and why.

    Attributes:
        column: the column name.
        action: ``operator``, ``detect``, ``keep`` or ``drop``.
        operator: the bound operator (for ``operator``).
        entity: the PII type the rule came from, if any.
        reason: ``column rule``, ``pii type`` or ``unlisted``.

    """

    column: str
    action: Action
    operator: Operator[Any] | None = None
    entity: str | None = None
    reason: str = "unlisted"

    def describe(self) -> str:
        """A short human description: ``fpe(recipe=card)``, ``detect``, ``keep``."""
        if self.operator is None:
            return self.action
        params = self.operator.params.model_dump(exclude_defaults=True)
        inner = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
        return f"{self.operator.name}({inner})" if inner else self.operator.name


@dataclass(slots=True)
class ColumnStats:
    """What a column's action did over the rows seen so far."""

    changed: int = 0
    entities: Counter[str] = field(default_factory=Counter)


def _check_columns(policy: Policy, names: list[str], pii_types: Mapping[str, str]) -> None:
    known = set(names)
    wanted = [*policy.columns, *pii_types, *policy.risk.quasi_identifiers, *policy.risk.sensitive]
    for rule in policy.columns.values():
        if isinstance(rule, OperatorRule) and rule.operator == DateShift.name:
            wanted += [c for c in [rule.params.get("subject_column")] if c]
    missing = sorted({c for c in wanted if c not in known})
    if missing:
        raise InvalidInput(
            f"the policy names column(s) the data does not have: {', '.join(missing)}; "
            f"columns: {', '.join(names)}",
            columns=missing,
        )
    for entity in pii_types.values():
        check_entity_type(entity)


def _column_plan(
    policy: Policy, name: str, dtype: pl.DataType, pii: str | None, keys: DeidKeys | None
) -> ColumnPlan:
    rule = policy.columns.get(name)
    reason = "column rule"
    if rule is None and pii is not None:
        rule, reason = policy.rule_for(pii), "pii type"
    if rule is None:
        action = policy.unlisted if policy.unlisted != DETECT or dtype == pl.String else "keep"
        return ColumnPlan(name, action, reason="unlisted")
    if rule == DETECT:
        return ColumnPlan(name, "detect", entity=pii, reason=reason)
    assert isinstance(rule, OperatorRule)  # narrowed by the two checks above
    binding = Binding(pii, keys, policy.locale)
    op = build_operator(rule.operator, rule.params, binding)
    return ColumnPlan(name, "operator", op, pii, reason)


class TablePlan:
    """Column actions for one table shape; :meth:`apply` masks one batch.

    Build it with :func:`plan_table`, which validates everything first.
    """

    def __init__(self, policy: Policy, columns: tuple[ColumnPlan, ...], keys: DeidKeys | None):
        self.policy = policy
        self.columns = columns
        self._text = TextAnonymizer(policy, keys)
        self._analyzer: Analyzer | None = None
        self.stats: dict[str, ColumnStats] = {c.column: ColumnStats() for c in columns}
        if any(c.action == "detect" for c in columns):
            self._text.check(policy.detection.entities or ENTITY_TYPES)

    def apply(self, frame: pl.DataFrame, only: frozenset[str] | None = None) -> pl.DataFrame:
        """Mask one batch; update :attr:`stats` (unless ``only`` picks some columns).

        Args:
            frame: a batch with the planned columns.
            only: mask just these columns (quasi-identifier passes); stats untouched.

        """
        out: list[pl.Series] = []
        for plan in self.columns:
            if plan.action == "drop" or (only is not None and plan.column not in only):
                continue
            source = frame.get_column(plan.column)
            if plan.action == "keep":
                out.append(source)
                continue
            masked = (
                self._detect(source, plan) if plan.action == "detect" else self._op(frame, plan)
            )
            if only is None:
                self.stats[plan.column].changed += _changed(source, masked)
            out.append(masked.alias(plan.column))
        return pl.DataFrame(out)

    def _op(self, frame: pl.DataFrame, plan: ColumnPlan) -> pl.Series:
        op = plan.operator
        assert op is not None  # the 'operator' action always has one
        source = frame.get_column(plan.column)
        if isinstance(op, DateShift):
            return _date_shift(frame, source, op)
        expr = op.expr(pl.col(plan.column), source.dtype)
        if expr is not None:
            return frame.select(expr.alias(plan.column)).to_series()
        return map_values(op, _as_text(source, plan.column))

    def _detect(self, source: pl.Series, plan: ColumnPlan) -> pl.Series:
        spec = self.policy.detection
        if self._analyzer is None:
            config = AnalyzerConfig(rules_only=spec.rules_only, threshold=spec.threshold)
            self._analyzer = Analyzer(config)
        texts = _as_text(source, plan.column).to_list()
        present = [t for t in texts if t is not None]
        found = iter(self._analyzer.analyze_many(present, spec.entities))
        counts = self.stats[plan.column].entities
        out: list[str | None] = []
        for text in texts:
            if text is None:
                out.append(None)
                continue
            findings = next(found)
            counts.update(f.type for f in findings)
            out.append(self._text.anonymize(text, findings).text if findings else text)
        return pl.Series(plan.column, out, dtype=pl.String)


def map_values(op: Operator[Any], text: pl.Series) -> pl.Series:
    """Apply a batch operator to a String series, once per distinct value.

    When most values are distinct, one tight loop over the column beats
    deduplicating first.
    """
    present = text.drop_nulls()
    sample = present.head(_SAMPLE)
    if sample.n_unique() * 2 > len(sample):  # mostly distinct: one loop, no dedupe pass
        return pl.Series(text.name, op.apply_many(text.to_list()), dtype=pl.String)
    distinct = present.unique()
    mapped = pl.Series(op.apply_many(distinct.to_list()), dtype=pl.String)
    return text.replace_strict(distinct, mapped, default=None, return_dtype=pl.String)


def _as_text(source: pl.Series, name: str) -> pl.Series:
    if source.dtype == pl.String:
        return source
    if source.dtype.is_nested() or source.dtype == pl.Object:
        raise InvalidInput(f"column {name!r} holds nested values; use keep or drop", column=name)
    return source.cast(pl.String)


def _date_shift(frame: pl.DataFrame, source: pl.Series, op: DateShift) -> pl.Series:
    subject_col = op.params.subject_column
    if subject_col is None:
        subjects = pl.Series([None] * len(source), dtype=pl.String)
    else:
        subjects = _as_text(frame.get_column(subject_col), subject_col)
    if source.dtype.is_temporal():
        distinct = subjects.unique()
        days = pl.Series([op.shift_days(s) for s in distinct.to_list()], dtype=pl.Int64)
        shifts = subjects.replace_strict(distinct, days, return_dtype=pl.Int64)
        return pl.select(op.shift_expr(pl.lit(source), pl.lit(shifts))).to_series()
    values = _as_text(source, source.name).to_list()
    return pl.Series(source.name, op.apply_many(values, subjects.to_list()), dtype=pl.String)


def _changed(before: pl.Series, after: pl.Series) -> int:
    if before.dtype != after.dtype:
        before = before.cast(pl.String, strict=False)
        after = after.cast(pl.String, strict=False)
    return int(before.ne_missing(after).sum())


def plan_table(
    policy: Policy,
    schema: Mapping[str, pl.DataType],
    *,
    keys: DeidKeys | None = None,
    pii_types: Mapping[str, str] | None = None,
) -> TablePlan:
    """Decide and bind every column's action; nothing is read or written yet.

    Args:
        policy: the validated policy.
        schema: column names and types of the source, in order.
        keys: the project's keys (keyed operators refuse to bind without them).
        pii_types: column -> PII type, e.g. drafted from a scan.

    Raises:
        InvalidInput: a column the data lacks, an unknown PII type, or a keyed
            operator without a key.

    """
    types = dict(pii_types or {})
    names = list(schema)
    _check_columns(policy, names, types)
    plans = tuple(_column_plan(policy, n, schema[n], types.get(n), keys) for n in names)
    return TablePlan(policy, plans, keys)
