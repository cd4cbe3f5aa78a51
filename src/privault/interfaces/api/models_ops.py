"""Bodies of the lifecycle, sharing, credential and incident routes (pydantic, in OpenAPI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from privault.interfaces.api.models import Body

Text = Field(min_length=1, max_length=500)
Id = Field(min_length=1, max_length=100)


# -- lifecycle ---------------------------------------------------------------------
class RetentionRunIn(Body):
    """A retention run; ``dry_run`` only lists what is due (nothing is destroyed)."""

    dry_run: bool = True
    batch_size: int = Field(default=500, ge=1, le=10_000)


class DueOut(BaseModel):
    """A record whose retention ran out (ids and dates, never values)."""

    record_id: str
    record_type: str
    rule: str
    due_on: date


class RetentionRunOut(BaseModel):
    """What a run did, or (dry run) would do."""

    run_id: str | None
    dry_run: bool
    resumed: bool
    due: list[DueOut]
    destroyed: int
    gone: int
    held: int
    certificate_id: str | None


class HoldIn(Body):
    """A legal hold on the tenant, or on one data subject."""

    reason: str = Text
    subject_id: str | None = Field(default=None, min_length=1, max_length=200)


class ReleaseIn(Body):
    """Lift the holds of the tenant (no subject) or of one subject."""

    subject_id: str | None = Field(default=None, min_length=1, max_length=200)


class HoldOut(BaseModel):
    """An active legal hold (the subject id is shown only to who may read holds)."""

    id: str
    subject_id: str | None
    reason: str
    created_by: str
    created_at: datetime


class Released(BaseModel):
    """How many holds were lifted."""

    released: int


class CertificateOut(BaseModel):
    """A destruction certificate's summary (download the signed JSON or the PDF)."""

    id: str
    run_id: str
    issued_at: str
    counts: dict[str, int]


class DsrIn(Body):
    """A new data-subject request."""

    subject_id: str = Field(min_length=1, max_length=200)
    kind: Literal["access", "rectification", "erasure", "restriction", "opt_out_sale"]
    law: str = Field(default="gdpr", min_length=1, max_length=20)
    received_on: date | None = None


class VerifyIn(Body):
    """Who verified the requester's identity, and how."""

    method: str = Field(min_length=1, max_length=40)
    note: str = Field(default="", max_length=500)


class ReasonIn(Body):
    """A reason (told to the subject, kept in the request's history)."""

    reason: str = Text


class AdvanceIn(Body):
    """Carry out a verified request (rectification: the record and corrected fields)."""

    record_id: str | None = Field(default=None, min_length=1, max_length=100)
    changes: dict[str, Any] | None = Field(default=None, max_length=100)


class StepOut(BaseModel):
    """One audited step of a request."""

    at: datetime
    actor: str
    action: str
    from_state: str | None
    to_state: str
    note: str


class DsrOut(BaseModel):
    """A data-subject request with its deadline (``days_left`` < 0: overdue)."""

    id: str
    subject_id: str
    kind: str
    law: str
    state: str
    received_on: date
    due_on: date
    days_left: int
    extended: bool
    verification_method: str | None
    created_at: datetime
    closed_at: datetime | None
    steps: list[StepOut] = []


# -- sharing -----------------------------------------------------------------------
class ScanOut(BaseModel):
    """The PII scan of an uploaded file: entity types and counts, never values."""

    kind: str
    findings: dict[str, int]


class SharedOut(BaseModel):
    """A new share: the link token is shown once."""

    file_id: str
    link_id: str
    token: str
    size: int
    expires_at: datetime
    scan: ScanOut


class LinkOut(BaseModel):
    """A link of a shared file."""

    id: str
    state: str
    expires_at: datetime
    downloads: int
    max_downloads: int | None
    passphrase: bool
    recipients: int


class ShareOut(BaseModel):
    """A shared file with its links."""

    id: str
    name: str
    size: int
    sender: str
    state: str
    created_at: datetime
    expires_at: datetime
    scan: ScanOut
    links: list[LinkOut]


class DownloadIn(Body):
    """The link's secrets: token, and the passphrase when the link has one."""

    token: str = Field(min_length=1, max_length=300)
    passphrase: str | None = Field(default=None, min_length=1, max_length=1000)


# -- credentials -------------------------------------------------------------------
class ItemOut(BaseModel):
    """A credential item as lists show it: never a secret."""

    id: str
    title: str
    login: str
    url: str
    honeytoken: bool
    rotate_due: bool
    password_changed_at: datetime
    shared_with: list[str]


class RevealIn(Body):
    """Why a secret is revealed (audited) and which part."""

    purpose: str = Field(min_length=1, max_length=100)
    field: Literal["password", "notes", "totp"] = "password"


class RevealedOut(BaseModel):
    """A revealed secret part (audited before it was decrypted)."""

    item_id: str
    field: str
    value: str


class ItemHealthOut(BaseModel):
    """The issues of one item."""

    item_id: str
    title: str
    issues: list[str]
    score: int | None
    age_days: int


class ReminderOut(BaseModel):
    """An item past its rotation age."""

    item_id: str
    title: str
    due_at: datetime
    overdue_days: int


class HealthOut(BaseModel):
    """Weak, reused, old and breached passwords, and rotation reminders."""

    healthy: bool
    counts: dict[str, int]
    items: list[ItemHealthOut]
    reminders: list[ReminderOut]


class GenerateIn(Body):
    """A random password, or a passphrase from the shipped word list."""

    kind: Literal["password", "passphrase"] = "password"
    length: int = Field(default=20, ge=8, le=256)
    classes: list[Literal["lower", "upper", "digits", "symbols"]] = Field(
        default=["lower", "upper", "digits", "symbols"], min_length=1, max_length=4
    )
    avoid_ambiguous: bool = False
    words: int = Field(default=6, ge=4, le=20)
    separator: str = Field(default="-", max_length=3)


class GeneratedOut(BaseModel):
    """A generated secret (nothing stored) and its entropy."""

    value: str
    bits: float


# -- incidents ---------------------------------------------------------------------
class IncidentIn(Body):
    """A new incident, by hand or from an alert."""

    title: str = Field(default="", max_length=200)
    severity: Literal["low", "medium", "high", "critical"] = "medium"
    alert_id: str | None = Field(default=None, min_length=1, max_length=100)
    tenant: str | None = Field(default=None, min_length=1, max_length=63)
    aware_at: datetime | None = None
    breach_start: datetime | None = None
    breach_end: datetime | None = None
    flags: list[Literal["hipaa", "nis2", "pci"]] = Field(default=[], max_length=3)


class IncidentOut(BaseModel):
    """An incident case."""

    id: str
    title: str
    severity: str
    state: str
    tenant_id: str | None
    alert_id: str | None
    detected_at: datetime
    aware_at: datetime
    breach_start: datetime | None
    breach_end: datetime | None
    opened_by: str
    updated_at: datetime
    flags: list[str]
    impact: dict[str, Any] | None = None


class TimelineOut(BaseModel):
    """One action on an incident."""

    seq: int
    ts: datetime
    actor: str
    kind: str
    text: str


class MemberOut(BaseModel):
    """A response-team member."""

    member: str
    role: str
    added_at: datetime


class IncidentDetail(IncidentOut):
    """An incident with its timeline, team and notification clocks."""

    timeline: list[TimelineOut]
    team: list[MemberOut]
    clocks: list[dict[str, Any]]


class AdvanceIncidentIn(Body):
    """The next lifecycle state (closing needs a post-incident review)."""

    state: str = Field(min_length=1, max_length=40)
    review: str | None = Field(default=None, min_length=1, max_length=5000)


class AssessIn(Body):
    """Whose activity to assess, in which window."""

    since: datetime
    until: datetime
    principal: str | None = Field(default=None, min_length=1, max_length=200)
    api_key: str | None = Field(default=None, min_length=1, max_length=100)
    source: str | None = Field(default=None, min_length=1, max_length=200)


class NotifiedIn(Body):
    """A notification duty fulfilled."""

    rule: str = Field(min_length=1, max_length=100)
    at: datetime | None = None
    reference: str | None = Field(default=None, max_length=200)


class ContainIn(Body):
    """A containment step: what to do, and to whom."""

    action: Literal[
        "disable-user", "revoke-sessions", "revoke-api-key", "rotate-keys", "freeze-exports"
    ]
    target: str = Field(min_length=1, max_length=200)


class AckOut(BaseModel):
    """An acknowledgement: it stops the escalation."""

    incident_id: str
    by: str
    at: datetime
    level: int
