"""Small hand-built trusts for the skills rule tests: one function call per person, piece of evidence or need."""

from __future__ import annotations

from datetime import date

import pandas as pd

from transforms.skills.build import SkillsInputs, SkillsTables, build_skills

D = date(2026, 3, 31)
D_PLUS_90 = date(2026, 6, 29)

FIRE_COMPETENCE = "NHS|CSTF|Fire Safety - 2 Years|"

FRAMEWORK_COLUMNS = ["skill_code", "skill_name", "category", "evidence_source", "evidence_key", "valid_for_months"]
FRAMEWORK_ROWS = [
    ("CSTF-FIRE", "Fire safety", "Statutory and mandatory", "esr_competence", FIRE_COMPETENCE, 24),
    ("CSTF-FIRE", "Fire safety", "Statutory and mandatory", "totara_certification", "CERT-CSTF-FIRE", 24),
    ("CLIN-ECG12", "12-lead ECG acquisition and interpretation", "Clinical", "totara_course", "CRS-ECG12", 36),
    ("CLIN-ECG12", "12-lead ECG acquisition and interpretation", "Clinical", "student_module", "PARA5012", 36),
    ("CLIN-CANNULA", "Peripheral cannulation", "Clinical", "totara_competency", "COMP-CANNULATION", None),
    ("CLIN-CANNULA", "Peripheral cannulation", "Clinical", "student_module", "PARA4008", None),
    ("LDR-INCIDENT", "Tactical incident command", "Leadership", "totara_certification", "CERT-LDR-INCIDENT", 12),
    ("DIG-EPCR", "Electronic patient care record", "Digital", "totara_course", "CRS-DIG-EPCR", None),
    ("DIG-DATA", "Data literacy and dashboards", "Digital", "totara_course", "CRS-DIG-DATA", None),
]
FRAMEWORK = pd.DataFrame(FRAMEWORK_ROWS, columns=FRAMEWORK_COLUMNS)

FULHAM = {
    "organisation": "457 Fulham Station",
    "org_level_3": "457 Operations",
    "org_level_4": "457 North West",
    "org_level_5": "457 Fulham Station",
}
BRENT = {
    "organisation": "457 Brent Station",
    "org_level_3": "457 Operations",
    "org_level_4": "457 North West",
    "org_level_5": "457 Brent Station",
}
CAMDEN = {
    "organisation": "457 Camden Station",
    "org_level_3": "457 Operations",
    "org_level_4": "457 North Central",
    "org_level_5": "457 Camden Station",
}
CLINICAL_HUB = {
    "organisation": "457 Clinical Hub Waterloo",
    "org_level_3": "457 Emergency Operations Centres",
    "org_level_4": "457 Clinical Hub",
    "org_level_5": None,
}


def person(
    employee: str,
    *,
    job_role: str = "Paramedic",
    unit: dict | None = None,
    staff_group: str = "Allied Health Professionals",
    ends: date | None = None,
) -> dict:
    return {
        "vpd": "457",
        "employee_number": employee,
        "assignment_number": employee,
        "job_role": job_role,
        **(unit or FULHAM),
        "staff_group": staff_group,
        "assignment_end_date": ends,
    }


def evidence(
    employee: str,
    source: str,
    key: str,
    achieved: date | None,
    *,
    expires: date | None = None,
    no_expiry: bool = False,
) -> dict:
    return {
        "vpd": "457",
        "employee_number": employee,
        "evidence_source": source,
        "evidence_key": key,
        "achieved_on": achieved,
        "expires_on": expires,
        "no_expiry": no_expiry,
    }


def need(job_role: str, skill_code: str, priority: str = "essential", needed_by: date | None = None) -> dict:
    return {"job_role": job_role, "skill_code": skill_code, "priority": priority, "needed_by": needed_by}


def student(job_role: str, skill_code: str, expected_on: date) -> dict:
    return {"job_role": job_role, "skill_code": skill_code, "expected_on": expected_on}


def enrolment(employee: str, skill_code: str) -> dict:
    return {"employee_number": employee, "skill_code": skill_code}


def inputs(
    people: list[dict],
    needs: list[dict],
    evidence_rows: list[dict] = (),
    *,
    pipeline: list[dict] = (),
    enrolments: list[dict] = (),
    framework: pd.DataFrame = FRAMEWORK,
) -> SkillsInputs:
    people_columns = list(person("0").keys())
    evidence_columns = list(evidence("0", "", "", None).keys())
    return SkillsInputs(
        evidence=pd.DataFrame(list(evidence_rows), columns=evidence_columns),
        framework=framework,
        people=pd.DataFrame(list(people), columns=people_columns),
        profiles=pd.DataFrame(list(needs), columns=["job_role", "skill_code", "priority", "needed_by"]),
        pipeline=pd.DataFrame(list(pipeline), columns=["job_role", "skill_code", "expected_on"]),
        enrolments=pd.DataFrame(list(enrolments), columns=["employee_number", "skill_code"]),
    )


def build(case: SkillsInputs, as_of: date = D, window_days: int = 90) -> SkillsTables:
    return build_skills(case, as_of, window_days)


def gap_row(case: SkillsInputs, employee: str = "10000001", skill_code: str = "CSTF-FIRE", as_of: date = D):
    """The person's gap row for one skill (None when the skill is not required of them)."""
    gap = build(case, as_of).gap_person
    row = gap.loc[(gap.employee_number == employee) & (gap.skill_code == skill_code)]
    assert len(row) <= 1
    return None if row.empty else row.iloc[0]
