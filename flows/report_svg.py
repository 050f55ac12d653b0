"""Inline SVG charts for the compliance report: drawn as text, so the report needs no scripts and works offline.

Every mark carries a `<title>` with its exact figures (a tooltip in a browser, read out by screen readers), and
colours follow the RAG the build decided, never a colour worked out again here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from html import escape

from flows.report_data import ComplianceFigure, TrendPoint

RAG_COLOURS = {"green": "#007f3b", "amber": "#ffb81c", "red": "#d5281b"}
INK = "#212b32"
MUTED = "#4c6272"
GRID = "#d8dde0"
LINE = "#005eb8"
FONT = 'font-family="Arial, Helvetica, sans-serif"'


def pct(value: float) -> str:
    """A percentage as the report prints it: one decimal place."""
    return f"{value:.1f}%"


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def short_date(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def trend_chart(points: Sequence[TrendPoint], amber_floor_pct: float, width: int = 1000, height: int = 320) -> str:
    """Trust compliance on each reporting date as a line, with the target and amber floor as reference lines."""
    left, right, top, bottom = 56, 118, 18, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    target = points[-1].target_pct
    lowest = min([p.compliance_pct for p in points] + [amber_floor_pct, target])
    y_min = max(0.0, math.floor((lowest - 5) / 5) * 5)
    step = 5 if 100 - y_min <= 40 else 10

    def y(value: float) -> float:
        return top + plot_h * (100 - value) / (100 - y_min)

    first, last = points[0].as_of, points[-1].as_of
    span = (last - first).days

    def x(day: date) -> float:
        return left + (plot_w / 2 if span == 0 else plot_w * (day - first).days / span)

    parts = [_svg_open(width, height, f"Trust compliance by reporting date, {len(points)} dates")]
    for value in range(int(y_min), 101, step):
        parts.append(_line(left, y(value), left + plot_w, y(value), GRID))
        parts.append(_text(left - 8, y(value) + 4, f"{value}%", anchor="end", fill=MUTED, size=12))
    for index in _tick_indexes(len(points), 6):
        day = points[index].as_of
        parts.append(_text(x(day), top + plot_h + 22, short_date(day), anchor="middle", fill=MUTED, size=12))
    for value, label, dash in ((target, "Target", "6 4"), (amber_floor_pct, "Amber floor", "2 4")):
        parts.append(_line(left, y(value), left + plot_w, y(value), INK, dash=dash, width=1.5))
        parts.append(_text(left + plot_w + 6, y(value) + 4, f"{label} {value:g}%", fill=INK, size=12))
    if len(points) > 1:
        path = " ".join(f"{x(p.as_of):.1f},{y(p.compliance_pct):.1f}" for p in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
    radius = 4.5 if len(points) <= 60 else 2.5
    for point in points:
        tip = f"{long_date(point.as_of)}: {pct(point.compliance_pct)} ({point.in_date:,} of {point.required:,} in date)"
        parts.append(
            f'<circle cx="{x(point.as_of):.1f}" cy="{y(point.compliance_pct):.1f}" r="{radius}" '
            f'fill="{RAG_COLOURS.get(point.rag, MUTED)}" stroke="#fff" stroke-width="1.5"><title>{escape(tip)}</title>'
            "</circle>"
        )
    final = points[-1]
    parts.append(
        _text(x(final.as_of), y(final.compliance_pct) - 12, pct(final.compliance_pct), anchor="middle", weight="bold")
    )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    figures: Sequence[ComplianceFigure],
    title: str,
    width: int = 1000,
    label_width: int = 440,
    row_height: int = 28,
) -> str:
    """One horizontal bar per figure on a 0–100% scale, coloured by RAG, with a mark at each one's target."""
    value_width, top, bottom = 150, 26, 8
    plot_w = width - label_width - value_width
    height = top + row_height * len(figures) + bottom

    def x(value: float) -> float:
        return label_width + plot_w * max(0.0, min(value, 100.0)) / 100

    parts = [_svg_open(width, height, title)]
    for value in (0, 25, 50, 75, 100):
        parts.append(_line(x(value), top - 6, x(value), height - bottom, GRID))
        parts.append(_text(x(value), top - 10, f"{value}%", anchor="middle", fill=MUTED, size=12))
    for index, figure in enumerate(figures):
        row_top = top + index * row_height
        middle = row_top + row_height / 2
        bar_top, bar_height = row_top + 5, row_height - 10
        tip = (
            f"{figure.label}: {pct(figure.compliance_pct)} in date ({figure.in_date:,} of {figure.required:,}); "
            f"target {figure.target_pct:g}%; {figure.expired:,} expired, {figure.missing:,} missing"
        )
        parts.append(f"<g><title>{escape(tip)}</title>")
        parts.append(_text(label_width - 10, middle + 4, _shorten(figure.label, 62), anchor="end", size=13))
        parts.append(
            f'<rect x="{label_width}" y="{bar_top:.1f}" width="{x(figure.compliance_pct) - label_width:.1f}" '
            f'height="{bar_height}" fill="{RAG_COLOURS.get(figure.rag, MUTED)}" rx="2"/>'
        )
        target_x = x(figure.target_pct)
        parts.append(_line(target_x, row_top + 2, target_x, row_top + row_height - 2, INK, width=2.5))
        parts.append(_text(x(100) + 10, middle + 4, pct(figure.compliance_pct), weight="bold", size=13))
        parts.append(_text(x(100) + 62, middle + 4, f"of {figure.required:,}", fill=MUTED, size=12))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" {FONT}>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, dash: str | None = None, width: float = 1) -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
        f'stroke-width="{width}"{dashes}/>'
    )


def _text(
    x: float, y: float, content: str, anchor: str = "start", fill: str = INK, size: int = 13, weight: str = "normal"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" font-size="{size}" '
        f'font-weight="{weight}">{escape(content)}</text>'
    )


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _tick_indexes(count: int, most: int) -> list[int]:
    """Up to `most` evenly spread indexes from 0 to count-1, always including both ends."""
    if count <= most:
        return list(range(count))
    return sorted({round(i * (count - 1) / (most - 1)) for i in range(most)})
