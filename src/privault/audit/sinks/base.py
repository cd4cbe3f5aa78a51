"""The audit-sink extension point: a Protocol, typed params, a registry.

Implementer's contract:

* ``name`` is a class-level constant (the config ``type``).
* ``emit`` receives committed events only; it may raise on failure (the
  fan-out catches, logs and counts), but must never log event values.
* ``close`` releases sockets and files; it is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ValidationError

from privault.audit.chain import SealedEvent
from privault.core.errors import ConfigurationError
from privault.core.registry import Registry


class AuditSink(Protocol):
    """Receives committed audit events."""

    name: ClassVar[str]

    def emit(self, events: Sequence[SealedEvent]) -> None:
        """Deliver ``events`` (already committed to the database)."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


SinkFactory = Callable[[Mapping[str, Any]], AuditSink]
SINKS: Registry[SinkFactory] = Registry("audit sink")


def parse_params(model: type[BaseModel], spec: Mapping[str, Any], kind: str) -> Any:
    """Validate a sink's config mapping (without its ``type``) into ``model``.

    Raises:
        ConfigurationError: naming the sink type and the offending option.

    """
    try:
        return model.model_validate({k: v for k, v in spec.items() if k != "type"})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or kind
        raise ConfigurationError(f"bad {kind} sink option {where}: {first['msg']}") from None
