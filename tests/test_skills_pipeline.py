"""Skills marts from the warehouse: ESR competences and Totara learning become skills; gaps per person and role."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from flows.build import build_skills_task
from tests.esr_files import FIRE, competence_row, staff_row, write_competences, write_csv, write_staff
from tests.pipeline_support import D, ingest
from tests.test_totara_evidence import COURSE_HEADINGS, FRAMEWORK_HEADINGS, course
from warehouse.models import capability_forecast, skills_gap_person, skills_gap_summary

PROFILE_HEADINGS = ["Job Role", "Skill Code", "Priority", "Needed By"]


@pytest.fixture
def skills_trust(trust):
    config, engine, landing = trust
    framework = [
        ("STAT-FIRE", "Fire safety", "Statutory and mandatory", "esr_competence", FIRE, "24"),
        ("CLIN-ECG", "12-lead ECG", "Clinical", "totara_course", "crs-ecg12", "36"),
        ("LEAD-1", "First line leadership", "Leadership", "totara_course", "crs-lead", ""),
    ]
    write_csv(landing / "trust" / "skills_framework.csv", FRAMEWORK_HEADINGS,
              [dict(zip(FRAMEWORK_HEADINGS, row, strict=True)) for row in framework])
    write_csv(landing / "trust" / "role_skill_profiles.csv", PROFILE_HEADINGS, [
        {"Job Role": "Paramedic", "Skill Code": "STAT-FIRE", "Priority": "essential", "Needed By": ""},
        {"Job Role": "paramedic", "Skill Code": "CLIN-ECG", "Priority": "Essential", "Needed By": ""},
        {"Job Role": "Paramedic", "Skill Code": "LEAD-1", "Priority": "desirable", "Needed By": "31/03/2027"},
    ])
    write_staff(landing, "20261122", "full", [
        staff_row("10000001"),
        staff_row("10000002", **{"Assignment End Date": "31/12/2026"}),
        staff_row("10000003"),
    ])
    write_competences(landing, "20261122", "full", [
        competence_row("10000001", FIRE, "01/06/2025", "01/06/2027"),
        competence_row("10000002", FIRE, "01/06/2025", "01/06/2027"),
    ])
    write_csv(landing / "totara" / "totara_course_completion_20261122.csv", COURSE_HEADINGS, [
        course("10000001", "Complete", "10 Oct 2024", course_id="CRS-ECG12"),
        course("10000003", "In progress", course_id="crs-lead"),
    ])
    ingest(trust)
    build_skills_task.fn(engine, config, D)
    return trust


def mart(trust_fixture, table) -> pd.DataFrame:
    with trust_fixture[1].connect() as connection:
        result = connection.execute(select(table).where(table.c.as_of_date == D))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def test_each_person_gets_a_status_per_required_skill_from_any_source(skills_trust):
    gap = mart(skills_trust, skills_gap_person).set_index(["employee_number", "skill_code"])
    assert gap.loc[("10000001", "STAT-FIRE"), "status"] == "held"
    assert gap.loc[("10000001", "CLIN-ECG"), ["status", "evidence_source"]].tolist() == ["held", "totara_course"]
    assert gap.loc[("10000001", "CLIN-ECG"), "valid_until"] == date(2027, 10, 10)
    assert gap.loc[("10000002", "STAT-FIRE"), "status"] == "held"
    assert gap.loc[("10000003", "STAT-FIRE"), "status"] == "missing"
    assert bool(gap.loc[("10000001", "LEAD-1"), "is_future_capability"]) is True


def test_summary_counts_holders_now_and_in_90_days_with_the_known_leaver_gone(skills_trust):
    summary = mart(skills_trust, skills_gap_summary)
    fire = summary.query("dimension == 'organisation' and skill_code == 'STAT-FIRE'").iloc[0]
    assert (fire.people_in_role, fire.holders, fire.gap_count) == (3, 2, 1)
    assert (fire.holders_in_90_days, fire.upcoming_gap_count) == (1, 2)


def test_forecast_counts_people_enrolled_on_the_mapped_course_as_pipeline(skills_trust):
    forecast = mart(skills_trust, capability_forecast).set_index("skill_code")
    lead = forecast.loc["LEAD-1"]
    assert (lead.holders_needed, lead.holders_now, lead.in_pipeline, lead.shortfall) == (3, 0, 1, 2)
    assert lead.needed_by == date(2027, 3, 31)
