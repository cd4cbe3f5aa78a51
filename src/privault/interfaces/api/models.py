"""Request and response bodies of the REST API (pydantic, documented in OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")
View = Literal["plain", "masked", "token", "redacted"]
Name = Field(min_length=1, max_length=63, pattern=r"^[a-z0-9][a-z0-9_-]*$")


class Body(BaseModel):
    """Base of request bodies: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """One page of a keyset-paginated list: pass ``next`` (or ``after``) for more."""

    items: list[T]
    next: str | None = None


class LoginIn(Body):
    """Password sign-in, with a TOTP or recovery code once MFA is enrolled."""

    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    code: str | None = Field(default=None, max_length=64)


class LoginOut(BaseModel):
    """A session token (send as ``Authorization: Bearer``), shown once."""

    token: str
    expires_at: datetime


class Me(BaseModel):
    """Who the caller is."""

    id: str
    roles: list[str]
    tenant_roles: list[tuple[str, str]]
    scopes: list[str] | None
    mfa: bool


class TenantIn(Body):
    """A new tenant."""

    slug: str = Name
    name: str | None = Field(default=None, max_length=200)


class TenantOut(BaseModel):
    """A tenant."""

    id: str
    slug: str
    name: str
    created_at: datetime
    records: int | None = None


class SchemaOut(BaseModel):
    """A record schema with its version."""

    record_type: str
    version: int
    definition: dict[str, Any]


class RecordOut(BaseModel):
    """A record in the view each field was shown in."""

    id: str
    record_type: str
    subject_id: str
    view: str
    fields: dict[str, Any]
    views: dict[str, str]
    created_at: datetime
    updated_at: datetime


class RecordIn(Body):
    """Field values of a new record."""

    fields: dict[str, Any]


class ImportIn(Body):
    """Many records of one type, stored all or nothing."""

    records: list[dict[str, Any]] = Field(min_length=1, max_length=100_000)


class Ids(BaseModel):
    """Ids of created objects."""

    ids: list[str]


class FindIn(Body):
    """Equality search on a searchable field (the value travels in the body, not the URL)."""

    field: str = Field(min_length=1, max_length=63)
    value: str = Field(max_length=10_000)
    purpose: str = Field(min_length=1, max_length=100)
    view: View = "masked"


class TokenizeIn(Body):
    """Values to tokenize under a scope."""

    values: list[str] = Field(min_length=1, max_length=10_000)
    kind: Literal["random", "deterministic", "fpe"] = "deterministic"
    scope: str = Field(min_length=1, max_length=100)
    pii: str | None = Field(default=None, max_length=64)


class DetokenizeIn(Body):
    """Tokens to turn back into values (needs ``token.detokenize`` and a purpose)."""

    tokens: list[str] = Field(min_length=1, max_length=10_000)
    purpose: str = Field(min_length=1, max_length=100)
    scope: str | None = Field(default=None, max_length=100)
    pii: str | None = Field(default=None, max_length=64)


class Values(BaseModel):
    """Values or tokens, in request order."""

    values: list[str]


class DetectIn(Body):
    """Free text to scan for PII."""

    text: str = Field(max_length=1_000_000)
    entities: list[str] | None = Field(default=None, max_length=100)


class FindingOut(BaseModel):
    """One finding: type, offsets and score (never the matched text)."""

    type: str
    start: int
    end: int
    score: float
    recognizer: str


class UserIn(Body):
    """A new user."""

    username: str = Name
    display_name: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, max_length=1000)
    kind: Literal["user", "service"] = "user"


class UserOut(BaseModel):
    """A user (no secret material)."""

    id: str
    username: str
    display_name: str
    kind: str
    status: str
    mfa: bool
    roles: list[str] = []
    tenant_roles: list[tuple[str, str]] = []
    created_at: datetime
    last_login_at: datetime | None


class PasswordIn(Body):
    """A new password."""

    password: str = Field(min_length=1, max_length=1000)


class GrantIn(Body):
    """A role grant, on one tenant or (no tenant) on all."""

    role: str = Field(min_length=1, max_length=63)
    tenant: str | None = Field(default=None, max_length=63)


class RoleOut(BaseModel):
    """A role."""

    name: str
    allow: list[str]
    deny: list[str]
    views: dict[str, str]
    break_glass: bool
    description: str


class RolesIn(Body):
    """A policy file (YAML or JSON text) with a top-level ``roles:`` list."""

    policy: str = Field(min_length=1, max_length=100_000)


class ApiKeyIn(Body):
    """A new API key for a user."""

    user: str = Field(min_length=1, max_length=63)
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ApiKeyOut(BaseModel):
    """A stored API key (never its secret)."""

    id: str
    user_id: str
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    """A new key: ``token`` is shown this once."""

    token: str


class TotpEnrollment(BaseModel):
    """A pending enrolment: the otpauth URI and its QR code as SVG (shown once)."""

    uri: str
    qr_svg: str


class CodeIn(Body):
    """A TOTP code."""

    code: str = Field(min_length=6, max_length=10, pattern=r"^[0-9]+$")


class RecoveryCodes(BaseModel):
    """Recovery codes, shown once."""

    recovery_codes: list[str]


class AuditEventOut(BaseModel):
    """One audit event (values appear only as keyed HMACs)."""

    id: str
    ts: datetime
    tenant_id: str | None
    actor: str
    action: str
    resource: str
    outcome: str
    rule: str
    request_id: str
    purpose: str | None
    detail: dict[str, Any]


class VerifyOut(BaseModel):
    """The result of verifying every chain."""

    ok: bool
    chains: int
    events: int
    problems: list[dict[str, Any]]
