"""The student pipeline: who is studying what, how placements and assessments are going, who completed, and who
became an employee (linked to ESR through the unified learner record), with time from completion to hire."""

from __future__ import annotations

from datetime import date

import pandas as pd

PIPELINE_KEYS = ["programme_code", "programme_name", "route", "cohort", "academic_year", "year_of_study", "status"]
PIPELINE_COLUMNS = [
    "as_of_date",
    *PIPELINE_KEYS,
    "students",
    "planned_hours",
    "attended_hours",
    "assessments_achieved",
    "assessments_not_achieved",
    "causes_for_concern",
    "completions",
    "became_employees",
    "median_days_completion_to_hire",
]


def student_pipeline(
    enrolments: pd.DataFrame,
    placements: pd.DataFrame,
    assessments: pd.DataFrame,
    hires: pd.DataFrame,
    as_of: date,
) -> pd.DataFrame:
    """One row per programme, cohort, academic year, year of study and enrolment status.

    `hires` has one row per student linked to an ESR person: `student_id`, `hire_date` (their earliest ESR hire
    date). Placement hours are those of the enrolment's student within the enrolment's dates; an assessment with
    outcome `achieved` counts as achieved, `not_achieved` as not, and a `cause_for_concern` event is counted apart.
    A completion is an enrolment with status `completed`; time to hire counts completers hired on or after their
    end date.
    """
    if enrolments.empty:
        return pd.DataFrame(columns=PIPELINE_COLUMNS)
    live = enrolments.loc[pd.to_datetime(enrolments["start_date"]).fillna(pd.Timestamp.min) <= pd.Timestamp(as_of)]
    hours = _placement_hours(live, placements)
    outcomes = _assessment_counts(live, assessments)
    frame = live.merge(hours, on="enrolment_id", how="left").merge(outcomes, on="enrolment_id", how="left")
    frame = frame.merge(hires, on="student_id", how="left")
    frame = frame.fillna({c: 0 for c in ("planned_hours", "attended_hours", "achieved", "not_achieved", "concern")})
    frame["completed"] = frame["status"].eq("completed")
    end = pd.to_datetime(frame["end_date"])
    hire = pd.to_datetime(frame["hire_date"])
    frame["days_to_hire"] = (hire - end).dt.days.where(frame["completed"] & hire.notna() & (hire >= end))
    frame["employee"] = frame["hire_date"].notna()
    keys = [k for k in PIPELINE_KEYS]
    frame[keys] = frame[keys].astype(object).where(frame[keys].notna(), "(not recorded)")
    grouped = frame.groupby(keys, dropna=False, sort=True).agg(
        students=("student_id", "nunique"),
        planned_hours=("planned_hours", "sum"),
        attended_hours=("attended_hours", "sum"),
        assessments_achieved=("achieved", "sum"),
        assessments_not_achieved=("not_achieved", "sum"),
        causes_for_concern=("concern", "sum"),
        completions=("completed", "sum"),
        became_employees=("employee", "sum"),
        median_days_completion_to_hire=("days_to_hire", "median"),
    )
    result = grouped.reset_index().assign(as_of_date=as_of)
    result["year_of_study"] = pd.to_numeric(result["year_of_study"], errors="coerce").astype("Int64")
    return result[PIPELINE_COLUMNS].astype(object).where(result[PIPELINE_COLUMNS].notna(), None)


def _placement_hours(enrolments: pd.DataFrame, placements: pd.DataFrame) -> pd.DataFrame:
    if placements.empty:
        return pd.DataFrame(columns=["enrolment_id", "planned_hours", "attended_hours"])
    active = placements.loc[placements["status"].ne("cancelled")]
    joined = enrolments[["enrolment_id", "student_id", "start_date", "end_date", "expected_end_date"]].merge(
        active[["student_id", "start_date", "planned_hours", "attended_hours"]].rename(
            columns={"start_date": "placement_start"}
        ),
        on="student_id",
    )
    ends = pd.to_datetime(joined["end_date"]).fillna(pd.to_datetime(joined["expected_end_date"]))
    inside = (pd.to_datetime(joined["placement_start"]) >= pd.to_datetime(joined["start_date"])) & (
        ends.isna() | (pd.to_datetime(joined["placement_start"]) <= ends)
    )
    return joined.loc[inside].groupby("enrolment_id")[["planned_hours", "attended_hours"]].sum().reset_index()


def _assessment_counts(enrolments: pd.DataFrame, assessments: pd.DataFrame) -> pd.DataFrame:
    columns = ["enrolment_id", "achieved", "not_achieved", "concern"]
    if assessments.empty:
        return pd.DataFrame(columns=columns)
    joined = enrolments[["enrolment_id", "student_id", "start_date", "end_date", "expected_end_date"]].merge(
        assessments[["student_id", "event", "outcome", "assessed_on"]], on="student_id"
    )
    ends = pd.to_datetime(joined["end_date"]).fillna(pd.to_datetime(joined["expected_end_date"]))
    day = pd.to_datetime(joined["assessed_on"])
    joined = joined.loc[(day >= pd.to_datetime(joined["start_date"])) & (ends.isna() | (day <= ends))]
    joined = joined.assign(
        achieved=joined["outcome"].eq("achieved").astype(int),
        not_achieved=joined["outcome"].eq("not_achieved").astype(int),
        concern=joined["event"].eq("cause_for_concern").astype(int),
    )
    return joined.groupby("enrolment_id")[["achieved", "not_achieved", "concern"]].sum().reset_index()
