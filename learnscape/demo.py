"""`make demo`: a sample trust generated, its source systems stood up locally, the whole pipeline run on the
embedded SQLite warehouse, and what it produced shown."""

from __future__ import annotations

import os
import shutil
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, select

from learnscape.config import LearnscapeConfig, dump_config

#: Credentials the local stand-ins accept: demo values, passed to the pipeline through the environment only.
DEMO_SECRETS = {
    "LEARNSCAPE_TOTARA_CLIENT_ID": "learnscape-demo",
    "LEARNSCAPE_TOTARA_CLIENT_SECRET": "demo-totara-secret",
    "LEARNSCAPE_STUDENT_API_KEY": "demo-student-api-key",
}
PROGRAMME_ROLES = {
    "APPARA": "Paramedic",
    "BSCPARA": "Paramedic",
    "ECA": "Emergency Care Assistant",
    "EMD": "Emergency Medical Dispatcher",
}
RAG_COLOURS = {"green": "green", "amber": "yellow", "red": "red"}


def _demo_config(workdir: Path, totara_url: str, students_url: str) -> LearnscapeConfig:
    return LearnscapeConfig(
        base_dir=str(workdir),
        paths={"landing": "sample-trust/landing", "outbox": "outbox", "reports": "reports", "state": ".learnscape"},
        warehouse={"url": "sqlite:///learnscape.db"},
        sources={
            "totara": {"enabled": True, "base_url": totara_url},
            "student_system": {"enabled": True, "base_url": students_url, "programme_roles": PROGRAMME_ROLES},
        },
    )


def _reset(workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    for leftover in ("learnscape.db", "learnscape.db-wal", "learnscape.db-shm"):
        (workdir / leftover).unlink(missing_ok=True)
    for folder in ("sample-trust", "outbox", "reports"):
        shutil.rmtree(workdir / folder, ignore_errors=True)


def _final_staff(landing: Path) -> pd.DataFrame:
    """The sample trust's current staff, read back with the ESR connector (for the students and surveys)."""
    from connectors.esr.files import discover_esr_files
    from connectors.esr.headings import load_heading_map
    from connectors.esr.reader import read_esr_file

    final = [f for f in discover_esr_files(landing) if f.kind == "staff_in_post" and f.mode == "full"][-1]
    return pd.concat([chunk.records for chunk in read_esr_file(final, load_heading_map())], ignore_index=True)


def generate(
    out_dir: Path, staff: int, as_of: date, console: Console, seed: int = 457, history: bool = True
) -> tuple[Path, Path]:
    """The whole sample trust in `out_dir`: ESR, Totara, trust rules, surveys, and seed data for both stand-ins.

    Returns the Totara and student-system stand-in seed folders.
    """
    from sample_trust.generate import generate_sample_trust
    from sample_trust.students import write_sample_students
    from sample_trust.surveys import write_sample_surveys

    started = time.perf_counter()
    sample = generate_sample_trust(out_dir, staff=staff, seed=seed, as_of=as_of, history=history)
    people = _final_staff(sample.landing_dir)
    employees = (
        people.drop_duplicates("employee_number")
        .apply(
            lambda r: (
                r.employee_number,
                r.first_name,
                r.last_name,
                r.date_of_birth.date() if pd.notna(r.date_of_birth) else None,
                r.work_email,
            ),
            axis=1,
        )
        .tolist()
    )
    directorates = sorted(people["org_level_3"].dropna().unique())
    staff_groups = sorted(people["staff_group"].dropna().unique())
    survey_files = write_sample_surveys(
        sample.landing_dir / "surveys",
        "RRU",
        directorates,
        staff_groups,
        respondents=max(200, staff // 3),
        seed=457,
        as_of=as_of,
    )
    students_dir = sample.standins_dir / "student_system"
    students = write_sample_students(students_dir, employees, seed=seed, as_of=as_of, students=max(120, staff // 16))
    console.print(
        f"[bold]Sample trust[/bold]: {sample.staff:,} staff, {sample.assignments:,} assignments, "
        f"{sample.competence_rows:,} competence rows, {len(sample.files)} ESR/Totara/rule files, "
        f"{len(survey_files)} survey files, {students.get('students', 0):,} students "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return sample.standins_dir / "totara", students_dir


def run_demo(workdir: Path, staff: int, as_of: date, console: Console) -> None:
    from flows.nightly import nightly_flow
    from learnscape.cli import _print_run
    from standins.student_system import run_student_standin
    from standins.totara.server import run_totara_standin
    from warehouse.engine import open_warehouse

    _reset(workdir)
    totara_seed, students_seed = generate(workdir / "sample-trust", staff, as_of, console)
    os.environ.update(DEMO_SECRETS)
    with ExitStack() as stack:
        totara_url, _ = stack.enter_context(
            run_totara_standin(
                data_dir=totara_seed,
                client_id=DEMO_SECRETS["LEARNSCAPE_TOTARA_CLIENT_ID"],
                client_secret=DEMO_SECRETS["LEARNSCAPE_TOTARA_CLIENT_SECRET"],
            )
        )
        students_url, _ = stack.enter_context(
            run_student_standin(students_seed, api_key=DEMO_SECRETS["LEARNSCAPE_STUDENT_API_KEY"])
        )
        console.print(f"Local stand-ins: Totara at {totara_url}, student system at {students_url}")
        config = _demo_config(workdir, totara_url, students_url)
        config_file = workdir / "learnscape.yaml"
        config_file.write_text(dump_config(config), encoding="utf-8")
        started = time.perf_counter()
        with console.status("Running the nightly pipeline: pull → ingest → validate → build → publish ..."):
            result = nightly_flow(config_file=str(config_file), as_of=as_of.isoformat())
        _print_run(result, time.perf_counter() - started)
    engine = open_warehouse(config.warehouse_url())
    try:
        show_results(engine, as_of, console)
    finally:
        engine.dispose()
    console.print()
    console.print(
        f"[bold]Warehouse[/bold]  {workdir / 'learnscape.db'}  (SQLite; PostgreSQL via LEARNSCAPE_WAREHOUSE_URL)"
    )
    console.print(f"[bold]Feed[/bold]       {result.feed_path}")
    console.print(f"[bold]Report[/bold]     {Path(result.feed_path) / 'compliance_report.html'}")
    console.print(f"[bold]Data Docs[/bold]  {config.reports_dir / 'data_docs' / 'index.html'}")
    console.print(f"[bold]Config[/bold]     {config_file}")


def _query(engine: Engine, statement) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _table(title: str, frame: pd.DataFrame, columns: dict[str, str]) -> Table:
    table = Table(title=title)
    for heading in columns.values():
        table.add_column(
            heading,
            justify="left"
            if heading in {"competence", "unit", "role", "measure", "skill", "programme", "system", "method"}
            else "right",
        )
    for row in frame.itertuples(index=False):
        cells = []
        for name in columns:
            value = getattr(row, name)
            if name == "rag":
                value = f"[{RAG_COLOURS[value]}]{value}[/]"
            elif isinstance(value, float):
                value = "–" if pd.isna(value) else f"{value:,.1f}"
            elif isinstance(value, int):
                value = f"{value:,}"
            cells.append("–" if value is None else str(value))
        table.add_row(*cells)
    return table


def _short_name(competency_name: str) -> str:
    """`NHS|CSTF|Fire Safety - 2 Years|` → `Fire Safety - 2 Years` for a narrow terminal (ALL stays ALL)."""
    parts = [part for part in competency_name.split("|") if part]
    return parts[-1] if len(parts) >= 3 else competency_name


def show_results(engine: Engine, as_of: date, console: Console) -> None:
    """What a newcomer should see: compliance, skills gaps, survey scores, the student pipeline, learners."""
    from warehouse import models as m

    summary = m.compliance_summary
    trust = _query(
        engine,
        select(summary)
        .where(summary.c.as_of_date == as_of, summary.c.dimension == "trust")
        .order_by(summary.c.compliance_pct),
    )
    trust["competence"] = trust["competency_name"].map(_short_name)
    console.print(
        _table(
            f"Trust compliance on {as_of}",
            trust,
            {
                "competence": "competence",
                "required": "required",
                "in_date": "in date",
                "expiring": "expiring",
                "expired": "expired",
                "missing": "missing",
                "compliance_pct": "%",
                "rag": "RAG",
            },
        )
    )
    worst = _query(
        engine,
        select(summary)
        .where(
            summary.c.as_of_date == as_of,
            summary.c.dimension == "organisation",
            summary.c.competency_name == "ALL",
            summary.c.required >= 50,
        )
        .order_by(summary.c.compliance_pct)
        .limit(8),
    )
    console.print(
        _table(
            "Lowest compliance by organisation (all competences)",
            worst,
            {"group_value": "unit", "required": "required", "in_date": "in date", "compliance_pct": "%", "rag": "RAG"},
        )
    )

    gaps = m.skills_gap_summary
    largest = _query(
        engine,
        select(gaps)
        .where(gaps.c.as_of_date == as_of, gaps.c.dimension == "organisation")
        .order_by(gaps.c.gap_count.desc())
        .limit(8),
    )
    console.print(
        _table(
            "Largest skills gaps by station and role",
            largest,
            {
                "org_unit": "unit",
                "job_role": "role",
                "skill_name": "skill",
                "people_in_role": "people",
                "holders": "holders",
                "coverage_pct": "cover %",
                "gap_count": "gap",
            },
        )
    )
    upcoming = _query(
        engine,
        select(gaps)
        .where(gaps.c.as_of_date == as_of, gaps.c.dimension == "trust")
        .order_by((gaps.c.upcoming_gap_count - gaps.c.gap_count).desc())
        .limit(8),
    )
    console.print(
        _table(
            "Upcoming gaps in 90 days (trust)",
            upcoming,
            {
                "job_role": "role",
                "skill_name": "skill",
                "people_in_role": "people",
                "gap_count": "gap now",
                "upcoming_gap_count": "gap in 90 days",
                "coverage_pct_in_90_days": "cover % then",
            },
        )
    )

    engagement = m.learning_engagement
    scores = _query(
        engine,
        select(engagement).where(
            engagement.c.org_level == "directorate",
            engagement.c.source == "local",
            engagement.c.measure.in_(("always_learning", "staff_engagement", "learning_nps")),
        ),
    )
    if not scores.empty:
        latest = scores.loc[scores["survey"] == "NSS"]
        latest = latest.loc[latest["period"] == latest["period"].max()]
        pivot = latest.pivot_table(index="org_unit", columns="measure", values="score", aggfunc="first").reset_index()
        nps = scores.loc[scores["measure"] == "learning_nps"]
        nps = nps.loc[nps["period"] == nps["period"].max()].set_index("org_unit")["score"]
        pivot["learning_nps"] = pivot["org_unit"].map(nps)
        for column in ("always_learning", "staff_engagement", "learning_nps"):
            if column not in pivot:
                pivot[column] = None
        console.print(
            _table(
                "Staff survey by directorate (NSS, latest year; NPS from the latest pulse; – = under 11)",
                pivot,
                {
                    "org_unit": "unit",
                    "always_learning": "We are always learning",
                    "staff_engagement": "engagement",
                    "learning_nps": "learning NPS",
                },
            )
        )

    pipeline = _query(engine, select(m.student_pipeline).where(m.student_pipeline.c.as_of_date == as_of))
    if not pipeline.empty:
        by_programme = pipeline.groupby("programme_name", as_index=False).agg(
            students=("students", "sum"),
            planned_hours=("planned_hours", "sum"),
            attended_hours=("attended_hours", "sum"),
            completions=("completions", "sum"),
            became_employees=("became_employees", "sum"),
        )
        console.print(
            _table(
                "Student pipeline",
                by_programme,
                {
                    "programme_name": "programme",
                    "students": "students",
                    "planned_hours": "planned h",
                    "attended_hours": "attended h",
                    "completions": "completed",
                    "became_employees": "in ESR",
                },
            )
        )
    learners = _query(engine, select(m.learner))
    if not learners.empty:
        rates = learners.groupby(["source_system", "match_method"], as_index=False).size()
        console.print(
            _table(
                "Unified learner record: source records by match method",
                rates,
                {"source_system": "system", "match_method": "method", "size": "records"},
            )
        )
