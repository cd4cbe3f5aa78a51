"""``--from-scan``: draft a masking policy for a database from discovery's findings.

Where the findings come from (``SCAN``):

* nothing: scan SOURCE now (a sample, audited as ``scan.run``, nothing stored);
* a JSON file: the output of ``privault scan SOURCE --format json``;
* a tenant slug: the tenant's data map, as ``privault scan SOURCE --tenant T``
  stored it (the latest classification of every table of SOURCE).

Tables are matched by ``URL::SCHEMA.TABLE`` with the URL shown without its
password, as discovery names them; only the default schema is copied
(``main`` on SQLite, usually ``public`` on PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect

from privault.app.discovery import ScanService
from privault.app.masking_sql import open_source
from privault.app.masking_sqlschema import reflect_source
from privault.core.context import RequestContext
from privault.core.errors import InvalidInput, NotFound
from privault.deid import Policy
from privault.deid.sql_draft import ColumnFinding, draft_policy, draft_yaml
from privault.discovery.sql import safe_url

__all__ = ["FRESH_SCAN", "DraftedPolicy", "PolicyDrafter"]

FRESH_SCAN = "now"
"""The SCAN value that scans SOURCE now instead of reading stored findings."""

Findings = dict[str, dict[str, ColumnFinding]]


@dataclass(frozen=True, slots=True)
class DraftedPolicy:
    """A drafted policy: the YAML to review and the validated policy."""

    yaml: str
    policy: Policy
    tables: int
    pii_columns: int


def _by_table(prefix: str, rows: Iterable[tuple[str, str, str | None, Iterable[str]]]) -> Findings:
    found: Findings = {}
    for dataset, column, pii, free in rows:
        if not dataset.startswith(prefix):
            continue
        table = dataset[len(prefix) :]
        found.setdefault(table, {})[column] = ColumnFinding(pii, tuple(free))
    return found


class PolicyDrafter:
    """Drafts policies from scans (fresh, a JSON report, or a tenant's data map).

    Args:
        scans: the discovery service (its authorization and audit apply).

    """

    def __init__(self, scans: ScanService) -> None:
        self._scans = scans

    def draft(self, ctx: RequestContext, source: str, scan: str = FRESH_SCAN) -> DraftedPolicy:
        """Draft a policy for the database ``source`` from ``scan``.

        Raises:
            NotFound: the scan has no table of ``source``, or an unknown tenant.
            InvalidInput: an unreadable JSON report, a bad URL.
            AccessDenied: the principal may not run or read scans.

        """
        shown = safe_url(source)
        engine = open_source(source)
        try:
            _, shapes = reflect_source(engine)
            schema = (
                "main" if engine.dialect.name == "sqlite" else inspect(engine).default_schema_name
            )
        finally:
            engine.dispose()
        prefix = f"{shown}::{schema}."
        if scan == FRESH_SCAN:
            report = self._scans.scan(ctx, [source])
            rows = [
                (d.name, c.name, c.pii_type, c.freeform_pii)
                for d in report.datasets
                for c in d.columns
            ]
        elif scan.endswith(".json") or Path(scan).is_file():
            rows = _report_rows(Path(scan))
        else:
            mapped = self._scans.data_map(ctx, scan)
            rows = [(d.name, c.name, c.pii_type, c.freeform_pii) for d in mapped for c in d.columns]
        findings = _by_table(prefix, rows)
        if not findings:
            raise NotFound(
                f"the scan has no table of {shown}; scan it first "
                f"(privault scan {shown} --tenant TENANT) or use --from-scan alone"
            )
        text, policy = draft_yaml(draft_policy(findings, shapes), shown)
        pii = sum(
            f.pii_type is not None or bool(f.freeform)
            for t in findings.values()
            for f in t.values()
        )
        return DraftedPolicy(text, policy, len(findings), pii)


def _report_rows(path: Path) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
    try:
        doc: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NotFound(f"{path.name}: cannot read the scan report ({exc.strerror})") from None
    except json.JSONDecodeError:
        raise InvalidInput(f"{path.name}: not a JSON scan report") from None
    try:
        return [
            (
                str(t["table"]),
                str(c["name"]),
                c.get("type"),
                tuple(str(x) for x in c.get("freeform_pii", [])),
            )
            for t in doc["tables"]
            for c in t["columns"]
        ]
    except (KeyError, TypeError, AttributeError):
        raise InvalidInput(
            f"{path.name}: not a scan report of privault scan --format json"
        ) from None
