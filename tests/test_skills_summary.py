"""Hand-worked cases for skills_gap_summary: coverage now and 90 days ahead, per hierarchy level (D = 2026-03-31)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.skills_cases import (
    BRENT,
    CAMDEN,
    CLINICAL_HUB,
    D_PLUS_90,
    FULHAM,
    D,
    build,
    evidence,
    inputs,
    need,
    person,
)
from transforms.skills.summary import SUMMARY_COLUMNS


def course(employee: str, achieved: date, key: str = "CRS-ECG12") -> dict:
    """A 12-lead ECG course completion (valid 36 months)."""
    return evidence(employee, "totara_course", key, achieved)


def summary_row(case, dimension="trust", org_unit="457", job_role="Paramedic", skill_code="CLIN-ECG12", **build_args):
    summary = build(case, **build_args).gap_summary
    rows = summary.loc[
        (summary.dimension == dimension)
        & (summary.org_unit == org_unit)
        & (summary.job_role == job_role)
        & (summary.skill_code == skill_code)
    ]
    assert len(rows) <= 1
    return None if rows.empty else rows.iloc[0]


def counts(row) -> tuple:
    return (
        row.people_in_role,
        row.holders,
        row.gap_count,
        row.holders_in_90_days,
        row.upcoming_gap_count,
    )


def test_held_expiring_lapsed_and_missing_make_the_coverage_now_and_in_90_days():
    case = inputs(
        [person(f"1000000{i}") for i in range(1, 5)],
        [need("Paramedic", "CLIN-ECG12")],
        [
            course("10000001", date(2025, 1, 10)),  # valid to 2028-01-10: held now and in 90 days
            course("10000002", date(2023, 5, 2)),  # valid to 2026-05-02: expiring, gone in 90 days
            course("10000003", date(2022, 11, 1)),  # lapsed 2025-11-01
        ],
    )
    row = summary_row(case)
    assert counts(row) == (4, 2, 2, 1, 3)
    assert (row.coverage_pct, row.coverage_pct_in_90_days) == (50.0, 25.0)
    assert (row.as_of_date, row.skill_name) == (D, "12-lead ECG acquisition and interpretation")


def test_validity_lapsing_exactly_at_d_plus_90_counts_now_but_not_in_90_days():
    case = inputs(
        [person("10000001"), person("10000002")],
        [need("Paramedic", "CLIN-ECG12")],
        [course("10000001", date(2023, 6, 29)), course("10000002", date(2023, 6, 30))],
    )
    build_gap = build(case).gap_person
    assert list(build_gap.valid_until) == [D_PLUS_90, D_PLUS_90 + timedelta(days=1)]
    assert list(build_gap.status) == ["expiring", "held"]
    assert counts(summary_row(case)) == (2, 2, 0, 1, 1)


@pytest.mark.parametrize(
    "ends,still_holding_in_90_days",
    [
        (D, False),
        (D + timedelta(days=30), False),
        (D_PLUS_90, False),
        (D_PLUS_90 + timedelta(days=1), True),
        (None, True),
    ],
)
def test_a_known_leaver_inside_the_90_day_window_is_not_a_holder_then_but_stays_in_the_role(
    ends, still_holding_in_90_days
):
    case = inputs(
        [person("10000001", ends=ends), person("10000002")],
        [need("Paramedic", "CLIN-ECG12")],
        [course("10000001", date(2025, 8, 19))],
    )
    row = summary_row(case)
    assert (row.people_in_role, row.holders) == (2, 1)
    assert row.holders_in_90_days == (1 if still_holding_in_90_days else 0)
    assert row.upcoming_gap_count == (1 if still_holding_in_90_days else 2)
    assert row.coverage_pct_in_90_days == (50.0 if still_holding_in_90_days else 0.0)


def test_a_leaver_without_the_skill_changes_nothing_ahead():
    case = inputs(
        [person("10000001", ends=D + timedelta(days=14)), person("10000002")],
        [need("Paramedic", "CLIN-ECG12")],
        [course("10000002", date(2025, 8, 19))],
    )
    assert counts(summary_row(case)) == (2, 1, 1, 1, 1)


def test_the_window_days_parameter_moves_the_look_ahead():
    case = inputs([person("10000001")], [need("Paramedic", "CLIN-ECG12")], [course("10000001", date(2023, 5, 15))])
    assert summary_row(case).holders_in_90_days == 0
    assert summary_row(case, window_days=30).holders_in_90_days == 1


def four_stations():
    """Paramedics at two North West stations, one North Central station and a clinical hub (no Org Level 5)."""
    people = [
        person("10000001", unit=FULHAM),
        person("10000002", unit=FULHAM),
        person("10000003", unit=BRENT),
        person("10000004", unit=CAMDEN),
        person("10000005", unit=CAMDEN),
        person("10000006", unit=CAMDEN),
        person("10000007", unit=CLINICAL_HUB),
    ]
    holders = ["10000001", "10000003", "10000004", "10000007"]
    return inputs(people, [need("Paramedic", "CLIN-ECG12")], [course(e, date(2025, 4, 1)) for e in holders])


@pytest.mark.parametrize(
    "dimension,org_unit,people_in_role,holders",
    [
        ("trust", "457", 7, 4),
        ("org_level_3", "457 Operations", 6, 3),
        ("org_level_3", "457 Emergency Operations Centres", 1, 1),
        ("org_level_4", "457 North West", 3, 2),
        ("org_level_4", "457 North Central", 3, 1),
        ("org_level_4", "457 Clinical Hub", 1, 1),
        ("org_level_5", "457 Fulham Station", 2, 1),
        ("org_level_5", "457 Brent Station", 1, 1),
        ("org_level_5", "457 Camden Station", 3, 1),
        ("org_level_5", "(not recorded)", 1, 1),
        ("organisation", "457 Clinical Hub Waterloo", 1, 1),
        ("organisation", "457 Camden Station", 3, 1),
    ],
)
def test_summary_at_each_hierarchy_level(dimension, org_unit, people_in_role, holders):
    row = summary_row(four_stations(), dimension=dimension, org_unit=org_unit)
    assert (row.people_in_role, row.holders, row.gap_count) == (people_in_role, holders, people_in_role - holders)
    assert row.coverage_pct == pytest.approx(100.0 * holders / people_in_role)


def test_every_level_adds_up_to_the_trust():
    summary = build(four_stations()).gap_summary
    totals = summary.groupby("dimension")[["people_in_role", "holders", "gap_count"]].sum()
    assert set(totals.index) == {"trust", "org_level_3", "org_level_4", "org_level_5", "organisation"}
    assert (totals == totals.loc["trust"]).all(axis=None)
    assert list(summary.columns) == SUMMARY_COLUMNS


def test_job_roles_are_summarised_separately_within_a_unit():
    case = inputs(
        [person("10000001"), person("10000002", job_role="Clinical Team Leader")],
        [need("Paramedic", "CLIN-ECG12"), need("Clinical Team Leader", "CLIN-ECG12")],
        [course("10000002", date(2025, 4, 1))],
    )
    assert counts(summary_row(case, job_role="Paramedic")) == (1, 0, 1, 0, 1)
    assert counts(summary_row(case, job_role="Clinical Team Leader")) == (1, 1, 0, 1, 0)


def test_only_current_essential_requirements_are_summarised():
    case = inputs(
        [person("10000001")],
        [
            need("Paramedic", "CLIN-ECG12"),
            need("Paramedic", "CLIN-CANNULA", "desirable"),
            need("Paramedic", "DIG-DATA", needed_by=date(2026, 12, 31)),
            need("Paramedic", "DIG-EPCR", needed_by=D),
        ],
    )
    summary = build(case).gap_summary
    assert sorted(set(summary.skill_code)) == ["CLIN-ECG12", "DIG-EPCR"]


def test_no_essential_requirements_give_an_empty_summary_with_its_columns():
    case = inputs([person("10000001")], [need("Paramedic", "CLIN-ECG12", "desirable")])
    summary = build(case).gap_summary
    assert summary.empty and list(summary.columns) == SUMMARY_COLUMNS
