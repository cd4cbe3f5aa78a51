"""Compliance: run the control checks per framework, read the trend, download the report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from privault.app.compliance import ComplianceService
from privault.app.compliance_report import report_file
from privault.compliance.catalogue import FRAMEWORK_NAMES, FRAMEWORKS
from privault.compliance.scoring import Assessment
from privault.interfaces.api.deps import Ctx, Services, Svc
from privault.interfaces.api.lanes import slow

router = APIRouter(tags=["compliance"])

Framework = Literal["gdpr", "ccpa", "hipaa", "pci-dss"]
TenantQ = Annotated[str | None, Query(max_length=63, description="one client (default: all)")]


class FrameworkOut(BaseModel):
    """A framework the controls map to."""

    id: str
    name: str


class ControlOut(BaseModel):
    """One control and its check's result."""

    id: str
    title: str
    severity: str
    status: str
    explanation: str
    requirements: dict[str, list[str]]


class AssessmentOut(BaseModel):
    """A run of the checks: score (0-100), level, and each control's result."""

    framework: str | None
    tenant: str | None
    at: datetime
    score: int
    level: str
    counts: dict[str, int]
    failing: list[str]
    explanations: list[str]
    audit_ref: str | None
    controls: list[ControlOut]


class TrendOut(BaseModel):
    """An earlier run's score."""

    at: datetime
    score: int
    failing: list[str]
    audit_ref: str


def assessment_out(a: Assessment) -> AssessmentOut:
    """The API form of an assessment."""
    return AssessmentOut(
        framework=a.framework,
        tenant=a.tenant,
        at=a.at,
        score=a.score,
        level=a.level,
        counts=a.counts(),
        failing=a.failing,
        explanations=list(a.explanations),
        audit_ref=a.audit_ref,
        controls=[
            ControlOut(
                id=r.control.id,
                title=r.control.title,
                severity=r.control.severity,
                status=r.result.status,
                explanation=r.result.explanation,
                requirements={k: list(v) for k, v in r.control.requirements.items()},
            )
            for r in a.rows
        ],
    )


def _scope(svc: Services, ctx: Ctx, tenant: str | None) -> str | None:
    """The tenant slug, if the caller may see it (else 404)."""
    return svc.overview.tenant(ctx, tenant).slug if tenant else None


@router.get("/compliance/frameworks", response_model=list[FrameworkOut])
def frameworks(ctx: Ctx) -> list[FrameworkOut]:
    """The frameworks checks can be run for."""
    return [FrameworkOut(id=f, name=FRAMEWORK_NAMES[f]) for f in FRAMEWORKS]


@router.post("/compliance/runs", response_model=AssessmentOut)
@slow
def run_checks(
    ctx: Ctx, svc: Svc, framework: Framework | None = None, tenant: TenantQ = None
) -> AssessmentOut:
    """Run the checks on the live system (audited with the score) and return the results."""
    slug = _scope(svc, ctx, tenant)
    return assessment_out(ComplianceService(svc.platform).check(ctx, framework, slug))


@router.get("/compliance/trend", response_model=list[TrendOut])
def trend(
    ctx: Ctx,
    svc: Svc,
    framework: Framework | None = None,
    tenant: TenantQ = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[TrendOut]:
    """Earlier runs' scores for this framework and scope, oldest first."""
    slug = _scope(svc, ctx, tenant)
    points = ComplianceService(svc.platform).trend(ctx, framework, slug, limit)
    return [
        TrendOut(at=p.at, score=p.score, failing=list(p.failing), audit_ref=p.audit_ref)
        for p in points
    ]


@router.get(
    "/compliance/report",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
@slow
def report(
    ctx: Ctx,
    svc: Svc,
    format: Literal["html", "pdf"] = "html",
    framework: Framework | None = None,
    tenant: TenantQ = None,
) -> Response:
    """Run the checks and download the evidence report (HTML or PDF) with the trend."""
    slug = _scope(svc, ctx, tenant)
    f = report_file(ComplianceService(svc.platform), ctx, framework, slug, format)
    disposition = {"Content-Disposition": f'attachment; filename="{f.filename}"'}
    return Response(f.content, media_type=f.media_type, headers=disposition)
