"""Export freezes set by incident containment, as the gate consults them."""

from __future__ import annotations

from typing import Protocol

from privault.incidents import repository as incidents_repo
from privault.store.uow import UnitOfWork


class FreezePolicy(Protocol):
    """Tells whether a tenant's exports are frozen."""

    def exports_frozen(self, tenant_id: str) -> bool:
        """True while an incident holds an export freeze on the tenant."""
        ...


class ExportFreezes:
    """Reads the freezes that incident containment records."""

    def __init__(self, data: UnitOfWork) -> None:
        self._data = data

    def exports_frozen(self, tenant_id: str) -> bool:
        """True while an incident holds an export freeze on the tenant."""
        with self._data.transaction() as conn:
            return incidents_repo.frozen(conn, tenant_id) is not None
