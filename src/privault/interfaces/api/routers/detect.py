"""PII detection in free text."""

from __future__ import annotations

from fastapi import APIRouter

from privault.interfaces.api.deps import Ctx, Svc
from privault.interfaces.api.lanes import slow
from privault.interfaces.api.models import DetectIn, FindingOut

router = APIRouter(tags=["detect"])


@router.post("/detect", response_model=list[FindingOut])
@slow
def detect(body: DetectIn, ctx: Ctx, svc: Svc) -> list[FindingOut]:
    """Findings in the text: type, offsets, score (the text is not stored or echoed)."""
    found = svc.detection.detect(ctx, body.text, body.entities)
    return [
        FindingOut(type=f.type, start=f.start, end=f.end, score=f.score, recognizer=f.recognizer)
        for f in found
    ]
