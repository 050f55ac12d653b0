"""What the compliance report and run artifacts show, read from the warehouse (read-only) into frozen records.

Figures come from `marts.compliance_summary` exactly as the build wrote them; the report draws them and never
recounts people. Where the trust dimension holds more than one VPD the groups are added up (in date and required)
and the percentage and RAG are worked out again with the build's own rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Connection, func, select

from connectors.esr.competency_names import parse_competency_name
from transforms.compliance.summary import ALL_COMPETENCES, rag
from warehouse.models import compliance_reconciliation, compliance_summary, rejected_row

TRUST_DIMENSION = "trust"
UNIT_DIMENSION = "organisation"


@dataclass(frozen=True)
class ComplianceFigure:
    """Compliance of one group or competence on the reporting date: counts, % in date, target and RAG."""

    key: str
    label: str
    required: int
    in_date: int
    expiring: int
    expired: int
    missing: int
    compliance_pct: float
    target_pct: float
    rag: str


@dataclass(frozen=True)
class TrendPoint:
    """The whole trust's compliance (all competences) on one reporting date the marts hold."""

    as_of: date
    required: int
    in_date: int
    compliance_pct: float
    target_pct: float
    rag: str


@dataclass(frozen=True)
class ComplianceReport:
    """Everything the HTML report shows for one reporting date."""

    as_of: date
    trust_name: str
    amber_floor_pct: float
    overall: ComplianceFigure | None
    trend: tuple[TrendPoint, ...]
    competences: tuple[ComplianceFigure, ...]
    worst_units: tuple[ComplianceFigure, ...]
    unit_count: int

    @property
    def has_figures(self) -> bool:
        return self.overall is not None


@dataclass(frozen=True)
class RejectionCount:
    """Rows sent to quarantine from one file for one field and reason."""

    source_file: str
    field: str
    reason: str
    rows: int


@dataclass(frozen=True)
class ReconciliationCount:
    """Person-competences where ESR's own status disagrees with Learnscape's, by pair of statuses and reason."""

    esr_status: str
    learnscape_status: str
    explanation: str
    rows: int


def competence_label(competency_name: str) -> str:
    """A competence as people say it: `Resuscitation – Level 2 - Adult Basic Life Support (CSTF)`.

    Names that are not in ESR's `SCOPE|FRAMEWORK|Title - Period|` form are shown as they are.
    """
    try:
        parsed = parse_competency_name(competency_name)
    except ValueError:
        return competency_name
    title = parsed.subject if parsed.level is None else f"{parsed.subject} – {parsed.level}"
    return f"{title} ({parsed.framework})"


def read_compliance_report(
    connection: Connection,
    as_of: date,
    trust_name: str,
    amber_floor_pct: float = 80.0,
    worst_unit_count: int = 10,
) -> ComplianceReport:
    """The report's figures for `as_of`: trend over every earlier reporting date, competences, worst units."""
    trust = _summary_frame(connection, TRUST_DIMENSION, as_of=as_of)
    by_competence = _added_up(trust, "competency_name", amber_floor_pct)
    overall_rows = by_competence[by_competence["competency_name"] == ALL_COMPETENCES]
    competences = by_competence[by_competence["competency_name"] != ALL_COMPETENCES].sort_values(
        ["compliance_pct", "competency_name"]
    )
    units = _summary_frame(connection, UNIT_DIMENSION, as_of=as_of, competency=ALL_COMPETENCES).sort_values(
        ["compliance_pct", "required", "group_value"], ascending=[True, False, True]
    )
    history = _summary_frame(connection, TRUST_DIMENSION, competency=ALL_COMPETENCES, up_to=as_of)
    trend = _added_up(history, "as_of_date", amber_floor_pct).sort_values("as_of_date")
    return ComplianceReport(
        as_of=as_of,
        trust_name=trust_name,
        amber_floor_pct=amber_floor_pct,
        overall=next(iter(_figures(overall_rows, "competency_name", lambda _: "All competences")), None),
        trend=tuple(
            TrendPoint(
                row.as_of_date,
                int(row.required),
                int(row.in_date),
                float(row.compliance_pct),
                float(row.target_pct),
                str(row.rag),
            )
            for row in trend.itertuples()
        ),
        competences=tuple(_figures(competences, "competency_name", competence_label)),
        worst_units=tuple(_figures(units.head(worst_unit_count), "group_value", str)),
        unit_count=len(units),
    )


def read_rejections(connection: Connection, load_ids: Iterable[int]) -> tuple[RejectionCount, ...]:
    """Quarantined rows of the given loads, counted by file, field and reason, most rows first."""
    ids = sorted(set(load_ids))
    if not ids:
        return ()
    rows = func.count().label("rows")
    result = connection.execute(
        select(rejected_row.c.source_file, rejected_row.c.field, rejected_row.c.reason, rows)
        .where(rejected_row.c.load_id.in_(ids))
        .group_by(rejected_row.c.source_file, rejected_row.c.field, rejected_row.c.reason)
        .order_by(rows.desc(), rejected_row.c.source_file, rejected_row.c.field, rejected_row.c.reason)
    )
    return tuple(RejectionCount(r.source_file, r.field or "(whole row)", r.reason, r.rows) for r in result)


def read_reconciliation(connection: Connection, as_of: date) -> tuple[ReconciliationCount, ...]:
    """Disagreements with ESR's own compliance status on `as_of`, counted by statuses and explanation."""
    table = compliance_reconciliation
    rows = func.count().label("rows")
    result = connection.execute(
        select(table.c.esr_compliance_status, table.c.learnscape_status, table.c.explanation, rows)
        .where(table.c.as_of_date == as_of)
        .group_by(table.c.esr_compliance_status, table.c.learnscape_status, table.c.explanation)
        .order_by(rows.desc(), table.c.esr_compliance_status, table.c.learnscape_status, table.c.explanation)
    )
    return tuple(
        ReconciliationCount(r.esr_compliance_status, r.learnscape_status, r.explanation, r.rows) for r in result
    )


_COUNTS = ["required", "in_date", "expiring", "expired", "missing"]


def _summary_frame(
    connection: Connection,
    dimension: str,
    as_of: date | None = None,
    competency: str | None = None,
    up_to: date | None = None,
) -> pd.DataFrame:
    table = compliance_summary
    query = select(
        table.c.as_of_date,
        table.c.group_value,
        table.c.competency_name,
        *(table.c[name] for name in _COUNTS),
        table.c.compliance_pct,
        table.c.target_pct,
        table.c.rag,
    ).where(table.c.dimension == dimension)
    if as_of is not None:
        query = query.where(table.c.as_of_date == as_of)
    if up_to is not None:
        query = query.where(table.c.as_of_date <= up_to)
    if competency is not None:
        query = query.where(table.c.competency_name == competency)
    result = connection.execute(query)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    if not frame.empty:
        frame["as_of_date"] = pd.to_datetime(frame["as_of_date"]).dt.date
    return frame


def _added_up(frame: pd.DataFrame, key: str, amber_floor_pct: float) -> pd.DataFrame:
    """One row per `key`, counts summed over the groups of the dimension, % and RAG worked out from the sums."""
    if frame.empty:
        return frame
    summed = frame.groupby(key, sort=True).agg({**{n: "sum" for n in _COUNTS}, "target_pct": "max"}).reset_index()
    summed["compliance_pct"] = 100.0 * summed["in_date"] / summed["required"].where(summed["required"] > 0)
    summed["compliance_pct"] = summed["compliance_pct"].fillna(0.0)
    summed["rag"] = rag(summed["compliance_pct"], summed["target_pct"], amber_floor_pct)
    return summed


def _figures(frame: pd.DataFrame, key: str, label) -> list[ComplianceFigure]:
    return [
        ComplianceFigure(
            key=str(getattr(row, key)),
            label=label(str(getattr(row, key))),
            required=int(row.required),
            in_date=int(row.in_date),
            expiring=int(row.expiring),
            expired=int(row.expired),
            missing=int(row.missing),
            compliance_pct=float(row.compliance_pct),
            target_pct=float(row.target_pct),
            rag=str(row.rag),
        )
        for row in frame.itertuples()
    ]
