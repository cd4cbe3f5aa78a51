"""PII detection in free text as a use case: authorized and audited (never the text)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from privault.app.auditing import Auditor
from privault.app.authz import Authorizer
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput
from privault.detect import Finding, analyze

MAX_TEXT = 1_000_000


class DetectionService:
    """Run the detection library for a principal that may scan (``scan.run``)."""

    def __init__(self, auditor: Auditor, authz: Authorizer) -> None:
        self._audit = auditor
        self._authz = authz

    def detect(
        self, ctx: RequestContext, text: str, entities: Iterable[str] | None = None
    ) -> list[Finding]:
        """Findings (type, offsets, score) in ``text``; the event holds counts only.

        Raises:
            InvalidInput: text too long, or an unknown entity type.
            AccessDenied: the principal may not scan.
        """
        decision = self._authz.check(ctx, "scan.run", None, "detect")
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"text longer than {MAX_TEXT} characters")
        findings = analyze(text, list(entities) if entities else None, rules_only=True)
        counts = Counter(f.type for f in findings)
        self._audit.write_now(
            [
                self._audit.event(
                    ctx,
                    "detect.text",
                    "detect",
                    tenant_id=None,
                    decision=decision,
                    chars=len(text),
                    findings=dict(counts),
                )
            ]
        )
        return findings
