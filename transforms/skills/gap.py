"""`skills_gap_person`: one row per person in post and skill their job role requires, with how it stands on D.

A row means "this person, in this role, needs this skill; here is the evidence they have, if any". Current and
future requirements are both listed; `is_future_capability` marks the future ones (needed after D), which the
gap summary leaves out and the capability forecast picks up.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from transforms.skills.frames import published, require_columns
from transforms.skills.framework import skill_catalogue
from transforms.skills.requirements import is_future_capability, role_requirements, role_skill_profiles
from transforms.skills.status import skill_status

GAP_PERSON_COLUMNS = [
    "as_of_date",
    "employee_number",
    "assignment_number",
    "organisation",
    "org_level_3",
    "job_role",
    "skill_code",
    "skill_name",
    "category",
    "priority",
    "needed_by",
    "status",
    "evidenced_on",
    "valid_until",
    "evidence_source",
    "is_future_capability",
    "vpd",
]

_PERSON_SKILL = ["vpd", "employee_number", "skill_code"]


def skills_gap_person(
    people: pd.DataFrame,
    profiles: pd.DataFrame,
    evidenced: pd.DataFrame,
    framework: pd.DataFrame,
    as_of: date,
    window_days: int = 90,
) -> pd.DataFrame:
    """The per-person gap table for reporting date `as_of`.

    `people`: people in post, one row each (`requirements.PEOPLE_COLUMNS`); `profiles`: the role skill profiles
    (job_role, skill_code, priority, needed_by); `evidenced`: `evidence.evidenced_skills(...)` for the same date,
    lapsed skills included (from the skills log alone a lapsed skill would look missing). `status` follows
    `status.skill_status` with the expiring window `window_days`. Columns: GAP_PERSON_COLUMNS.
    """
    if window_days < 0:
        raise ValueError(f"window_days must be 0 or more days, not {window_days}")
    require_columns(evidenced, _PERSON_SKILL + ["evidenced_on", "valid_until", "evidence_source"], "evidenced skills")
    required = role_requirements(people, role_skill_profiles(profiles, framework))
    required = required.merge(skill_catalogue(framework), on="skill_code")
    gap = required.merge(
        evidenced[[*_PERSON_SKILL, "evidenced_on", "valid_until", "evidence_source"]], on=_PERSON_SKILL, how="left"
    )
    gap["status"] = skill_status(gap["evidenced_on"], gap["valid_until"], as_of, window_days)
    gap["is_future_capability"] = is_future_capability(gap["needed_by"], as_of)
    gap["as_of_date"] = as_of
    gap = gap.sort_values(["vpd", "employee_number", "skill_code"])
    return published(gap, GAP_PERSON_COLUMNS, date_columns=("needed_by", "evidenced_on", "valid_until"))
