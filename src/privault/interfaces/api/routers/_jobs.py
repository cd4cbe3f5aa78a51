"""The API form of background jobs, shared by the scan and masking routers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Request
from pydantic import BaseModel

from privault.core.context import RequestContext
from privault.interfaces.api.deps import Services
from privault.interfaces.api.models import Page
from privault.interfaces.api.routers._paging import next_link
from privault.jobs import JobRow

JobId = Annotated[str, Path(min_length=1, max_length=64, description="the job id (job_…)")]


class JobOut(BaseModel):
    """A background job: state, progress, and a summary of its result (no data values)."""

    id: str
    kind: str
    tenant: str
    actor: str
    status: str
    progress: float
    params: dict[str, Any]
    summary: dict[str, Any] | None = None
    error_code: str | None = None
    error: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


def job_out(row: JobRow, tenant: str) -> JobOut:
    """The API form of a job row of ``tenant`` (its slug)."""
    return JobOut(
        id=row.id,
        kind=row.kind,
        tenant=tenant,
        actor=row.actor,
        status=row.status,
        progress=row.progress,
        params=row.params,
        summary=row.summary,
        error_code=row.error_code,
        error=row.error,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def job_page(
    request: Request,
    ctx: RequestContext,
    svc: Services,
    tenant: str,
    kind: str,
    after: str | None,
    limit: int,
) -> Page[JobOut]:
    """One page of the tenant's jobs of ``kind``, newest first, with the next link."""
    rows = svc.platform.jobs.jobs(ctx, tenant, kind, after, limit)
    items = [job_out(r, tenant) for r in rows]
    return Page(items=items, next=next_link(request, items, lambda j: j.id, limit))
