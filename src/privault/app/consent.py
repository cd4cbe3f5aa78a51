"""The consent port the gate asks before it reveals data for a purpose.

The lifecycle capability (consent and opt-out records, GPC) implements it;
until it is wired in, :class:`NoOptOuts` answers that nobody opted out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import Connection


class ConsentPolicy(Protocol):
    """Tells which data subjects refused a purpose."""

    def opted_out(
        self, conn: Connection, tenant_id: str, subject_ids: Iterable[str], purpose: str
    ) -> set[str]:
        """The subjects among ``subject_ids`` who opted out of ``purpose``.

        Read on ``conn``, the data-store snapshot the gate reads the records in.
        """
        ...


class NoOptOuts:
    """No consent records kept: nobody has opted out of anything."""

    def opted_out(
        self, conn: Connection, tenant_id: str, subject_ids: Iterable[str], purpose: str
    ) -> set[str]:
        """Nobody."""
        del conn, tenant_id, subject_ids, purpose
        return set()
