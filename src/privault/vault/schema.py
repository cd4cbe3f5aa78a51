"""Record types declared as schemas in YAML.

```yaml
record_type: customer
category: master              # master | transactional | reference | freeform
subject_field: customer_id    # optional: the field naming the data subject
fields:
  email: {pii: EMAIL_ADDRESS, searchable: true, purpose: [support], retention: 2y}
  card:  {pii: CREDIT_CARD, tokenize: fpe}
```
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from privault.core.entities import Category, check_entity_type
from privault.core.errors import InvalidInput
from privault.core.ids import check_slug

FieldType = Literal["string", "integer", "number", "boolean", "date"]
TokenKind = Literal["none", "random", "deterministic", "fpe"]
FPE_TYPES = frozenset({"CREDIT_CARD", "US_SSN", "PHONE_NUMBER"})
_RETENTION = re.compile(r"^\d{1,5}[dmy]$")
_FIELD_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class FieldSpec(BaseModel):
    """One field of a record type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: FieldType = "string"
    pii: str | None = None
    category: Category | None = None
    purpose: tuple[str, ...] = ()
    searchable: bool = False
    tokenize: TokenKind = "none"
    retention: str | None = None
    required: bool = False
    description: str = ""

    @field_validator("pii")
    @classmethod
    def _pii(cls, value: str | None) -> str | None:
        return None if value is None else check_entity_type(value)

    @field_validator("retention")
    @classmethod
    def _retention(cls, value: str | None) -> str | None:
        if value is not None and not _RETENTION.match(value):
            raise ValueError("retention must look like 30d, 18m or 7y")
        return value

    @model_validator(mode="after")
    def _fpe_needs_type(self) -> FieldSpec:
        if self.tokenize == "fpe" and self.pii not in FPE_TYPES:
            raise ValueError(f"tokenize: fpe needs pii one of {sorted(FPE_TYPES)}")
        return self


class RecordSchema(BaseModel):
    """A record type: its fields and their protection."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    record_type: str
    category: Category
    description: str = ""
    subject_field: str | None = None
    fields: dict[str, FieldSpec] = Field(min_length=1)

    @field_validator("record_type")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_slug(value, "record type")

    @model_validator(mode="after")
    def _check_fields(self) -> RecordSchema:
        for name in self.fields:
            check_slug(name, "field")
        if self.subject_field is not None and self.subject_field not in self.fields:
            raise ValueError(f"subject_field {self.subject_field!r} is not a declared field")
        return self

    def field(self, name: str) -> FieldSpec:
        """Return the spec of ``name``.

        Raises:
            InvalidInput: for a field the schema does not declare.

        """
        try:
            return self.fields[name]
        except KeyError:
            # Echo the name only if it looks like a field name: a CSV whose
            # header row holds data must not put that data in the error.
            shown = repr(name) if _FIELD_NAME.match(str(name)) else "(not a valid field name)"
            raise InvalidInput(
                f"unknown field {shown} for record type {self.record_type!r}; "
                f"declared: {', '.join(self.fields)}",
                field=shown,
            ) from None

    def category_of(self, name: str) -> str:
        """The data category of a field (its own, else the record type's)."""
        return self.field(name).category or self.category


def parse_schema(text: str, source: str = "schema") -> RecordSchema:
    """Parse and validate one schema document (YAML or JSON).

    Raises:
        InvalidInput: naming the first problem and where it is.

    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"{source}:{where} is not valid YAML") from None
    if not isinstance(doc, dict):
        raise InvalidInput(f"{source}: expected a mapping with record_type and fields")
    try:
        return RecordSchema.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "document"
        raise InvalidInput(f"{source}: {loc}: {err['msg']}", location=loc) from None


def coerce(spec: FieldSpec, name: str, value: Any) -> str:
    """Check a value against its field type; return its canonical text form.

    Raises:
        InvalidInput: naming the field and expected type (never the value).

    """
    try:
        return _coerce(spec.type, value)
    except (TypeError, ValueError):
        raise InvalidInput(f"field {name!r}: expected {spec.type}", field=name) from None


def _coerce(kind: str, value: Any) -> str:
    if kind == "string":
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise TypeError
        return str(value)
    if kind == "integer":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise TypeError
        return str(int(value))
    if kind == "number":
        if isinstance(value, bool):
            raise TypeError
        return repr(float(value))
    if kind == "boolean":
        if isinstance(value, bool):
            return "true" if value else "false"
        lowered = str(value).strip().lower()
        if lowered in ("true", "1", "yes"):
            return "true"
        if lowered in ("false", "0", "no"):
            return "false"
        raise ValueError
    return date.fromisoformat(str(value)).isoformat()


def decode(kind: str, text: str) -> Any:
    """Turn a canonical text form back into a Python value."""
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        return text == "true"
    return text
