"""The BI dimensions: one row per organisation with its flattened hierarchy, and a calendar with the NHS year."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from transforms.dimensions import (
    DATE_COLUMNS,
    ORG_UNIT_COLUMNS,
    DimensionInputError,
    add_assignment_chains,
    assignment_chains,
    date_dimension,
    org_unit_dimension,
)

D = date(2026, 11, 23)
NOT_RECORDED = "(not recorded)"


def _assignments(*rows: tuple) -> pd.DataFrame:
    """Rows of (organisation, org_level_3, org_level_4, org_level_5), all in VPD 457."""
    return pd.DataFrame(
        {
            "assignment_number": [f"1023456{n}" for n in range(len(rows))],
            "vpd": ["457"] * len(rows),
            "organisation": [row[0] for row in rows],
            "org_level_3": [row[1] for row in rows],
            "org_level_4": [row[2] for row in rows],
            "org_level_5": [row[3] for row in rows],
        }
    )


def _unit(dimension: pd.DataFrame, organisation: str) -> dict:
    matches = dimension.loc[dimension["organisation"] == organisation]
    assert len(matches) == 1, f"{organisation}: {len(matches)} rows"
    return matches.iloc[0].to_dict()


FULHAM = ("457 Sector North West Ops", "457 Operations", "457 North West", "457 Fulham Station")
BOARD = ("457 Trust Board Secretariat", "457 Chief Executive Office", "", None)


def test_a_unit_with_every_level_named_keeps_its_chain_and_reads_top_down_in_its_path():
    unit = _unit(org_unit_dimension(_assignments(FULHAM, FULHAM), D), "457 Sector North West Ops")
    assert unit == {
        "as_of_date": D,
        "organisation": "457 Sector North West Ops",
        "vpd": "457",
        "org_level_3": "457 Operations",
        "org_level_4": "457 North West",
        "org_level_5": "457 Fulham Station",
        "drill_level_3": "457 Operations",
        "drill_level_4": "457 North West",
        "drill_level_5": "457 Fulham Station",
        "hierarchy_path": "457 Operations > 457 North West > 457 Fulham Station > 457 Sector North West Ops",
        "levels_recorded": 3,
        "assignments": 2,
        "parent_paths_seen": 1,
    }


def test_blank_lower_levels_are_not_recorded_and_drill_down_repeats_the_level_above():
    unit = _unit(org_unit_dimension(_assignments(BOARD), D), "457 Trust Board Secretariat")
    assert (unit["org_level_4"], unit["org_level_5"]) == (NOT_RECORDED, NOT_RECORDED)
    assert (unit["drill_level_3"], unit["drill_level_4"], unit["drill_level_5"]) == ("457 Chief Executive Office",) * 3
    assert unit["hierarchy_path"] == "457 Chief Executive Office > 457 Trust Board Secretariat"
    assert unit["levels_recorded"] == 1


def test_a_blank_top_level_stays_not_recorded_even_when_a_level_below_is_named():
    unit = _unit(org_unit_dimension(_assignments(("457 Bank Pool", None, "457 Resourcing", "")), D), "457 Bank Pool")
    assert (unit["drill_level_3"], unit["drill_level_4"], unit["drill_level_5"]) == (
        NOT_RECORDED,
        "457 Resourcing",
        "457 Resourcing",
    )
    assert unit["hierarchy_path"] == "457 Resourcing > 457 Bank Pool"


def test_when_assignments_disagree_on_the_chain_the_one_most_carry_wins_and_the_disagreement_is_counted():
    moved = ("457 Sector North West Ops", "457 Operations", "457 North", "457 Fulham Station")
    unit = _unit(org_unit_dimension(_assignments(FULHAM, moved, FULHAM), D), "457 Sector North West Ops")
    assert unit["org_level_4"] == "457 North West"
    assert (unit["assignments"], unit["parent_paths_seen"]) == (3, 2)


def test_assignments_counted_a_part_at_a_time_give_the_dimension_of_all_of_them():
    moved = ("457 Sector North West Ops", "457 Operations", "457 North", "457 Fulham Station")
    spaced = (" 457 Trust Board Secretariat", "457 Chief Executive Office", None, "")
    rows = [FULHAM, moved, BOARD, FULHAM, spaced, moved, moved, ("", "457 Operations", "", "")]
    whole = org_unit_dimension(_assignments(*rows), D)
    parts = [assignment_chains(_assignments(*rows[:3])), assignment_chains(_assignments(*rows[3:]))]
    counted = org_unit_dimension(add_assignment_chains(parts), D)
    pd.testing.assert_frame_equal(counted, whole)
    assert _unit(counted, FULHAM[0])["org_level_4"] == "457 North"
    assert (_unit(counted, FULHAM[0])["assignments"], _unit(counted, BOARD[0])["assignments"]) == (5, 2)


def test_a_tie_between_chains_goes_to_the_first_in_alphabetical_order_whatever_the_row_order():
    moved = ("457 Sector North West Ops", "457 Operations", "457 North", "457 Fulham Station")
    one_way = _unit(org_unit_dimension(_assignments(FULHAM, moved), D), FULHAM[0])
    other_way = _unit(org_unit_dimension(_assignments(moved, FULHAM), D), FULHAM[0])
    assert one_way["org_level_4"] == other_way["org_level_4"] == "457 North"


def test_names_are_trimmed_so_stray_spaces_do_not_make_a_second_unit():
    spaced = (" 457 Sector North West Ops ", "457 Operations ", " 457 North West", "457 Fulham Station")
    dimension = org_unit_dimension(_assignments(FULHAM, spaced), D)
    assert list(dimension["organisation"]) == ["457 Sector North West Ops"]
    assert _unit(dimension, FULHAM[0])["parent_paths_seen"] == 1


def test_assignments_with_no_organisation_form_a_not_recorded_unit_matching_the_summary_group():
    dimension = org_unit_dimension(_assignments(("", "457 Operations", "", ""), FULHAM), D)
    assert list(dimension["organisation"]) == [NOT_RECORDED, "457 Sector North West Ops"]
    assert _unit(dimension, NOT_RECORDED)["hierarchy_path"] == f"457 Operations > {NOT_RECORDED}"


def test_one_row_per_organisation_in_the_published_column_order():
    dimension = org_unit_dimension(_assignments(FULHAM, BOARD, FULHAM, BOARD, BOARD), D)
    assert list(dimension.columns) == ORG_UNIT_COLUMNS
    assert list(dimension["organisation"]) == ["457 Sector North West Ops", "457 Trust Board Secretariat"]
    assert list(dimension["assignments"]) == [2, 3]


def test_no_assignments_give_an_empty_dimension_with_its_columns():
    dimension = org_unit_dimension(_assignments(), D)
    assert dimension.empty and list(dimension.columns) == ORG_UNIT_COLUMNS


def test_an_assignments_frame_without_the_hierarchy_is_refused_naming_the_missing_columns():
    with pytest.raises(DimensionInputError, match="lacks org_level_4, org_level_5; it needs vpd, organisation"):
        org_unit_dimension(_assignments(FULHAM).drop(columns=["org_level_4", "org_level_5"]), D)


def _day(calendar: pd.DataFrame, day: date) -> dict:
    return calendar.loc[calendar["calendar_date"] == day].iloc[0].to_dict()


def test_31_march_closes_the_financial_year_and_1_april_opens_the_next():
    calendar = date_dimension(date(2026, 3, 31), date(2026, 4, 1))
    last, first = _day(calendar, date(2026, 3, 31)), _day(calendar, date(2026, 4, 1))
    assert (
        last["financial_year"],
        last["financial_year_start"],
        last["financial_quarter"],
        last["financial_month"],
    ) == (
        "2025/26",
        2025,
        4,
        12,
    )
    assert (first["financial_year"], first["financial_quarter"], first["financial_month"]) == ("2026/27", 1, 1)
    assert (last["quarter"], first["quarter"]) == (1, 2)


def test_financial_quarters_run_april_june_july_september_october_december_january_march():
    calendar = date_dimension(date(2025, 4, 1), date(2026, 3, 31))
    quarters = calendar.groupby("financial_quarter")["calendar_date"].agg(["min", "max"])
    assert quarters.to_dict("index") == {
        1: {"min": date(2025, 4, 1), "max": date(2025, 6, 30)},
        2: {"min": date(2025, 7, 1), "max": date(2025, 9, 30)},
        3: {"min": date(2025, 10, 1), "max": date(2025, 12, 31)},
        4: {"min": date(2026, 1, 1), "max": date(2026, 3, 31)},
    }
    assert set(calendar["financial_year"]) == {"2025/26"}


def test_the_financial_year_that_starts_in_1999_is_named_1999_00():
    assert _day(date_dimension(date(1999, 4, 1), date(1999, 4, 1)), date(1999, 4, 1))["financial_year"] == "1999/00"


def test_a_reporting_monday_has_its_week_month_and_keys():
    day = _day(date_dimension(D, D), D)
    assert day == {
        "calendar_date": D,
        "date_key": 20261123,
        "year": 2026,
        "quarter": 4,
        "month": 11,
        "month_name": "November",
        "year_month": "2026-11",
        "day_of_month": 23,
        "day_of_week": 1,
        "day_name": "Monday",
        "is_weekend": False,
        "iso_year": 2026,
        "iso_week": 48,
        "week_start": D,
        "month_start": date(2026, 11, 1),
        "month_end": date(2026, 11, 30),
        "is_month_end": False,
        "financial_year": "2026/27",
        "financial_year_start": 2026,
        "financial_quarter": 3,
        "financial_month": 8,
    }


def test_new_years_day_2027_falls_in_iso_week_53_of_2026():
    day = _day(date_dimension(date(2026, 12, 28), date(2027, 1, 3)), date(2027, 1, 1))
    assert (day["iso_year"], day["iso_week"], day["week_start"]) == (2026, 53, date(2026, 12, 28))
    assert (day["year"], day["day_name"], day["is_weekend"]) == (2027, "Friday", False)


def test_a_leap_february_has_29_days_and_its_last_is_the_month_end():
    calendar = date_dimension(date(2028, 2, 1), date(2028, 3, 1))
    assert len(calendar) == 30
    leap_day = _day(calendar, date(2028, 2, 29))
    assert leap_day["is_month_end"] and leap_day["month_end"] == date(2028, 2, 29)


def test_the_calendar_has_every_day_once_in_order_with_its_published_columns():
    calendar = date_dimension(date(2024, 1, 1), date(2026, 12, 31))
    assert list(calendar.columns) == DATE_COLUMNS
    assert len(calendar) == 366 + 365 + 365
    assert calendar["calendar_date"].is_unique and calendar["calendar_date"].is_monotonic_increasing
    # 2024 starts on a Monday and 2025 on a Wednesday, 2026 on a Thursday: each year's odd days are weekdays.
    assert calendar["is_weekend"].sum() == 2 * 52 * 3


def test_an_end_before_the_start_is_refused():
    with pytest.raises(DimensionInputError, match="end 2026-03-31 is before its start 2026-04-01"):
        date_dimension(date(2026, 4, 1), date(2026, 3, 31))


def test_a_calendar_of_more_than_a_hundred_years_is_refused_as_a_mistyped_range():
    with pytest.raises(DimensionInputError, match="check the range"):
        date_dimension(date(2026, 1, 1), date(2226, 1, 1))
