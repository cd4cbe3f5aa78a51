"""Masked copies as background jobs: start (202) with a validated policy, list, status.

Source and destination are paths under the configured data root; the
policy (YAML or JSON text, or an object) is validated before the job is
queued, so a bad one answers 422 with the reason.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import Field

from privault.app.job_service import MaskRequest
from privault.interfaces.api.deps import Ctx, Svc, Tenant
from privault.interfaces.api.models import Body, Page
from privault.interfaces.api.routers._jobs import JobId, JobOut, job_out, job_page
from privault.interfaces.api.routers._paging import After, Limit

router = APIRouter(tags=["masking"])

FilePath = Annotated[str, Field(min_length=1, max_length=1000)]


class MaskIn(Body):
    """A masked copy: source and destination relative to the data root, and the policy."""

    source: FilePath
    dest: FilePath
    policy: str | dict[str, Any] = Field(
        description="the de-identification policy: YAML or JSON text, or an object"
    )
    project: str | None = Field(
        default=None,
        min_length=1,
        max_length=63,
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="masking project whose managed key keyed operators use",
    )
    overwrite: bool = False


@router.post("/tenants/{tenant}/masking-jobs", response_model=JobOut, status_code=202)
def start_masking(tenant: Tenant, body: MaskIn, ctx: Ctx, svc: Svc, response: Response) -> JobOut:
    """Start a masked copy; poll the job, whose summary is the masking report."""
    req = MaskRequest(body.source, body.dest, body.policy, body.project, body.overwrite)
    row = svc.platform.jobs.start_mask(ctx, tenant, req)
    response.headers["Location"] = f"/api/v1/tenants/{tenant}/masking-jobs/{row.id}"
    return job_out(row, tenant)


@router.get("/tenants/{tenant}/masking-jobs", response_model=Page[JobOut])
def list_masking(
    request: Request, tenant: Tenant, ctx: Ctx, svc: Svc, after: After = None, limit: Limit = 50
) -> Page[JobOut]:
    """The tenant's masking jobs, newest first."""
    return job_page(request, ctx, svc, tenant, "mask", after, limit)


@router.get("/tenants/{tenant}/masking-jobs/{job_id}", response_model=JobOut)
def get_masking(tenant: Tenant, job_id: JobId, ctx: Ctx, svc: Svc) -> JobOut:
    """A masking job: status, progress, and its report (columns, rules, counts, risk)."""
    return job_out(svc.platform.jobs.job(ctx, tenant, "mask", job_id), tenant)
