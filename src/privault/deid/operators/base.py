"""The operator contract, its typed parameters and the operator registry.

An operator turns one value of a known PII type into its de-identified form.
Implementing one (one new module plus one ``OPERATORS.register`` line):

1. subclass :class:`Operator` with a class-level ``name`` (Presidio's name
   where one exists) and a frozen :class:`OperatorParams` subclass as
   ``Params``; set ``needs_key`` / ``reversible`` / ``uses_subject``;
2. in ``__init__`` check what the binding must provide and raise
   :class:`InvalidInput` (never mention a value);
3. implement :meth:`Operator.apply` as a pure function of the value (no I/O,
   no logging, no global state); the same input, params and key give the same
   output unless the operator is documented as randomised;
4. optionally :meth:`Operator.expr` (a Polars expression: fastest),
   :meth:`Operator.apply_many` (a tight batch loop) and, if ``reversible``,
   :meth:`Operator.reverse`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from privault.core.errors import InvalidInput
from privault.core.registry import Registry
from privault.deid.keys import DeidKeys

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "OPERATORS",
    "Binding",
    "Operator",
    "OperatorParams",
    "build_operator",
    "validate_params",
]


class OperatorParams(BaseModel):
    """Base of every operator's parameters: frozen, unknown names rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


P = TypeVar("P", bound=OperatorParams)


@dataclass(frozen=True, slots=True)
class Binding:
    """What an operator instance works for.

    Attributes:
        entity: the PII type of the values (``"CREDIT_CARD"``), or None.
        keys: the project's keys; None when the caller gave no key.
        locale: Faker locale for realistic fakes.

    """

    entity: str | None = None
    keys: DeidKeys | None = None
    locale: str = "en_US"


class Operator(ABC, Generic[P]):
    """Base class of operators (see the module docstring for the contract).

    Args:
        params: validated parameters of this operator.
        binding: entity type, keys and locale.

    Raises:
        InvalidInput: the operator needs a key and none was given.

    """

    name: ClassVar[str]
    Params: ClassVar[type[OperatorParams]] = OperatorParams
    needs_key: ClassVar[bool] = False
    reversible: ClassVar[bool] = False
    uses_subject: ClassVar[bool] = False

    def __init__(self, params: P, binding: Binding) -> None:
        if self.needs_key and binding.keys is None:
            raise InvalidInput(
                f"operator {self.name!r} needs a key and none was given; "
                "keyed and reversible operators never run unkeyed",
                operator=self.name,
            )
        self.params = params
        self.binding = binding

    @property
    def keys(self) -> DeidKeys:
        """The project's keys (only for operators with ``needs_key``)."""
        if self.binding.keys is None:  # pragma: no cover - checked in __init__
            raise InvalidInput(f"operator {self.name!r} needs a key")
        return self.binding.keys

    @property
    def entity(self) -> str:
        """The bound PII type, or ``"VALUE"`` when none was bound."""
        return self.binding.entity or "VALUE"

    @abstractmethod
    def apply(self, value: str, subject: str | None = None) -> str:
        """Return the de-identified form of ``value``.

        Args:
            value: one value (a text span or a table cell as text).
            subject: the data subject the value belongs to (date shifts).

        """

    def apply_many(
        self, values: Sequence[str | None], subjects: Sequence[str | None] | None = None
    ) -> list[str | None]:
        """Apply to a batch; nulls stay null. Equal values are computed once."""
        if self.uses_subject and subjects is not None:
            return [
                None if v is None else self.apply(v, s)
                for v, s in zip(values, subjects, strict=True)
            ]
        cache: dict[str, str] = {}
        out: list[str | None] = []
        for value in values:
            if value is None:
                out.append(None)
                continue
            done = cache.get(value)
            if done is None:
                done = cache[value] = self.apply(value)
            out.append(done)
        return out

    @property
    def reverses(self) -> bool:
        """True if this instance can reverse its output (``reversible`` unless params say no)."""
        return self.reversible

    def reverse_many(self, values: Sequence[str]) -> list[str]:
        """Invert :meth:`apply` for a batch (reversible operators only)."""
        return [self.reverse(v) for v in values]

    def expr(self, column: pl.Expr, dtype: pl.DataType) -> pl.Expr | None:
        """A vectorised Polars form of :meth:`apply`, or None to use batches."""
        del column, dtype
        return None

    def reverse(self, value: str) -> str:
        """Invert :meth:`apply` (reversible operators only).

        Raises:
            InvalidInput: the operator is not reversible.

        """
        del value
        raise InvalidInput(f"operator {self.name!r} is not reversible", operator=self.name)


OPERATORS: Registry[type[Operator[Any]]] = Registry("operator")
"""Every operator by name; ``OPERATORS.register(Cls.name, Cls)`` adds one."""


def validate_params(name: str, params: Mapping[str, Any]) -> OperatorParams:
    """Validate ``params`` for the operator ``name``.

    Raises:
        UnknownPlugin: unknown operator, listing the valid ones.
        InvalidInput: a bad or unknown parameter, listing the valid ones
            (the message never repeats the given value).

    """
    cls = OPERATORS.get(name)
    try:
        return cls.Params.model_validate(dict(params))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "params"
        valid = ", ".join(sorted(cls.Params.model_fields)) or "none"
        raise InvalidInput(
            f"operator {name!r}: bad parameter {where!r} ({first['msg']}); "
            f"valid parameters: {valid}",
            operator=name,
            param=where,
        ) from None


def build_operator(name: str, params: Mapping[str, Any], binding: Binding) -> Operator[Any]:
    """Validate ``params`` and bind operator ``name`` to ``binding``.

    Raises:
        UnknownPlugin: unknown operator.
        InvalidInput: bad parameters, or a key is needed and missing.

    """
    cls = OPERATORS.get(name)
    return cls(validate_params(name, params), binding)
