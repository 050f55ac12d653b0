"""`capability_forecast`: for each future capability, will the role have the people holding it when needed?

One row per job role and skill with a `needed_by` after D (essential and desirable alike), including roles with
nobody in post today:
- `holders_needed`: people in the role now (the establishment to be covered by `needed_by`);
- `holders_now`: of those, people whose evidence of the skill is still valid on `needed_by` (it lapses after
  that day, or never) and who are not known leavers gone by then (assignment ending on or before `needed_by`);
- `in_pipeline`: students due to qualify into the role with the skill on or before `needed_by` (the `pipeline`
  frame, one row per student and skill), plus people in the role enrolled on a course mapped to the skill and
  not yet complete (the `enrolments` frame) who are not already counted in `holders_now` and stay in post
  past `needed_by`;
- `shortfall` = max(0, holders_needed − holders_now − in_pipeline).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from transforms.partial_counts import add_counts
from transforms.skills.frames import as_timestamps, fold, published, require_columns
from transforms.skills.framework import clean_skill_codes, skill_catalogue
from transforms.skills.requirements import is_future_capability, role_requirements, role_skill_profiles
from transforms.skills.status import still_in_post_after, valid_on

PIPELINE_COLUMNS = ("job_role", "skill_code", "expected_on")
ENROLMENT_COLUMNS = ("employee_number", "skill_code")

FORECAST_COLUMNS = [
    "as_of_date",
    "job_role",
    "skill_code",
    "skill_name",
    "needed_by",
    "holders_needed",
    "holders_now",
    "in_pipeline",
    "shortfall",
]

_ROLE_SKILL = ["_role", "skill_code"]

#: The additive part of the forecast: counts that partitions of the people add up to the whole trust's.
COUNT_KEYS = _ROLE_SKILL
COUNTS = ["holders_needed", "holders_now", "enrolled"]


def capability_forecast(
    people: pd.DataFrame,
    profiles: pd.DataFrame,
    evidenced: pd.DataFrame,
    framework: pd.DataFrame,
    pipeline: pd.DataFrame,
    enrolments: pd.DataFrame,
    as_of: date,
) -> pd.DataFrame:
    """The forecast for reporting date `as_of`.

    `people` and `profiles` as for `skills_gap_person`; `evidenced` is `evidence.evidenced_skills(...)` for the
    same date; `pipeline`: job_role, skill_code, expected_on (job roles match case-insensitively);
    `enrolments`: employee_number, skill_code (and vpd, when given, to tell two trusts' numbers apart).
    """
    counts = forecast_counts(people, profiles, evidenced, framework, enrolments, as_of)
    return forecast_from_counts(counts, profiles, framework, pipeline, as_of)


def _future_capabilities(profiles: pd.DataFrame, framework: pd.DataFrame, as_of: date) -> pd.DataFrame:
    tidy_profiles = role_skill_profiles(profiles, framework)
    future = tidy_profiles.loc[is_future_capability(tidy_profiles["needed_by"], as_of)]
    return future[["job_role", "_role", "skill_code", "needed_by"]]


def forecast_counts(
    people: pd.DataFrame,
    profiles: pd.DataFrame,
    evidenced: pd.DataFrame,
    framework: pd.DataFrame,
    enrolments: pd.DataFrame,
    as_of: date,
) -> pd.DataFrame:
    """People in role, holders by `needed_by` and enrolled people per future capability: the part of the forecast
    made from the people, which can be added up across partitions of them (`add_forecast_counts`)."""
    require_columns(enrolments, ENROLMENT_COLUMNS, "course enrolments")
    future = _future_capabilities(profiles, framework, as_of)
    if future.empty:
        return pd.DataFrame(columns=[*COUNT_KEYS, *COUNTS])
    in_role = role_requirements(people, future)
    in_role = in_role.assign(_role=fold(in_role["job_role"])).merge(
        evidenced[["vpd", "employee_number", "skill_code", "evidenced_on", "valid_until"]],
        on=["vpd", "employee_number", "skill_code"],
        how="left",
    )
    needed_by = as_timestamps(in_role["needed_by"])
    staying = still_in_post_after(in_role["assignment_end_date"], needed_by)
    in_role["_holder"] = valid_on(in_role["evidenced_on"], in_role["valid_until"], needed_by) & staying
    in_role["_enrolled"] = _enrolled(in_role, enrolments) & ~in_role["_holder"] & staying
    per_role = in_role.groupby(_ROLE_SKILL).agg(
        holders_needed=("employee_number", "size"),
        holders_now=("_holder", "sum"),
        enrolled=("_enrolled", "sum"),
    )
    return per_role.reset_index()[[*COUNT_KEYS, *COUNTS]]


def add_forecast_counts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The counts of several partitions of the people as the counts of all of them."""
    return add_counts(parts, COUNT_KEYS, COUNTS, sort=True)


def forecast_from_counts(
    counts: pd.DataFrame, profiles: pd.DataFrame, framework: pd.DataFrame, pipeline: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """The published forecast: every future capability with its counts, students due, and the shortfall."""
    require_columns(pipeline, PIPELINE_COLUMNS, "qualification pipeline")
    future = _future_capabilities(profiles, framework, as_of)
    if future.empty:
        return published(future, FORECAST_COLUMNS)
    students = _students_due(pipeline, future)
    forecast = future.merge(counts, on=_ROLE_SKILL, how="left").merge(students, on=_ROLE_SKILL, how="left")
    counted = [*COUNTS, "students"]
    forecast[counted] = forecast[counted].fillna(0).astype(int)
    forecast["in_pipeline"] = forecast["students"] + forecast["enrolled"]
    forecast["shortfall"] = (forecast["holders_needed"] - forecast["holders_now"] - forecast["in_pipeline"]).clip(
        lower=0
    )
    forecast = forecast.merge(skill_catalogue(framework)[["skill_code", "skill_name"]], on="skill_code")
    forecast["as_of_date"] = as_of
    forecast = forecast.sort_values(["job_role", "skill_code"])
    return published(forecast, FORECAST_COLUMNS, date_columns=("needed_by",))


def _enrolled(in_role: pd.DataFrame, enrolments: pd.DataFrame) -> pd.Series:
    """Whether each person in the role is enrolled on a course mapped to the skill (one enrolment is enough)."""
    keys = ["vpd", "employee_number"] if "vpd" in enrolments.columns else ["employee_number"]
    enrolled = enrolments[keys].assign(skill_code=clean_skill_codes(enrolments["skill_code"]), _enrolled=True)
    enrolled = enrolled.drop_duplicates([*keys, "skill_code"])
    flagged = in_role[[*keys, "skill_code"]].merge(enrolled, on=[*keys, "skill_code"], how="left")
    return pd.Series(flagged["_enrolled"].fillna(False).astype(bool).to_numpy(), index=in_role.index)


def _students_due(pipeline: pd.DataFrame, future: pd.DataFrame) -> pd.DataFrame:
    """Students due to qualify into each role with each skill on or before the skill's `needed_by`."""
    students = pd.DataFrame(
        {
            "_role": fold(pipeline["job_role"]),
            "skill_code": clean_skill_codes(pipeline["skill_code"]),
            "expected_on": as_timestamps(pipeline["expected_on"]),
        }
    ).merge(future[[*_ROLE_SKILL, "needed_by"]], on=_ROLE_SKILL)
    due = students.loc[students["expected_on"].notna() & (students["expected_on"] <= students["needed_by"])]
    return due.groupby(_ROLE_SKILL).size().rename("students").reset_index()
