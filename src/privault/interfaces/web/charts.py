"""Server-rendered SVG charts (no script, no CDN; colours are SVG attributes, CSP-safe)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

PALETTE = ("#1f4e8c", "#2f9e72", "#d08a1e", "#8a5cc2", "#c2415b", "#4b9fd5", "#7d8a99")
SEVERITY_COLOURS = {"low": "#7d8a99", "medium": "#d08a1e", "high": "#c2415b", "critical": "#8b1020"}


def stacked_bars(
    rows: Sequence[tuple[str, Mapping[str, int]]],
    keys: Sequence[str],
    *,
    label: str,
    width: int = 640,
) -> Markup:
    """Horizontal stacked bars: one row per label, one segment per key, with a legend."""
    row_h, left, top_pad = 26, 150, 28
    height = top_pad + row_h * max(len(rows), 1) + 8
    top = max([sum(v.get(k, 0) for k in keys) for _n, v in rows] + [1])
    span = width - left - 40
    parts = [_open(width, height, label)]
    x = left
    for i, key in enumerate(keys):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text class="tick" x="{x + 14}" y="15">{escape(key)}</text>')
        x += 24 + 7 * len(key)
    for r, (name, values) in enumerate(rows):
        y = top_pad + r * row_h
        parts.append(f'<text class="tick" x="0" y="{y + 15}">{escape(name[:24])}</text>')
        x0 = float(left)
        for i, key in enumerate(keys):
            n = values.get(key, 0)
            if not n:
                continue
            w = span * n / top
            parts.append(
                f'<rect x="{x0:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(f"{name}: {n} {key}")}'
                "</title></rect>"
            )
            x0 += w
        total = sum(values.get(k, 0) for k in keys)
        parts.append(f'<text class="tick" x="{x0 + 6:.1f}" y="{y + 15}">{total}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and escaped labels


def hbars(
    items: Sequence[tuple[str, int]],
    *,
    label: str,
    colours: Mapping[str, str] | None = None,
    width: int = 560,
) -> Markup:
    """Horizontal bars, one per (label, count)."""
    row_h, left = 24, 170
    height = row_h * max(len(items), 1) + 6
    top = max([n for _k, n in items] + [1])
    span = width - left - 40
    parts = [_open(width, height, label)]
    for r, (name, n) in enumerate(items):
        y = r * row_h
        w = max(2.0, span * n / top) if n else 0.0
        colour = (colours or {}).get(name, PALETTE[0])
        parts.append(f'<text class="tick" x="0" y="{y + 15}">{escape(name[:28])}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{colour}">'
            f"<title>{escape(f'{name}: {n}')}</title></rect>"
        )
        parts.append(f'<text class="tick" x="{left + w + 6:.1f}" y="{y + 15}">{n}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built from numbers and escaped labels


def _open(width: int, height: int, label: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}">'
    )
