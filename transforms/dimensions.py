"""Dimension tables for BI tools: the organisation hierarchy flattened to one row per unit, and a calendar.

BI tools slice the marts by where people work and by date. ESR gives each assignment its organisation (the lowest
unit) and up to three levels above it (Org Level 3 at the top, then 4, then 5), any of which may be blank. The org
unit dimension turns that into one row per organisation with its whole chain, so a report can drill from
directorate down to unit without reading assignments. The date dimension is a plain calendar with the NHS
financial year (1 April to 31 March) beside the calendar one.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from transforms.compliance.summary import NOT_RECORDED

LEVELS = ("org_level_3", "org_level_4", "org_level_5")
ASSIGNMENT_COLUMNS = ("vpd", "organisation", *LEVELS)
PATH_SEPARATOR = " > "
#: In `org_unit_dimension`'s input, how many assignments a row stands for (1 when the column is absent).
WEIGHT = "assignments"

ORG_UNIT_COLUMNS = [
    "as_of_date",
    "organisation",
    "vpd",
    "org_level_3",
    "org_level_4",
    "org_level_5",
    "drill_level_3",
    "drill_level_4",
    "drill_level_5",
    "hierarchy_path",
    "levels_recorded",
    "assignments",
    "parent_paths_seen",
]

DATE_COLUMNS = [
    "calendar_date",
    "date_key",
    "year",
    "quarter",
    "month",
    "month_name",
    "year_month",
    "day_of_month",
    "day_of_week",
    "day_name",
    "is_weekend",
    "iso_year",
    "iso_week",
    "week_start",
    "month_start",
    "month_end",
    "is_month_end",
    "financial_year",
    "financial_year_start",
    "financial_quarter",
    "financial_month",
]
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FINANCIAL_YEAR_FIRST_MONTH = 4
#: A calendar longer than this is a mistake in the range (a year typed as 20226, say), not a real need.
MAX_CALENDAR_DAYS = 100 * 366


class DimensionInputError(ValueError):
    """The input cannot make a dimension; the message names the column or value."""


def org_unit_dimension(assignments: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per organisation seen in `assignments` on `as_of`, with its flattened hierarchy.

    `assignments` has one row per assignment (as known on the reporting date) with vpd, organisation and
    org_level_3/4/5. Blank values become "(not recorded)", as in `compliance_summary.group_value`, so a summary
    row joins to its unit. When assignments disagree on the chain above an organisation (a reorganisation half
    applied in ESR), the chain most of its assignments carry wins, ties going to the first in alphabetical order;
    `parent_paths_seen` counts the chains seen so the disagreement stays visible.

    The `drill_level_*` columns fill a blank level with the nearest named level above it, so a BI drill-down
    from level 3 to the unit does not pass through a blank below a named level; a level with nothing named above
    it stays "(not recorded)".

    A row may stand for several assignments with the same organisation and chain: their number is its
    `assignments` column (`assignment_chains` makes such rows), so a region's assignments can be counted a part
    at a time and the dimension made once from the counts.
    """
    missing = [column for column in ASSIGNMENT_COLUMNS if column not in assignments.columns]
    if missing:
        raise DimensionInputError(
            f"The assignments frame lacks {', '.join(missing)}; it needs {', '.join(ASSIGNMENT_COLUMNS)}"
        )
    if assignments.empty:
        return pd.DataFrame(columns=ORG_UNIT_COLUMNS)
    units = pd.DataFrame({column: _recorded(assignments[column]) for column in ("organisation", *LEVELS)})
    units["vpd"] = assignments["vpd"].astype("string").str.strip().fillna("").astype(object)
    chain = ["vpd", *LEVELS]
    units["_assignments"] = assignments[WEIGHT].to_numpy() if WEIGHT in assignments.columns else 1
    counted = (
        units.groupby(["organisation", *chain], sort=False)["_assignments"]
        .sum()
        .rename("chain_assignments")
        .reset_index()
    )
    counted = counted.sort_values(
        ["organisation", "chain_assignments", *chain], ascending=[True, False, True, True, True, True]
    )
    per_unit = counted.groupby("organisation", sort=True).agg(
        assignments=("chain_assignments", "sum"), parent_paths_seen=("chain_assignments", "size")
    )
    dimension = counted.drop_duplicates("organisation").set_index("organisation").join(per_unit).reset_index()
    dimension["vpd"] = dimension["vpd"].replace("", None)
    recorded_levels = dimension[list(LEVELS)].ne(NOT_RECORDED)
    dimension["levels_recorded"] = recorded_levels.sum(axis=1).astype(int)
    named = dimension[["organisation", *LEVELS]]
    dimension["hierarchy_path"] = [
        PATH_SEPARATOR.join([*(level for level in levels if level != NOT_RECORDED), organisation])
        for organisation, *levels in named.itertuples(index=False)
    ]
    drills = [_drill(levels) for _, *levels in named.itertuples(index=False)]
    for position, level in enumerate(LEVELS):
        dimension[level.replace("org_", "drill_")] = [drill[position] for drill in drills]
    dimension["as_of_date"] = as_of
    dimension["assignments"] = dimension["assignments"].astype(int)
    dimension["parent_paths_seen"] = dimension["parent_paths_seen"].astype(int)
    return dimension[ORG_UNIT_COLUMNS].sort_values("organisation").reset_index(drop=True)


def assignment_chains(assignments: pd.DataFrame) -> pd.DataFrame:
    """Assignments counted per organisation and chain (the `assignments` column); frames of several parts of a
    trust combine with `add_assignment_chains`, and either feeds `org_unit_dimension`."""
    return add_assignment_chains([assignments[list(ASSIGNMENT_COLUMNS)].assign(**{WEIGHT: 1})])


def add_assignment_chains(parts: list[pd.DataFrame]) -> pd.DataFrame:
    combined = pd.concat(parts, ignore_index=True)
    return combined.groupby(list(ASSIGNMENT_COLUMNS), dropna=False, sort=False)[WEIGHT].sum().reset_index()


def _recorded(values: pd.Series) -> pd.Series:
    """Trimmed text, with blanks and missing values as "(not recorded)"."""
    text = values.astype("string").str.strip()
    return text.mask(text.isna() | (text == ""), NOT_RECORDED).astype(object)


def _drill(levels: list[str]) -> tuple[str, ...]:
    filled = []
    above = NOT_RECORDED
    for level in levels:
        if level != NOT_RECORDED:
            above = level
        filled.append(above)
    return tuple(filled)


def date_dimension(start: date, end: date) -> pd.DataFrame:
    """One row per calendar day from `start` to `end` inclusive, with calendar, ISO-week and NHS financial fields.

    The NHS financial year runs 1 April to 31 March and is named by both years: 1 April 2025 is in 2025/26,
    financial quarter 1, financial month 1; 31 March 2026 is in 2025/26, quarter 4, month 12.
    """
    if end < start:
        raise DimensionInputError(f"The calendar's end {end.isoformat()} is before its start {start.isoformat()}")
    if (end - start).days + 1 > MAX_CALENDAR_DAYS:
        raise DimensionInputError(
            f"The calendar from {start.isoformat()} to {end.isoformat()} spans more than {MAX_CALENDAR_DAYS} days; "
            "check the range"
        )
    days = pd.date_range(start, end, freq="D")
    iso = days.isocalendar()
    months_into_financial_year = (days.month - FINANCIAL_YEAR_FIRST_MONTH) % 12
    financial_year_start = days.year - (days.month < FINANCIAL_YEAR_FIRST_MONTH).astype(int)
    month_start = days.to_period("M").to_timestamp()
    month_end = days + pd.offsets.MonthEnd(0)
    week_start = days - pd.to_timedelta(days.dayofweek, unit="D")
    frame = pd.DataFrame(
        {
            "calendar_date": days.date,
            "date_key": (days.year * 10_000 + days.month * 100 + days.day).astype(int),
            "year": days.year.astype(int),
            "quarter": days.quarter.astype(int),
            "month": days.month.astype(int),
            "month_name": [MONTH_NAMES[month - 1] for month in days.month],
            "year_month": days.strftime("%Y-%m"),
            "day_of_month": days.day.astype(int),
            "day_of_week": (days.dayofweek + 1).astype(int),
            "day_name": [DAY_NAMES[day] for day in days.dayofweek],
            "is_weekend": days.dayofweek >= 5,
            "iso_year": iso["year"].to_numpy().astype(int),
            "iso_week": iso["week"].to_numpy().astype(int),
            "week_start": week_start.date,
            "month_start": month_start.date,
            "month_end": month_end.date,
            "is_month_end": days.is_month_end,
            "financial_year": [f"{year}/{(year + 1) % 100:02d}" for year in financial_year_start],
            "financial_year_start": financial_year_start.astype(int),
            "financial_quarter": (months_into_financial_year // 3 + 1).astype(int),
            "financial_month": (months_into_financial_year + 1).astype(int),
        }
    )
    return frame[DATE_COLUMNS]
