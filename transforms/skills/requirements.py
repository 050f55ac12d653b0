"""What each person in post must hold: the role skill profiles matched against their job role.

A profile row (`role_skill_profiles.csv`) says a job role needs a skill, `essential` or `desirable`, and
optionally by when (`needed_by`). Job roles match case-insensitively after trimming; skill codes must be in the
skills framework. A requirement whose `needed_by` is after the reporting date D is a *future capability*: the
trust is building towards it, so it is reported but not counted as a current gap (`needed_by` on D itself is a
current need).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from transforms.skills.frames import SkillsInputError, as_timestamps, fold, require_columns, shown
from transforms.skills.framework import clean_skill_codes, skill_catalogue

PROFILES_FILE = "role_skill_profiles.csv"
PROFILE_COLUMNS = ("job_role", "skill_code", "priority", "needed_by")
PRIORITIES = ("essential", "desirable")

#: People in post, one row per person (their primary assignment, chosen by the caller).
PEOPLE_COLUMNS = (
    "vpd",
    "employee_number",
    "assignment_number",
    "job_role",
    "organisation",
    "org_level_3",
    "org_level_4",
    "org_level_5",
    "staff_group",
    "assignment_end_date",
)


def _row_error(position: int, heading: str, value: object, rule: str) -> SkillsInputError:
    return SkillsInputError(f"{PROFILES_FILE} row {position + 2}: {heading} {shown(value)} {rule}")


def role_skill_profiles(profiles: pd.DataFrame, framework: pd.DataFrame) -> pd.DataFrame:
    """The profiles, checked and tidied: one row per job role and skill.

    Columns: job_role (trimmed, as the profile spells it), skill_code, priority (lower case), needed_by
    (timestamp, NaT when needed now), `_role` (the folded job role people are matched on). A row repeated
    exactly is kept once; the same role and skill listed twice with a different priority or date is an error,
    because either reading would silently change the published gaps.
    """
    require_columns(profiles, PROFILE_COLUMNS, PROFILES_FILE)
    known_skills = set(skill_catalogue(framework)["skill_code"])
    given_dates = profiles["needed_by"].where(profiles["needed_by"].astype(str).str.strip() != "")
    needed_by = pd.to_datetime(given_dates, errors="coerce")
    tidy = pd.DataFrame(
        {
            "job_role": profiles["job_role"].fillna("").astype(str).str.strip(),
            "skill_code": clean_skill_codes(profiles["skill_code"]),
            "priority": fold(profiles["priority"]),
            "needed_by": needed_by,
            "_role": fold(profiles["job_role"]),
        }
    ).reset_index(drop=True)
    checks = [
        (tidy["_role"] == "", "job_role", "Job Role", "is blank"),
        (
            ~tidy["skill_code"].isin(known_skills),
            "skill_code",
            "Skill Code",
            f"is not in the skills framework ({len(known_skills)} skill codes; codes match exactly)",
        ),
        (~tidy["priority"].isin(PRIORITIES), "priority", "Priority", f"is not one of {', '.join(PRIORITIES)}"),
        (
            given_dates.notna().to_numpy() & needed_by.isna().to_numpy(),
            "needed_by",
            "Needed By",
            "is not a date (leave it blank for a skill needed now)",
        ),
    ]
    for bad, column, heading, rule in checks:
        flags = pd.Series(bad).to_numpy(dtype=bool)
        if flags.any():
            position = int(flags.argmax())
            raise _row_error(position, heading, profiles[column].iloc[position], rule)
    tidy = tidy.drop_duplicates(["_role", "skill_code", "priority", "needed_by"])
    repeated = tidy.duplicated(["_role", "skill_code"], keep=False)
    if repeated.any():
        clash = tidy.loc[repeated]
        first = clash.iloc[0]
        rows = clash.loc[(clash["_role"] == first["_role"]) & (clash["skill_code"] == first["skill_code"])].index
        raise SkillsInputError(
            f"{PROFILES_FILE} rows {', '.join(str(i + 2) for i in rows)}: job role {first['job_role']!r} lists "
            f"skill {first['skill_code']!r} more than once with a different Priority or Needed By; keep one row"
        )
    return tidy.reset_index(drop=True)


def role_requirements(people: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """One row per person in post and skill their job role's profile requires.

    `people` has PEOPLE_COLUMNS, one row per person; `profiles` is `role_skill_profiles(...)`. The person's
    columns are kept, and `job_role` is published as the profile spells it so that one role is one group.
    """
    require_columns(people, PEOPLE_COLUMNS, "people in post")
    repeated = people.duplicated(["vpd", "employee_number"], keep=False)
    if repeated.any():
        first = people.loc[repeated].iloc[0]
        raise SkillsInputError(
            f"people in post: employee {first['employee_number']!r} (VPD {first['vpd']!r}) appears "
            f"{int(repeated.sum())} times; pass one row per person, their primary assignment"
        )
    keyed = people.assign(_role=fold(people["job_role"])).drop(columns="job_role")
    required = keyed.merge(profiles, on="_role")
    return required.drop(columns="_role").reset_index(drop=True)


def is_future_capability(needed_by: pd.Series, as_of: date) -> pd.Series:
    """Whether each requirement is needed only after D (a future capability) rather than now."""
    due = as_timestamps(needed_by)
    return (due.notna() & (due > pd.Timestamp(as_of))).astype(bool)
