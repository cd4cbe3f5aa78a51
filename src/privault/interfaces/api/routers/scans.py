"""Scans as background jobs: start (202), list, status and progress, findings.

Targets are paths under the configured data root (``job_root``) or
database URLs on the allow-list (``job_sql_urls``); nothing else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from privault.app.job_service import ScanRequest
from privault.interfaces.api.deps import Ctx, Svc, Tenant
from privault.interfaces.api.models import Body, Page
from privault.interfaces.api.routers._jobs import JobId, JobOut, job_out, job_page
from privault.interfaces.api.routers._paging import After, Limit, next_link, window

router = APIRouter(tags=["scans"])

Target = Annotated[str, Field(min_length=1, max_length=1000)]
Glob = Annotated[str, Field(min_length=1, max_length=200)]


class ScanIn(Body):
    """What to scan: paths relative to the data root, or allow-listed database URLs."""

    targets: list[Target] = Field(min_length=1, max_length=20)
    full: bool = False
    sample_size: int = Field(default=10_000, ge=1, le=10_000_000)
    include: list[Glob] = Field(default_factory=list, max_length=20)
    exclude: list[Glob] = Field(default_factory=list, max_length=20)


class FindingOut(BaseModel):
    """A column holding PII: where, which type, which data category (never a value)."""

    key: str
    source: str
    table: str
    column: str
    pii_type: str | None
    freeform: list[str]
    category: str
    sensitivity: str
    confidence: float


@router.post("/tenants/{tenant}/scans", response_model=JobOut, status_code=202)
def start_scan(tenant: Tenant, body: ScanIn, ctx: Ctx, svc: Svc, response: Response) -> JobOut:
    """Start a scan that updates the tenant's data map; poll the job for progress."""
    req = ScanRequest(
        tuple(body.targets), body.full, body.sample_size, tuple(body.include), tuple(body.exclude)
    )
    row = svc.platform.jobs.start_scan(ctx, tenant, req)
    response.headers["Location"] = f"/api/v1/tenants/{tenant}/scans/{row.id}"
    return job_out(row, tenant)


@router.get("/tenants/{tenant}/scans", response_model=Page[JobOut])
def list_scans(
    request: Request, tenant: Tenant, ctx: Ctx, svc: Svc, after: After = None, limit: Limit = 50
) -> Page[JobOut]:
    """The tenant's scan jobs, newest first."""
    return job_page(request, ctx, svc, tenant, "scan", after, limit)


@router.get("/tenants/{tenant}/scans/{job_id}", response_model=JobOut)
def get_scan(tenant: Tenant, job_id: JobId, ctx: Ctx, svc: Svc) -> JobOut:
    """A scan job: status, progress, summary or error."""
    return job_out(svc.platform.jobs.job(ctx, tenant, "scan", job_id), tenant)


@dataclass(frozen=True)
class FindingQuery:
    """Filters and page of a findings listing."""

    pii_type: str | None
    category: str | None
    after: str | None
    limit: int


def finding_query(
    pii_type: Annotated[str | None, Query(max_length=64)] = None,
    category: Annotated[str | None, Query(max_length=32)] = None,
    after: After = None,
    limit: Limit = 100,
) -> FindingQuery:
    """Parse the findings query."""
    return FindingQuery(pii_type, category, after, limit)


@router.get("/tenants/{tenant}/scans/{job_id}/results", response_model=Page[FindingOut])
def scan_results(
    request: Request,
    tenant: Tenant,
    job_id: JobId,
    ctx: Ctx,
    svc: Svc,
    q: Annotated[FindingQuery, Depends(finding_query)],
) -> Page[FindingOut]:
    """The PII columns a finished scan found, by source, table and column (409 until done)."""
    found = svc.platform.jobs.findings(
        ctx, tenant, job_id, pii_type=q.pii_type, category=q.category
    )
    rows = window(found, lambda f: f.key, q.after, q.limit)
    items = [FindingOut(**{**asdict(f), "freeform": list(f.freeform)}) for f in rows]
    return Page(items=items, next=next_link(request, items, lambda f: f.key, q.limit))
