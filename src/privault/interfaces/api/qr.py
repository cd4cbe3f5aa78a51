"""QR codes as inline SVG (segno), for TOTP enrolment."""

from __future__ import annotations

import io

import segno


def qr_svg(text: str) -> str:
    """An SVG element (no XML declaration, no inline style) encoding ``text``."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer,
        kind="svg",
        scale=5,
        border=2,
        xmldecl=False,
        svgns=True,
        svgclass="qr",
        lineclass=None,
        omitsize=False,
    )
    return buffer.getvalue().decode()
