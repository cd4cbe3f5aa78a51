"""Plain facts about a live installation, and the view the checks read them through.

Facts carry counts, ids, names and timestamps only — never a protected value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class EnvelopeStats:
    """Vault fields looked at, and those whose ciphertext lacks an envelope header."""

    fields_checked: int
    records_checked: int
    unencrypted: tuple[tuple[str, str], ...] = ()  # (record id, field name)


@dataclass(frozen=True, slots=True)
class StorageFact:
    """How the stores and the server are set up (read from the live system).

    Attributes:
        keystore_separate: the key store is a database apart from the data
            store, so a backup of the data store holds no data keys.
        server_tls: whether the last started server served TLS (None: no
            server has started here).
        server_host: the address it listened on.
    """

    keystore_separate: bool
    server_tls: bool | None
    server_host: str | None


@dataclass(frozen=True, slots=True)
class PiiLocation:
    """A column discovery found PII in."""

    source: str
    dataset: str
    column: str
    pii_types: tuple[str, ...]
    protected: bool  # inside a protected store (the vault)


@dataclass(frozen=True, slots=True)
class UserFact:
    """An active user account and its role grants."""

    username: str
    kind: str
    roles: tuple[str, ...]
    mfa: bool


@dataclass(frozen=True, slots=True)
class KeyFact:
    """A current key version and its age."""

    scope: str
    purpose: str
    version: int
    age_days: float
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AuditFact:
    """The state of the audit trail."""

    events: int
    chains: int
    checkpoints: int
    problems: int
    first_at: datetime | None
    last_at: datetime | None


@dataclass(frozen=True, slots=True)
class RetentionFact:
    """A record type and the retention rule that keeps it (None: kept forever)."""

    tenant: str
    record_type: str
    category: str
    keep: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class DsrFact:
    """A data-subject request's deadline and state."""

    id: str
    kind: str
    state: str
    due_on: date
    closed_on: date | None


@dataclass(frozen=True, slots=True)
class IncidentFact:
    """An incident with a notification clock."""

    id: str
    open: bool
    deadline: datetime | None


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    """One completed course (imported from CSV)."""

    name: str
    course: str
    completed_on: date


@dataclass(frozen=True, slots=True)
class Settings:
    """Compliance settings (``compliance.yaml`` in the data dir, or CLI options).

    ``None`` means "not configured": the check it feeds is not applicable.
    """

    max_key_age_days: int = 365
    unused_grant_days: int = 90
    training_valid_days: int = 365
    audit_period_days: int = 365
    tls_enabled: bool | None = None
    backups_encrypted: bool | None = None
    training: tuple[TrainingRecord, ...] | None = None
    staff: tuple[str, ...] = field(default_factory=tuple)
    contact: str | None = None


class SystemView(Protocol):
    """What the checks may read about the live system (read-only)."""

    settings: Settings

    def now(self) -> datetime:
        """The current time."""

    def vault_envelopes(self, tenant: str | None) -> EnvelopeStats:
        """Envelope statistics over the vault's stored fields."""

    def storage(self) -> StorageFact:
        """How the stores and the server are set up."""

    def discovered_pii(self, tenant: str | None) -> list[PiiLocation]:
        """Columns discovery classified as PII."""

    def users(self) -> list[UserFact]:
        """Active accounts and their grants."""

    def unused_grants(self, days: int) -> list[tuple[str, str]]:
        """(username, detail) of grants unused for ``days`` days."""

    def keys(self) -> list[KeyFact]:
        """The current version of each key."""

    def audit(self) -> AuditFact:
        """The audit trail, verified."""

    def retention(self, tenant: str | None) -> list[RetentionFact]:
        """Each record type and its retention rule."""

    def dsrs(self, tenant: str | None) -> list[DsrFact]:
        """Data-subject requests."""

    def incidents(self, tenant: str | None) -> list[IncidentFact] | None:
        """Incidents with clocks; None when the platform has no incident service."""
