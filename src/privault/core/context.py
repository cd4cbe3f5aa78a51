"""Who is asking, and why: the context every service call carries."""

from __future__ import annotations

from dataclasses import dataclass, field

from privault.core.ids import new_id


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller.

    Attributes:
        id: stable id ("user:alice", "cli:root", "apikey:…").
        roles: role names granted.
        tenants: tenant ids the principal may reach; None means all (MSP-wide).

    """

    id: str
    roles: frozenset[str] = frozenset()
    tenants: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One request: the principal, a request id for the audit trail, the source."""

    principal: Principal
    request_id: str = field(default_factory=lambda: new_id("req"))
    source: str = "local"
