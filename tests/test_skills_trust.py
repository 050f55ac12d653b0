"""The skills tables of a mid-sized generated trust agree with each other and with the rules row by row."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd
import pytest

from tests.skills_cases import BRENT, CAMDEN, CLINICAL_HUB, FIRE_COMPETENCE, FULHAM, D, evidence, inputs, need, person
from transforms.skills.build import SkillsTables, build_skills

ROLES = ("Paramedic", "Clinical Team Leader", "Emergency Medical Technician", "Specialist Paramedic")
PROFILES = [
    need("Paramedic", "CSTF-FIRE"),
    need("Paramedic", "CLIN-ECG12"),
    need("Paramedic", "CLIN-CANNULA"),
    need("Paramedic", "DIG-EPCR"),
    need("Paramedic", "DIG-DATA", "desirable", needed_by=date(2027, 3, 31)),
    need("Clinical Team Leader", "LDR-INCIDENT"),
    need("Clinical Team Leader", "CLIN-ECG12"),
    need("Clinical Team Leader", "DIG-DATA", needed_by=date(2026, 9, 30)),
    need("Emergency Medical Technician", "DIG-EPCR"),
    need("Emergency Medical Technician", "CLIN-ECG12", "desirable", needed_by=date(2027, 9, 30)),
    need("Specialist Paramedic", "CLIN-ECG12"),
]
EVIDENCE_KINDS = [
    ("esr_competence", FIRE_COMPETENCE),
    ("totara_certification", "CERT-CSTF-FIRE"),
    ("totara_course", "CRS-ECG12"),
    ("student_module", "PARA5012"),
    ("totara_competency", "COMP-CANNULATION"),
    ("totara_certification", "CERT-LDR-INCIDENT"),
    ("totara_course", "CRS-DIG-EPCR"),
    ("totara_course", "CRS-DIG-DATA"),
]


def generated_trust(people_count: int, seed: int):
    chance = random.Random(seed)
    people = []
    for number in range(people_count):
        ends = D + timedelta(days=chance.randint(0, 200)) if chance.random() < 0.05 else None
        unit = chance.choice((FULHAM, BRENT, CAMDEN, CLINICAL_HUB))
        people.append(person(f"{30000000 + number}", job_role=chance.choice(ROLES), unit=unit, ends=ends))
    rows = []
    for someone in people:
        for source, key in chance.sample(EVIDENCE_KINDS, chance.randint(0, 6)):
            achieved = D - timedelta(days=chance.randint(-60, 2200))
            expires = achieved + timedelta(days=chance.randint(200, 1200)) if source.endswith("tion") else None
            rows.append(
                evidence(
                    someone["employee_number"],
                    source,
                    key,
                    achieved,
                    expires=expires,
                    no_expiry=chance.random() < 0.03,
                )
            )
    pipeline = [
        {"job_role": "Paramedic", "skill_code": "DIG-DATA", "expected_on": D + timedelta(days=chance.randint(1, 500))}
        for _ in range(40)
    ]
    enrolments = [
        {"employee_number": p["employee_number"], "skill_code": "DIG-DATA"} for p in chance.sample(people, 150)
    ]
    return inputs(people, PROFILES, rows, pipeline=pipeline, enrolments=enrolments)


@pytest.fixture(scope="module")
def trust() -> tuple[object, SkillsTables]:
    """Its speed is the benchmark's business (`benchmarks/`, stage build.skills), not a test's."""
    case = generated_trust(3000, seed=457)
    return case, build_skills(case, D)


def test_the_tables_of_three_thousand_people_hold_every_status(trust):
    _, tables = trust
    assert len(tables.gap_person) > 8000 and len(tables.log) > 5000
    assert set(tables.gap_person["status"]) == {"held", "expiring", "lapsed", "missing"}


def test_every_person_has_one_row_per_skill_of_their_roles_profile(trust):
    case, tables = trust
    per_role = pd.DataFrame(PROFILES).groupby("job_role").size()
    expected = case.people["job_role"].map(per_role).sum()
    assert len(tables.gap_person) == expected
    assert not tables.gap_person.duplicated(["employee_number", "skill_code"]).any()


def test_holders_in_the_gap_table_are_exactly_the_required_skills_in_the_log(trust):
    _, tables = trust
    gap = tables.gap_person
    in_log = gap.merge(tables.log[["employee_number", "skill_code"]], how="left", indicator=True)
    holding = in_log["status"].isin(["held", "expiring"])
    assert (holding == (in_log["_merge"] == "both")).all()


def test_each_hierarchy_level_adds_up_to_the_trust(trust):
    _, tables = trust
    counted = ["people_in_role", "holders", "gap_count", "holders_in_90_days", "upcoming_gap_count"]
    totals = tables.gap_summary.groupby(["dimension", "job_role", "skill_code"])[counted].sum()
    trust_totals = totals.xs("trust", level="dimension")
    for dimension in ("org_level_3", "org_level_4", "org_level_5", "organisation"):
        assert totals.xs(dimension, level="dimension").equals(trust_totals)


def test_nobody_holds_a_skill_in_90_days_who_does_not_hold_it_now(trust):
    _, tables = trust
    summary = tables.gap_summary
    assert (summary["holders_in_90_days"] <= summary["holders"]).all()
    assert (summary["upcoming_gap_count"] >= summary["gap_count"]).all()


def test_the_forecast_needs_every_person_with_a_future_requirement(trust):
    _, tables = trust
    future = tables.gap_person.loc[tables.gap_person["is_future_capability"].astype(bool)]
    needed = future.groupby(["job_role", "skill_code"]).size()
    forecast = tables.forecast.set_index(["job_role", "skill_code"])
    assert forecast["holders_needed"].to_dict() == needed.to_dict()
    assert (forecast["shortfall"] >= 0).all()
    assert (forecast["holders_now"] <= forecast["holders_needed"]).all()


def test_published_tables_carry_none_for_nulls_and_dates_as_dates(trust):
    _, tables = trust
    for frame in (tables.log, tables.gap_person, tables.gap_summary, tables.forecast):
        assert not any(isinstance(value, float) and value != value for value in frame.to_numpy().ravel())
    valid_until = tables.gap_person["valid_until"].dropna()
    assert all(type(value) is date for value in valid_until)
