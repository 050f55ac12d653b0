"""Hand-worked cases for capability_forecast: needed vs held vs pipeline, and the shortfall (D = 2026-03-31)."""

from __future__ import annotations

from datetime import date

from tests.skills_cases import D, build, enrolment, evidence, inputs, need, person, student
from transforms.skills.forecast import FORECAST_COLUMNS

NEEDED_BY = date(2027, 3, 31)


def course(employee: str, achieved: date) -> dict:
    """A 12-lead ECG course completion (valid 36 months)."""
    return evidence(employee, "totara_course", "CRS-ECG12", achieved)


def forecast_row(case, job_role="Paramedic", skill_code="CLIN-ECG12"):
    forecast = build(case).forecast
    rows = forecast.loc[(forecast.job_role == job_role) & (forecast.skill_code == skill_code)]
    assert len(rows) <= 1
    return None if rows.empty else rows.iloc[0]


def figures(row) -> tuple:
    return (row.holders_needed, row.holders_now, row.in_pipeline, row.shortfall)


def seven_paramedics(pipeline=(), enrolments=()):
    """Seven paramedics who need 12-lead ECG by 31 March 2027.

    Holding it then: 01 (valid to 2028-01-10) and 07 (valid to 2028-02-01, and enrolled again: counted once).
    Not holding it then: 02 (lapses 2026-06-01; enrolled), 03 (never evidenced; enrolled), 04 (nothing),
    05 (valid to 2028-05-01 but leaves 2026-12-31; enrolled, but gone), 06 (lapses on the day needed).
    """
    people = [person(f"1000000{i}") for i in range(1, 8)]
    people[4] = person("10000005", ends=date(2026, 12, 31))
    return inputs(
        people,
        [need("Paramedic", "CLIN-ECG12", needed_by=NEEDED_BY)],
        [
            course("10000001", date(2025, 1, 10)),
            evidence("10000002", "student_module", "PARA5012", date(2023, 6, 1)),
            course("10000005", date(2025, 5, 1)),
            course("10000006", date(2024, 3, 31)),
            course("10000007", date(2025, 2, 1)),
        ],
        pipeline=list(pipeline),
        enrolments=list(enrolments)
        or [enrolment(e, "CLIN-ECG12") for e in ("10000002", "10000003", "10000005", "10000007")],
    )


def test_needed_held_and_pipeline_give_the_shortfall():
    case = seven_paramedics(
        pipeline=[
            student("Paramedic", "CLIN-ECG12", date(2026, 9, 15)),
            student("Paramedic", "CLIN-ECG12", NEEDED_BY),
            student("Paramedic", "CLIN-ECG12", date(2027, 9, 15)),
            student("Specialist Paramedic", "CLIN-ECG12", date(2026, 9, 15)),
            student("Paramedic", "CLIN-MATERNITY-NOT-NEEDED", date(2026, 9, 15)),
        ]
    )
    row = forecast_row(case)
    assert figures(row) == (7, 2, 4, 1)
    assert (row.as_of_date, row.needed_by, row.skill_name) == (
        D,
        NEEDED_BY,
        "12-lead ECG acquisition and interpretation",
    )


def test_the_shortfall_never_goes_below_zero():
    case = seven_paramedics(pipeline=[student("Paramedic", "CLIN-ECG12", date(2026, 7, 1))] * 6)
    assert figures(forecast_row(case)) == (7, 2, 8, 0)


def test_students_match_their_job_role_ignoring_case():
    case = seven_paramedics(pipeline=[student("  paramedic", "CLIN-ECG12", date(2026, 7, 1))])
    assert forecast_row(case).in_pipeline == 3


def test_a_future_need_of_a_role_nobody_holds_yet_counts_only_the_pipeline():
    case = inputs(
        [person("10000001")],
        [need("Specialist Paramedic", "DIG-DATA", "desirable", needed_by=date(2026, 12, 31))],
        pipeline=[student("Specialist Paramedic", "DIG-DATA", date(2026, 10, 1))],
    )
    assert figures(forecast_row(case, "Specialist Paramedic", "DIG-DATA")) == (0, 0, 1, 0)


def test_a_never_lapsing_skill_held_today_counts_at_any_future_date():
    case = inputs(
        [person("10000001"), person("10000002")],
        [need("Paramedic", "DIG-DATA", needed_by=date(2030, 1, 1))],
        [evidence("10000001", "totara_course", "CRS-DIG-DATA", date(2024, 2, 2))],
    )
    assert figures(forecast_row(case, skill_code="DIG-DATA")) == (2, 1, 0, 1)


def test_enrolments_count_only_for_people_in_the_role():
    case = inputs(
        [person("10000001"), person("10000002", job_role="Emergency Medical Technician")],
        [need("Paramedic", "DIG-DATA", needed_by=date(2026, 12, 31))],
        enrolments=[enrolment("10000002", "DIG-DATA"), enrolment("10000001", "DIG-EPCR")],
    )
    assert figures(forecast_row(case, skill_code="DIG-DATA")) == (1, 0, 0, 1)


def test_two_enrolments_on_courses_for_one_skill_count_the_person_once():
    case = inputs(
        [person("10000001")],
        [need("Paramedic", "DIG-DATA", needed_by=date(2026, 12, 31))],
        enrolments=[enrolment("10000001", "DIG-DATA"), enrolment("10000001", "DIG-DATA")],
    )
    assert forecast_row(case, skill_code="DIG-DATA").in_pipeline == 1


def test_current_needs_are_not_forecast_and_future_ones_are_listed_per_role_and_skill():
    case = inputs(
        [person("10000001"), person("10000002", job_role="Clinical Team Leader")],
        [
            need("Paramedic", "CLIN-ECG12"),
            need("Paramedic", "DIG-EPCR", needed_by=D),
            need("Paramedic", "DIG-DATA", "desirable", needed_by=date(2026, 12, 31)),
            need("Clinical Team Leader", "DIG-DATA", needed_by=date(2026, 9, 30)),
        ],
    )
    forecast = build(case).forecast
    assert list(forecast.columns) == FORECAST_COLUMNS
    assert list(zip(forecast.job_role, forecast.skill_code, forecast.needed_by, strict=True)) == [
        ("Clinical Team Leader", "DIG-DATA", date(2026, 9, 30)),
        ("Paramedic", "DIG-DATA", date(2026, 12, 31)),
    ]


def test_the_forecast_needs_match_the_future_capability_rows_of_the_gap_table():
    tables = build(seven_paramedics())
    future = tables.gap_person.loc[tables.gap_person.is_future_capability.astype(bool)]
    assert len(future) == forecast_row(seven_paramedics()).holders_needed == 7
    assert tables.gap_summary.empty


def test_no_future_needs_give_an_empty_forecast_with_its_columns():
    forecast = build(inputs([person("10000001")], [need("Paramedic", "CLIN-ECG12")])).forecast
    assert forecast.empty and list(forecast.columns) == FORECAST_COLUMNS
