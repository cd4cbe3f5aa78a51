"""Machine formats of a scan: the JSON summary and SARIF 2.1.0 for CI pipelines.

Both carry names, types and scores only; never a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from privault.discovery._types import ColumnResult, DatasetResult, ScanIssue
from privault.discovery.diff import Change

__all__ = ["found_types", "to_json", "to_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"high": "error", "medium": "warning", "low": "note", "none": "note"}


def _column(col: ColumnResult) -> dict[str, Any]:
    return {
        "name": col.name,
        "type": col.pii_type,
        "confidence": col.confidence,
        "freeform_pii": list(col.freeform_pii),
        "match_ratio": col.match_ratio,
    }


def to_json(
    datasets: Sequence[DatasetResult],
    issues: Sequence[ScanIssue] = (),
    changes: Sequence[Change] = (),
    skipped: int = 0,
) -> dict[str, Any]:
    """The scan as ``{"tables": [{"table", "category", "columns": [...]}, ...], ...}``."""
    return {
        "tables": [
            {
                "table": d.name,
                "category": d.category,
                "sensitivity": d.sensitivity,
                "rows": d.row_count,
                "reasons": list(d.reasons),
                "columns": [_column(c) for c in d.columns],
            }
            for d in datasets
        ],
        "issues": [{"input": i.target, "reason": i.reason} for i in issues],
        "skipped": skipped,
        "changes": [
            {
                "kind": c.kind,
                "table": c.dataset,
                "column": c.column,
                "before": c.before,
                "after": c.after,
            }
            for c in changes
        ],
    }


def found_types(datasets: Iterable[DatasetResult]) -> frozenset[str]:
    """Every PII type found in ``datasets``."""
    return frozenset().union(*(d.pii_types for d in datasets))


def _location(dataset: DatasetResult, col: ColumnResult) -> dict[str, Any]:
    table = dataset.name.partition("::")[0]
    loc: dict[str, Any] = {
        "logicalLocations": [
            {
                "name": col.name,
                "fullyQualifiedName": f"{dataset.name}::{col.name}",
                "kind": "member",
            }
        ]
    }
    if "://" not in table:
        loc["physicalLocation"] = {"artifactLocation": {"uri": table}}
    return loc


def _results(datasets: Sequence[DatasetResult]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for d in datasets:
        for col in d.columns:
            for kind in sorted(col.pii_types):
                how = "values" if kind == col.pii_type else "free text"
                share = f" ({col.match_ratio:.0%} of examined values)" if how == "values" else ""
                out.append(
                    {
                        "ruleId": f"pii/{kind}",
                        "level": _LEVEL[d.sensitivity],
                        "message": {
                            "text": f"column '{col.name}' of {d.name} holds {kind} in its "
                            f"{how}{share}; dataset category {d.category}"
                        },
                        "locations": [_location(d, col)],
                        "properties": {"confidence": col.confidence, "category": d.category},
                    }
                )
    return out


def to_sarif(datasets: Sequence[DatasetResult], issues: Sequence[ScanIssue] = ()) -> dict[str, Any]:
    """The scan as a SARIF 2.1.0 log: one result per PII type per column."""
    results = _results(datasets)
    rules = sorted({r["ruleId"] for r in results})
    notes = [{"level": "warning", "message": {"text": f"{i.target}: {i.reason}"}} for i in issues]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "privault-scan",
                        "informationUri": "https://example.invalid/privault",
                        "rules": [
                            {"id": r, "shortDescription": {"text": f"{r[4:]} found"}} for r in rules
                        ],
                    }
                },
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
                "results": results,
            }
        ],
    }
