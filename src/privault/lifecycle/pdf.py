"""A destruction certificate as a one-document PDF (fpdf2, core fonts only)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fpdf import FPDF
from fpdf.enums import WrapMode

_MAX_IDS = 200


def _ascii(text: str) -> str:
    """Core PDF fonts are Latin-1: anything else is shown as '?'."""
    return text.encode("latin-1", "replace").decode("latin-1")


def render(certificate: Mapping[str, Any]) -> bytes:
    """Render a signed certificate: summary, rules, counts, event ids and signature."""
    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 10, "Certificate of data destruction", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for label in ("id", "tenant", "run_id", "started_at", "finished_at", "issued_at"):
        _line(pdf, f"{label}: {certificate.get(label, '')}")
    _section(pdf, "Counts")
    for name, value in dict(certificate.get("counts", {})).items():
        _line(pdf, f"{name}: {value}")
    _section(pdf, "Policies applied")
    for rule in certificate.get("policies", []):
        _line(pdf, json.dumps(rule, sort_keys=True))
    _section(pdf, "Records destroyed (ids)")
    ids = list(certificate.get("records", []))
    _line(
        pdf,
        ", ".join(ids[:_MAX_IDS])
        + (f" ... (+{len(ids) - _MAX_IDS})" if len(ids) > _MAX_IDS else ""),
    )
    _section(pdf, "Audit event ids")
    _line(pdf, ", ".join(certificate.get("audit_event_ids", [])))
    _section(pdf, "Signature")
    block = dict(certificate.get("signature", {}))
    for name in ("algorithm", "public_key", "value"):
        _line(pdf, f"{name}: {block.get(name, '')}")
    return bytes(pdf.output())


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)


def _line(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 5, _ascii(text), new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
