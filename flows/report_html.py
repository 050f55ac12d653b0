"""The compliance report as one self-contained HTML page: inline CSS and SVG, no scripts, nothing fetched.

It is written beside the feed so that an education lead can open it from a shared drive or an email attachment,
offline, and print it. Every chart has its figures in a table as well.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from flows.report_data import ComplianceFigure, ComplianceReport
from flows.report_svg import RAG_COLOURS, bar_chart, long_date, pct, trend_chart

STYLE = """
:root { --ink: #212b32; --muted: #4c6272; --pale: #f0f4f5; --blue: #005eb8; --line: #d8dde0; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--pale); color: var(--ink); font: 16px/1.45 Arial, Helvetica, sans-serif; }
header { background: var(--blue); color: #fff; padding: 24px 0 20px; }
.page { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
.eyebrow { margin: 0; font-size: 14px; letter-spacing: .06em; text-transform: uppercase; opacity: .85; }
h1 { margin: 4px 0 6px; font-size: 30px; }
header p.meta { margin: 0; font-size: 15px; opacity: .9; }
main.page { padding-top: 20px; padding-bottom: 12px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 18px 22px; margin: 0 0 20px; }
h2 { margin: 0 0 4px; font-size: 21px; }
p.note { margin: 0 0 12px; color: var(--muted); font-size: 14px; }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 14px; background: none; border: 0; padding: 0; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 14px 16px; }
.tile .label { color: var(--muted); font-size: 14px; }
.tile .value { font-size: 28px; font-weight: bold; margin-top: 2px; }
.tile.headline .value { font-size: 36px; }
.pill { display: inline-block; padding: 1px 10px; border-radius: 12px; font-size: 13px; font-weight: bold;
        vertical-align: middle; margin-right: 6px; }
.rag-green { background: #007f3b; color: #fff; } .rag-amber { background: #ffb81c; color: #212b32; }
.rag-red { background: #d5281b; color: #fff; }
.legend { display: flex; gap: 18px; flex-wrap: wrap; font-size: 13px; color: var(--muted); margin: 8px 0 0; }
.legend span::before { content: ""; display: inline-block; width: 12px; height: 12px; margin-right: 6px;
                       vertical-align: -1px; background: var(--swatch); }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin-top: 10px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: bold; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
details { margin-top: 10px; } summary { cursor: pointer; color: var(--blue); font-size: 14px; }
footer { color: var(--muted); font-size: 13px; padding-bottom: 28px; }
@media print { body { background: #fff; } header { background: #fff; color: var(--ink); }
               section { break-inside: avoid; } }
"""


def render_compliance_report(report: ComplianceReport, generated_at: datetime) -> str:
    """The whole page for one reporting date."""
    title = f"Compliance report: {report.trust_name}, {long_date(report.as_of)}"
    body = _figures_sections(report) if report.has_figures else _no_figures(report)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, '
        f'initial-scale=1"><title>{escape(title)}</title><style>{STYLE}</style></head><body>'
        '<header><div class="page"><p class="eyebrow">Learnscape compliance report</p>'
        f"<h1>{escape(report.trust_name)}</h1>"
        f'<p class="meta">Reporting date {escape(long_date(report.as_of))} · generated '
        f"{escape(generated_at.strftime('%d %b %Y %H:%M %Z').strip())}</p></div></header>"
        f'<main class="page">{body}</main>'
        '<footer class="page"><p>Compliance % = competences in date (compliant or expiring) ÷ competences required, '
        "for staff in scope on the reporting date. RAG: green at or above the target, amber from the amber floor up "
        f"to the target, red below the amber floor ({report.amber_floor_pct:g}%). Figures are read from "
        "marts.compliance_summary as built for each reporting date.</p></footer>"
        "</body></html>\n"
    )


def _no_figures(report: ComplianceReport) -> str:
    return (
        "<section><h2>No compliance figures for this date</h2>"
        f'<p class="note">marts.compliance_summary holds no rows for {escape(long_date(report.as_of))}. Build the '
        "marts for this reporting date (the nightly run or the build-warehouse deployment), then publish again.</p>"
        "</section>"
    )


def _figures_sections(report: ComplianceReport) -> str:
    return "".join(
        [
            _tiles(report.overall),
            _trend_section(report),
            _competence_section(report),
            _unit_section(report),
        ]
    )


def _tiles(overall: ComplianceFigure) -> str:
    """Headline tiles: label, figure and a note (notes are HTML: the first carries the RAG pill)."""
    tiles = [
        (
            "headline",
            "Trust compliance",
            pct(overall.compliance_pct),
            f"{_pill(overall.rag)}target {overall.target_pct:g}%",
        ),
        ("", "Required", f"{overall.required:,}", "competences of staff in scope"),
        ("", "In date", f"{overall.in_date:,}", f"of which {overall.expiring:,} expiring soon"),
        ("", "Expired", f"{overall.expired:,}", "renewal overdue"),
        ("", "Missing", f"{overall.missing:,}", "never achieved"),
    ]
    cells = "".join(
        f'<div class="tile {kind}"><div class="label">{escape(label)}</div><div class="value">{escape(value)}</div>'
        f'<div class="label">{note}</div></div>'
        for kind, label, value, note in tiles
    )
    return f'<section class="tiles" aria-label="Headline figures">{cells}</section>'


def _trend_section(report: ComplianceReport) -> str:
    points = report.trend
    dates = "one reporting date so far" if len(points) == 1 else f"{len(points)} reporting dates"
    rows = "".join(
        f"<tr><td>{escape(long_date(p.as_of))}</td><td class='num'>{p.required:,}</td><td class='num'>{p.in_date:,}"
        f"</td><td class='num'>{pct(p.compliance_pct)}</td><td>{_pill(p.rag)}</td></tr>"
        for p in reversed(points)
    )
    return (
        "<section><h2>Trust compliance over time</h2>"
        f'<p class="note">All competences together, {dates} up to {escape(long_date(report.as_of))}.</p>'
        f"{trend_chart(points, report.amber_floor_pct)}"
        "<details><summary>Figures by reporting date</summary><table><thead><tr><th>Reporting date</th>"
        "<th class='num'>Required</th><th class='num'>In date</th><th class='num'>Compliance</th><th>RAG</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></details></section>"
    )


def _competence_section(report: ComplianceReport) -> str:
    figures = report.competences
    return (
        "<section><h2>Compliance by competence</h2>"
        f'<p class="note">{len(figures)} competences required of staff on {escape(long_date(report.as_of))}, '
        "lowest compliance first. The dark mark on each bar is that competence's target.</p>"
        f"{bar_chart(figures, 'Compliance by competence')}{_legend(report)}"
        f"<details><summary>Figures by competence</summary>{_figure_table(figures, 'Competence')}</details>"
        "</section>"
    )


def _unit_section(report: ComplianceReport) -> str:
    units = report.worst_units
    return (
        "<section><h2>Organisations furthest below target</h2>"
        f'<p class="note">{_which_units(len(units), report.unit_count)}, lowest compliance across all competences '
        "first; ties go to the larger organisation first.</p>"
        f"{bar_chart(units, 'Organisations with the lowest compliance')}"
        f"{_figure_table(units, 'Organisation')}</section>"
    )


def _which_units(shown: int, total: int) -> str:
    return f"All {total} organisations" if shown == total else f"The {shown} of {total} organisations"


def _figure_table(figures: tuple[ComplianceFigure, ...], heading: str) -> str:
    rows = "".join(
        f"<tr><td>{escape(f.label)}</td><td class='num'>{f.required:,}</td><td class='num'>{f.in_date:,}</td>"
        f"<td class='num'>{f.expiring:,}</td><td class='num'>{f.expired:,}</td><td class='num'>{f.missing:,}</td>"
        f"<td class='num'>{pct(f.compliance_pct)}</td><td class='num'>{f.target_pct:g}%</td><td>{_pill(f.rag)}</td>"
        "</tr>"
        for f in figures
    )
    return (
        f"<table><thead><tr><th>{escape(heading)}</th><th class='num'>Required</th><th class='num'>In date</th>"
        "<th class='num'>Expiring</th><th class='num'>Expired</th><th class='num'>Missing</th>"
        "<th class='num'>Compliance</th><th class='num'>Target</th><th>RAG</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _legend(report: ComplianceReport) -> str:
    items = [
        (RAG_COLOURS["green"], "Green: at or above target"),
        (RAG_COLOURS["amber"], f"Amber: {report.amber_floor_pct:g}% up to target"),
        (RAG_COLOURS["red"], f"Red: below {report.amber_floor_pct:g}%"),
        ("#212b32", "Target"),
    ]
    spans = "".join(f'<span style="--swatch: {colour}">{escape(text)}</span>' for colour, text in items)
    return f'<p class="legend">{spans}</p>'


def _pill(rag: str) -> str:
    return f'<span class="pill rag-{escape(rag)}">{escape(rag.capitalize())}</span>'
