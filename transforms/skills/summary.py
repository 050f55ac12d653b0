"""`skills_gap_summary`: how well each org unit covers each essential skill of each job role, now and ahead.

One row per dimension (`trust`, `org_level_3`, `org_level_4`, `org_level_5`, `organisation`), org unit, job
role and essential skill, over current requirements only (future capabilities are the forecast's business).

- `people_in_role`: people in post in that unit and role; `holders`: those holding the skill on D (`held` or
  `expiring`); `coverage_pct` = holders ÷ people_in_role × 100; `gap_count` = people_in_role − holders.
- Looking ahead to D + window (90 days): `holders_in_90_days` counts people who will still hold the skill then —
  valid after that day or never lapsing, and not a known leaver whose assignment ends on or before that day.
  Known leavers stay in the denominator: the role's establishment stays when its holder leaves, so the upcoming
  gap is the shortfall of people holding the skill in that role 90 days from now, and a leaver widens it.
  `upcoming_gap_count` = people_in_role − holders_in_90_days; `coverage_pct_in_90_days` = holders_in_90_days ÷
  people_in_role × 100. The column names keep "90 days" for the default window; they follow `window_days`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from transforms.partial_counts import add_counts
from transforms.skills.frames import NOT_RECORDED, as_timestamps, published, require_columns
from transforms.skills.status import HOLDING_STATUSES, still_in_post_after, valid_on

#: Published dimensions → the column holding each person's org unit (the trust is the person's VPD).
DIMENSIONS = {
    "trust": "vpd",
    "org_level_3": "org_level_3",
    "org_level_4": "org_level_4",
    "org_level_5": "org_level_5",
    "organisation": "organisation",
}

SUMMARY_COLUMNS = [
    "as_of_date",
    "dimension",
    "org_unit",
    "job_role",
    "skill_code",
    "skill_name",
    "people_in_role",
    "holders",
    "coverage_pct",
    "gap_count",
    "holders_in_90_days",
    "upcoming_gap_count",
    "coverage_pct_in_90_days",
]


#: The additive part of a summary row: counts that partitions of the people add up to the whole trust's.
COUNT_KEYS = ["dimension", "org_unit", "job_role", "skill_code", "skill_name"]
COUNTS = ["people_in_role", "holders", "holders_in_90_days"]


def skills_gap_summary(
    gap_person: pd.DataFrame, people: pd.DataFrame, as_of: date, window_days: int = 90
) -> pd.DataFrame:
    """The summary for reporting date `as_of` from `skills_gap_person` and the same people in post.

    `people` supplies the org levels 4 and 5 and the assignment end date that the person table does not carry.
    """
    return gap_summary_from_counts(gap_summary_counts(gap_person, people, as_of, window_days), as_of)


def gap_summary_counts(
    gap_person: pd.DataFrame, people: pd.DataFrame, as_of: date, window_days: int = 90
) -> pd.DataFrame:
    """People in role and holders, now and ahead, per dimension, org unit, role and skill: the summary before its
    percentages and gaps, which can be added up across partitions of the people (`add_gap_summary_counts`)."""
    require_columns(
        people, ["vpd", "employee_number", "org_level_4", "org_level_5", "assignment_end_date"], "people in post"
    )
    current = gap_person.loc[(gap_person["priority"] == "essential") & ~gap_person["is_future_capability"].astype(bool)]
    if current.empty:
        return pd.DataFrame(columns=[*COUNT_KEYS, *COUNTS])
    horizon = pd.Timestamp(as_of) + pd.Timedelta(days=window_days)
    rows = current.drop(columns=["org_level_4", "org_level_5", "assignment_end_date"], errors="ignore").merge(
        people[["vpd", "employee_number", "org_level_4", "org_level_5", "assignment_end_date"]],
        on=["vpd", "employee_number"],
        how="left",
    )
    rows["holders"] = rows["status"].isin(HOLDING_STATUSES).astype(int)
    rows["holders_in_90_days"] = (
        valid_on(rows["evidenced_on"], rows["valid_until"], horizon)
        & still_in_post_after(as_timestamps(rows["assignment_end_date"]), horizon)
    ).astype(int)
    rows["people_in_role"] = 1
    frames = []
    for dimension, column in DIMENSIONS.items():
        units = rows[column].fillna("").astype(str).str.strip().replace("", NOT_RECORDED)
        keyed = rows[["job_role", "skill_code", "skill_name", *COUNTS]].assign(org_unit=units)
        grouped = keyed.groupby(["org_unit", "job_role", "skill_code", "skill_name"], sort=False)[COUNTS].sum()
        frames.append(grouped.reset_index().assign(dimension=dimension))
    return pd.concat(frames, ignore_index=True)[[*COUNT_KEYS, *COUNTS]]


def add_gap_summary_counts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The counts of several partitions of the people as the counts of all of them."""
    return add_counts(parts, COUNT_KEYS, COUNTS, sort=False)


def gap_summary_from_counts(counts: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The published summary: coverage and gaps, now and ahead, from the counts."""
    if counts.empty:
        return published(counts, SUMMARY_COLUMNS)
    summary = counts.copy()
    summary["coverage_pct"] = 100.0 * summary["holders"] / summary["people_in_role"]
    summary["gap_count"] = summary["people_in_role"] - summary["holders"]
    summary["upcoming_gap_count"] = summary["people_in_role"] - summary["holders_in_90_days"]
    summary["coverage_pct_in_90_days"] = 100.0 * summary["holders_in_90_days"] / summary["people_in_role"]
    summary["as_of_date"] = as_of
    summary = summary.sort_values(["dimension", "org_unit", "job_role", "skill_code"])
    return published(summary, SUMMARY_COLUMNS)
