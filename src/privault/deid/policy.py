"""De-identification policies: which operator, with which parameters, for what.

A policy is YAML (or a dict). Every operator name, parameter, entity type and
option is validated when the policy is loaded, before any data is read or
written. Keys are never part of a policy: the caller passes the project key.

```yaml
locale: en_US
default: replace                     # entity types not listed below
entities:                            # text spans and typed columns
  PERSON: fake
  EMAIL_ADDRESS: {operator: hash, length: 32}
  CREDIT_CARD: {operator: fpe}
columns:                             # tables, by column name (wins over types)
  notes: detect                      # freeform: detection + the entity rules
  birth_date: {operator: generalize, kind: date, level: year}
  customer_id: keep
unlisted: detect                     # string columns with no rule: detect|keep|drop
detection: {rules_only: true, threshold: 0.5}
risk: {quasi_identifiers: [zip, age], sensitive: [diagnosis], k: 5, max_suppression: 0.05}
```

An operator rule is a name (``fake``), or a mapping with ``operator`` and its
parameters either flat (Presidio style) or under ``params``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from privault.core.entities import check_entity_type
from privault.core.errors import InvalidInput
from privault.deid.operators import validate_params

__all__ = ["DETECT", "DetectionSpec", "OperatorRule", "Policy", "RiskSpec", "load_policy"]

DETECT = "detect"
"""The column rule that sends freeform text through detection and the entity rules."""


class OperatorRule(BaseModel):
    """One operator and its (validated) parameters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    operator: str
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"operator": data}
        if isinstance(data, Mapping) and "operator" in data:
            flat = {k: v for k, v in data.items() if k not in ("operator", "params")}
            return {"operator": data["operator"], "params": {**data.get("params", {}), **flat}}
        return data

    @model_validator(mode="after")
    def _check(self) -> OperatorRule:
        validate_params(self.operator, self.params)
        return self


class DetectionSpec(BaseModel):
    """How freeform text is scanned (see :mod:`privault.detect`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules_only: bool = True
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    entities: tuple[str, ...] | None = None


class RiskSpec(BaseModel):
    """Re-identification risk: what to measure and, optionally, enforce.

    Attributes:
        quasi_identifiers: columns an attacker could link on (zip, age, sex).
        sensitive: columns whose diversity l-diversity/t-closeness measure.
        k: generalise quasi-identifiers until every class has k rows.
        max_suppression: share of rows that may be dropped to reach k.

    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    quasi_identifiers: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = ()
    k: int | None = Field(default=None, ge=2)
    max_suppression: float = Field(default=0.05, ge=0.0, le=0.5)


ColumnRule = OperatorRule | Literal["detect"]


class Policy(BaseModel):
    """A whole de-identification policy (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    locale: str = Field(default="en_US", pattern=r"^[a-z]{2}(_[A-Z]{2})?$")
    default: OperatorRule = OperatorRule(operator="replace")
    entities: dict[str, OperatorRule] = Field(default_factory=dict)
    columns: dict[str, ColumnRule] = Field(default_factory=dict)
    unlisted: Literal["detect", "keep", "drop"] = "detect"
    detection: DetectionSpec = DetectionSpec()
    risk: RiskSpec = RiskSpec()

    @model_validator(mode="before")
    @classmethod
    def _detect_shorthand(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("columns"), Mapping):
            cols = {k: (DETECT if v == DETECT else v) for k, v in data["columns"].items()}
            return {**data, "columns": cols}
        return data

    @model_validator(mode="after")
    def _check_types(self) -> Policy:
        for name in self.entities:
            check_entity_type(name)
        for name in self.detection.entities or ():
            check_entity_type(name)
        return self

    def rule_for(self, entity: str) -> OperatorRule:
        """The rule for an entity type: its own, else the default."""
        return self.entities.get(entity, self.default)


def load_policy(source: str | Path | Mapping[str, Any], *, name: str = "policy") -> Policy:
    """Load and validate a policy from YAML text, a YAML file or a mapping.

    Raises:
        InvalidInput: naming the file and the offending key (never a data value).

    """
    if isinstance(source, Path):
        name = source.name
        try:
            source = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"{name}: cannot read the policy ({exc.strerror})") from None
    data: Any = source
    if isinstance(source, str):
        try:
            data = yaml.safe_load(source) or {}
        except yaml.YAMLError:
            raise InvalidInput(f"{name}: not valid YAML") from None
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{name}: a policy is a mapping of keys")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise _policy_error(name, exc) from None


def _policy_error(name: str, exc: ValidationError) -> InvalidInput:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"] if not str(p).startswith("function-")) or "policy"
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, InvalidInput):
        return InvalidInput(f"{name}: {where}: {cause.message}", key=where)
    return InvalidInput(f"{name}: {where}: {first['msg']}", key=where)
