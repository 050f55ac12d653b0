"""What a run leaves for people to read: Prefect artifacts in the UI, and the HTML compliance report beside the feed.

Two artifacts per run, each under a fixed key so the Prefect UI shows its history run by run:
`compliance-summary`, a table of trust compliance by competence; and `run-report`, a markdown account of the
batches loaded and refused, the rows quarantined and the disagreements with ESR's own status. Both read the
warehouse, never write it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

from sqlalchemy import Engine

from flows.events import prefect_api_available
from flows.outcomes import LoadOutcome
from flows.report_data import (
    ComplianceReport,
    ReconciliationCount,
    RejectionCount,
    read_compliance_report,
    read_reconciliation,
    read_rejections,
)
from flows.report_html import render_compliance_report
from flows.report_svg import pct

REPORT_FILE_NAME = "compliance_report.html"
COMPLIANCE_ARTIFACT_KEY = "compliance-summary"
RUN_REPORT_ARTIFACT_KEY = "run-report"
MOST_REJECTION_LINES = 25


@dataclass(frozen=True)
class RunArtifacts:
    """The ids Prefect gave the run's artifacts (None when there was no Prefect API to send them to)."""

    compliance_summary: UUID | None
    run_report: UUID | None


def write_compliance_report(
    engine: Engine,
    as_of: date,
    out_dir: Path,
    trust_name: str = "NHS trust",
    amber_floor_pct: float = 80.0,
) -> Path:
    """Write `compliance_report.html` for `as_of` into `out_dir` (replacing any earlier one in one rename)."""
    with engine.connect() as connection:
        report = read_compliance_report(connection, as_of, trust_name, amber_floor_pct)
    page = render_compliance_report(report, datetime.now(UTC))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / REPORT_FILE_NAME
    partial = out_dir / f".{REPORT_FILE_NAME}.partial"
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, target)
    return target


def compliance_table(report: ComplianceReport) -> list[dict[str, object]]:
    """The `compliance-summary` artifact's rows: the trust overall, then each competence, lowest first."""
    figures = ([report.overall] if report.overall else []) + list(report.competences)
    return [
        {
            "competence": figure.label,
            "required": figure.required,
            "in date": figure.in_date,
            "expiring": figure.expiring,
            "expired": figure.expired,
            "missing": figure.missing,
            "compliance %": round(figure.compliance_pct, 1),
            "target %": figure.target_pct,
            "RAG": figure.rag,
        }
        for figure in figures
    ]


def run_report_markdown(
    as_of: date,
    loads: Sequence[LoadOutcome],
    rejections: Sequence[RejectionCount],
    reconciliation: Sequence[ReconciliationCount],
    overall_pct: float | None = None,
) -> str:
    """The `run-report` artifact: batches, quarantined rows and reconciliation counts, in that order."""
    lines = [f"# Learnscape run for {as_of.isoformat()}", ""]
    if overall_pct is not None:
        lines += [f"Trust compliance on {as_of.isoformat()}: **{pct(overall_pct)}**.", ""]
    counts = {
        status: sum(1 for load in loads if load.status == status) for status in ("loaded", "duplicate", "refused")
    }
    lines += [
        "## Batches",
        "",
        f"{counts['loaded']} loaded, {counts['duplicate']} already loaded before, {counts['refused']} refused.",
        "",
    ]
    if loads:
        lines += [
            "| File | Source | Status | Rows in | Accepted | Rejected | Changes |",
            "|---|---|---|--:|--:|--:|--:|",
        ]
        lines += [
            f"| {_cell(load.source_file)} | {load.source} | {load.status} | {load.rows_in:,} | {load.rows_accepted:,} "
            f"| {load.rows_rejected:,} | {load.rows_applied:,} |"
            for load in loads
        ]
        lines.append("")
    refused = [load for load in loads if load.refused]
    if refused:
        lines += ["### Refused", ""]
        lines += [f"- **{_cell(load.source_file)}**: {_cell(load.message or 'no reason recorded')}" for load in refused]
        lines.append("")
    lines += ["## Rows sent to quarantine", ""]
    if rejections:
        total = sum(r.rows for r in rejections)
        lines += [f"{total:,} rows, by file, field and reason.", ""]
        lines += ["| File | Field | Reason | Rows |", "|---|---|---|--:|"]
        lines += [
            f"| {_cell(r.source_file)} | {_cell(r.field)} | {_cell(r.reason)} | {r.rows:,} |"
            for r in rejections[:MOST_REJECTION_LINES]
        ]
        if len(rejections) > MOST_REJECTION_LINES:
            lines.append(f"\n{len(rejections) - MOST_REJECTION_LINES} further lines are in `quarantine.rejected_row`.")
    else:
        lines.append("None: every row of the batches in this run passed validation.")
    lines += ["", "## Reconciliation with ESR's own compliance status", ""]
    if reconciliation:
        total = sum(r.rows for r in reconciliation)
        lines += [f"{total:,} person-competences where ESR's status disagrees with Learnscape's.", ""]
        lines += ["| ESR status | Learnscape status | Why | Count |", "|---|---|---|--:|"]
        lines += [
            f"| {r.esr_status} | {r.learnscape_status} | {_cell(r.explanation)} | {r.rows:,} |" for r in reconciliation
        ]
    else:
        lines.append("ESR's own status agrees with Learnscape's for every person-competence.")
    return "\n".join(lines) + "\n"


def create_compliance_artifact(
    engine: Engine, as_of: date, trust_name: str = "NHS trust", amber_floor_pct: float = 80.0
) -> UUID | None:
    """The `compliance-summary` table artifact for `as_of`; None (nothing sent) when no Prefect API is available."""
    if not prefect_api_available():
        return None
    from prefect.artifacts import create_table_artifact

    with engine.connect() as connection:
        report = read_compliance_report(connection, as_of, trust_name, amber_floor_pct)
    return create_table_artifact(
        compliance_table(report),
        key=COMPLIANCE_ARTIFACT_KEY,
        description=f"Trust compliance by competence on {as_of.isoformat()}, lowest first.",
    )


def create_run_report_artifact(
    engine: Engine, as_of: date, loads: Sequence[LoadOutcome], trust_name: str = "NHS trust"
) -> UUID | None:
    """The `run-report` markdown artifact for a run that loaded `loads` and built `as_of`; None without an API."""
    if not prefect_api_available():
        return None
    from prefect.artifacts import create_markdown_artifact

    with engine.connect() as connection:
        report = read_compliance_report(connection, as_of, trust_name)
        rejections = read_rejections(connection, [load.load_id for load in loads if load.load_id is not None])
        reconciliation = read_reconciliation(connection, as_of)
    overall = report.overall.compliance_pct if report.overall else None
    return create_markdown_artifact(
        run_report_markdown(as_of, loads, rejections, reconciliation, overall),
        key=RUN_REPORT_ARTIFACT_KEY,
        description=f"Batches, quarantine and reconciliation for the run of {as_of.isoformat()}.",
    )


def publish_run_artifacts(
    engine: Engine,
    as_of: date,
    loads: Sequence[LoadOutcome] = (),
    trust_name: str = "NHS trust",
    amber_floor_pct: float = 80.0,
) -> RunArtifacts:
    """Both artifacts of a run that loaded, built and published (the nightly run)."""
    return RunArtifacts(
        compliance_summary=create_compliance_artifact(engine, as_of, trust_name, amber_floor_pct),
        run_report=create_run_report_artifact(engine, as_of, loads, trust_name),
    )


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
