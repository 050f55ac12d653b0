"""Who counts on the reporting date, and under which assignment each person is reported."""

from __future__ import annotations

from datetime import date

import pandas as pd

from learnscape.config import ComplianceSettings


def in_scope_assignments(assignments: pd.DataFrame, as_of: date, rules: ComplianceSettings) -> pd.DataFrame:
    """Assignments in post on the reporting date.

    In scope: a counted status (`Active Assignment`, `Internal Secondment`, `Acting Up` by default), already
    started, and not ended before the reporting date (an assignment ending on the date itself is still in post).
    """
    day = pd.Timestamp(as_of)
    counted_status = assignments["assignment_status"].isin(rules.in_scope_statuses)
    started = _start_date(assignments).isna() | (_start_date(assignments) <= day)
    end = pd.to_datetime(assignments["assignment_end_date"])
    not_ended = end.isna() | (end >= day)
    return assignments.loc[counted_status & started & not_ended].copy()


def _start_date(assignments: pd.DataFrame) -> pd.Series:
    """The assignment's start date, falling back to the hire date when ESR left it blank."""
    start = pd.to_datetime(assignments["assignment_start_date"])
    return start.fillna(pd.to_datetime(assignments["hire_date"]))


def counting_from(assignments: pd.DataFrame, rules: ComplianceSettings) -> pd.Series:
    """The first reporting date on which an assignment's requirements count (start + the new-starter grace).

    NaT (no start or hire date at all) means the requirements count from the start.
    """
    return _start_date(assignments) + pd.Timedelta(weeks=rules.new_starter_grace_weeks)


def assignment_sort_key(assignment_number: pd.Series) -> pd.DataFrame:
    """Assignment numbers in ESR order: `12345678` before `12345678-2` before `12345678-10`."""
    parts = assignment_number.astype(str).str.extract(r"^(?P<base>[^-]*)(?:-(?P<suffix>\d+))?$")
    return pd.DataFrame(
        {
            "base": parts["base"].fillna(assignment_number.astype(str)),
            "suffix": pd.to_numeric(parts["suffix"], errors="coerce").fillna(1).astype(int),
        },
        index=assignment_number.index,
    )


def primary_assignments(in_scope: pd.DataFrame) -> pd.DataFrame:
    """One row per person: the in-scope assignment with the highest contracted WTE, then the lowest number."""
    if in_scope.empty:
        return in_scope.copy()
    ordered = in_scope.join(assignment_sort_key(in_scope["assignment_number"]))
    ordered["_wte"] = pd.to_numeric(ordered["contracted_wte"], errors="coerce").fillna(0.0)
    ordered = ordered.sort_values(
        ["vpd", "employee_number", "_wte", "base", "suffix"], ascending=[True, True, False, True, True]
    )
    primary = ordered.drop_duplicates(["vpd", "employee_number"], keep="first")
    return primary.drop(columns=["_wte", "base", "suffix"])
