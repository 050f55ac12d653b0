"""ESR dates: every form ESR and Excel write, in one column, parsed without guessing."""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import pandas as pd
import pytest

from connectors.esr.dates import parse_esr_dates, parse_expiry_dates


def text(*values: str | None) -> pd.Series:
    return pd.Series(list(values), dtype="str")


@pytest.mark.parametrize(
    "written",
    [
        "02-Dec-2025",
        "02-DEC-2025",
        "2-dec-2025",
        "2025/12/02 00:00:00",
        "2025/12/02 17:45:00",
        "2025/12/02",
        "02/12/2025",
        "2/12/2025",
        "02/12/2025 14:30",
        "02/12/2025 14:30:59",
        "2025-12-02",
        "2025-12-02T08:15:00",
        "  02/12/2025  ",
    ],
)
def test_every_esr_form_of_2_december_2025_is_that_date_at_midnight(written):
    parsed = parse_esr_dates(text(written))

    assert parsed.dates.iloc[0] == pd.Timestamp("2025-12-02")
    assert not parsed.unparseable.iloc[0]


def test_slash_dates_are_always_day_first():
    parsed = parse_esr_dates(text("01/04/2019", "12/01/2026"))

    assert parsed.dates.tolist() == [pd.Timestamp("2019-04-01"), pd.Timestamp("2026-01-12")]


def test_mixed_forms_in_one_column_each_parse():
    parsed = parse_esr_dates(text("30-Nov-2028", "2025/12/02 00:00:00", "14/02/1989", "2026-03-31"))

    assert parsed.dates.tolist() == [
        pd.Timestamp("2028-11-30"),
        pd.Timestamp("2025-12-02"),
        pd.Timestamp("1989-02-14"),
        pd.Timestamp("2026-03-31"),
    ]
    assert parsed.dates.dtype == "datetime64[ns]"


def test_blank_and_missing_cells_are_null_but_not_problems():
    parsed = parse_esr_dates(text("", "   ", None))

    assert parsed.dates.isna().all()
    assert not parsed.unparseable.any()


@pytest.mark.parametrize("written", ["31/02/2025", "2025-02-29", "30-Feb-2024", "32-Jan-2025", "2025/13/01"])
def test_impossible_dates_are_unparseable_not_rolled_over(written):
    parsed = parse_esr_dates(text(written))

    assert pd.isna(parsed.dates.iloc[0])
    assert parsed.unparseable.iloc[0]


@pytest.mark.parametrize("written", ["next week", "12/2025", "2025.12.02", "12-02-2025", "Dec 2, 2025", "46000"])
def test_text_in_no_known_form_is_unparseable(written):
    parsed = parse_esr_dates(text(written))

    assert parsed.unparseable.iloc[0]


def test_leap_day_in_a_leap_year_is_fine():
    assert parse_esr_dates(text("29/02/2024")).dates.iloc[0] == pd.Timestamp("2024-02-29")


def test_oracle_end_of_time_is_out_of_range_and_unparseable():
    parsed = parse_esr_dates(text("31-Dec-4712", "31/12/4712"))

    assert parsed.out_of_range.tolist() == [True, True]
    assert parsed.unparseable.tolist() == [True, True]
    assert parsed.dates.isna().all()


def test_times_are_kept_when_asked_for():
    parsed = parse_esr_dates(text("2026/11/20 18:02:11", "20/11/2026 09:05", "2026-11-20"), keep_time=True)

    assert parsed.dates.tolist() == [
        pd.Timestamp("2026-11-20 18:02:11"),
        pd.Timestamp("2026-11-20 09:05"),
        pd.Timestamp("2026-11-20"),
    ]


def test_workbook_datetimes_and_dates_are_taken_as_they_are():
    cells = pd.Series(
        [datetime(2025, 12, 2, 13, 30), date(2019, 4, 1), "02/12/2025", None, time(9, 0), 46000.0],
        dtype=object,
    )

    parsed = parse_esr_dates(cells)

    assert parsed.dates.iloc[:3].tolist() == [
        pd.Timestamp("2025-12-02"),
        pd.Timestamp("2019-04-01"),
        pd.Timestamp("2025-12-02"),
    ]
    assert parsed.unparseable.tolist() == [False, False, False, False, True, True]


def test_workbook_datetime_keeps_its_time_when_asked():
    parsed = parse_esr_dates(pd.Series([datetime(2026, 11, 20, 18, 2, 11)], dtype=object), keep_time=True)

    assert parsed.dates.iloc[0] == pd.Timestamp("2026-11-20 18:02:11")


def test_result_keeps_the_input_index():
    values = pd.Series(["02/12/2025", "bad"], index=[10, 11], dtype="str")

    parsed = parse_esr_dates(values)

    assert parsed.dates.index.tolist() == [10, 11]
    assert parsed.unparseable.loc[11]


def test_no_expiry_in_any_case_is_null_with_the_no_expiry_flag():
    parsed = parse_expiry_dates(text("No Expiry", "NO EXPIRY", "no  expiry", "30-Nov-2028", "", "soon"))

    assert parsed.no_expiry.tolist() == [True, True, True, False, False, False]
    assert parsed.dates.iloc[:3].isna().all()
    assert parsed.dates.iloc[3] == pd.Timestamp("2028-11-30")
    assert parsed.unparseable.tolist() == [False, False, False, False, False, True]


def test_no_expiry_is_only_special_in_an_expiry_column():
    assert parse_esr_dates(text("No Expiry")).unparseable.iloc[0]


def test_a_million_values_parse_correctly_in_one_go():
    forms = np.array(["30-Nov-2028", "2025/12/02 00:00:00", "02/12/2025", "2025-12-02", "", "31/02/2025"])
    values = pd.Series(np.resize(forms, 1_000_000), dtype="str")

    parsed = parse_esr_dates(values)

    assert parsed.dates[values == "30-Nov-2028"].eq(pd.Timestamp("2028-11-30")).all()
    assert parsed.dates[values == "2025/12/02 00:00:00"].eq(pd.Timestamp("2025-12-02")).all()
    assert parsed.unparseable.sum() == (values == "31/02/2025").sum()
    assert parsed.dates.isna().sum() == ((values == "") | (values == "31/02/2025")).sum()


def test_dates_before_1970_with_a_time_still_fall_on_their_own_day():
    parsed = parse_esr_dates(text("1965/03/01 10:00:00", "01/03/1965"))

    assert parsed.dates.tolist() == [pd.Timestamp("1965-03-01"), pd.Timestamp("1965-03-01")]
