"""Hand-worked cases for skills_gap_person: each status, role matching and future capabilities (D = 2026-03-31)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.skills_cases import D_PLUS_90, D, build, evidence, gap_row, inputs, need, person
from transforms.skills.gap import GAP_PERSON_COLUMNS


def paramedic_with_incident_command(*evidence_rows, needed_by=None):
    return inputs(
        [person("10000001", job_role="Clinical Team Leader")],
        [need("Clinical Team Leader", "LDR-INCIDENT", needed_by=needed_by)],
        list(evidence_rows),
    )


def certificate(expires: date, achieved: date = date(2025, 9, 1)) -> dict:
    return evidence("10000001", "totara_certification", "CERT-LDR-INCIDENT", achieved, expires=expires)


def status_with_validity_until(expires: date) -> str:
    return gap_row(paramedic_with_incident_command(certificate(expires)), skill_code="LDR-INCIDENT").status


def test_a_skill_valid_beyond_the_90_day_window_is_held():
    assert status_with_validity_until(D + timedelta(days=91)) == "held"


def test_a_skill_lapsing_exactly_90_days_ahead_is_expiring():
    assert status_with_validity_until(D_PLUS_90) == "expiring"


def test_a_skill_lapsing_the_day_after_the_reporting_date_is_expiring():
    assert status_with_validity_until(D + timedelta(days=1)) == "expiring"


def test_a_skill_lapsing_on_the_reporting_date_is_lapsed():
    assert status_with_validity_until(D) == "lapsed"


def test_a_skill_that_lapsed_last_year_is_lapsed_with_its_evidence_shown():
    row = gap_row(
        paramedic_with_incident_command(certificate(date(2025, 2, 1), achieved=date(2024, 2, 1))),
        skill_code="LDR-INCIDENT",
    )
    assert (row.status, row.evidenced_on, row.valid_until, row.evidence_source) == (
        "lapsed",
        date(2024, 2, 1),
        date(2025, 2, 1),
        "totara_certification",
    )


def test_a_skill_never_evidenced_is_missing_with_its_name_and_category_from_the_framework():
    row = gap_row(paramedic_with_incident_command(), skill_code="LDR-INCIDENT")
    assert (row.status, row.skill_name, row.category) == ("missing", "Tactical incident command", "Leadership")
    assert (row.evidenced_on, row.valid_until, row.evidence_source) == (None, None, None)


def test_a_skill_evidenced_only_after_the_reporting_date_is_missing_not_lapsed():
    row = gap_row(
        paramedic_with_incident_command(certificate(date(2027, 5, 1), achieved=date(2026, 5, 1))),
        skill_code="LDR-INCIDENT",
    )
    assert row.status == "missing"


def test_a_never_lapsing_skill_is_held():
    case = inputs(
        [person("10000001")],
        [need("Paramedic", "CLIN-CANNULA")],
        [evidence("10000001", "student_module", "PARA4008", date(2021, 6, 30))],
    )
    row = gap_row(case, skill_code="CLIN-CANNULA")
    assert (row.status, row.valid_until, row.evidence_source) == ("held", None, "student_module")


def test_the_expiring_window_is_a_parameter():
    case = paramedic_with_incident_command(certificate(D + timedelta(days=60)))
    assert build(case, window_days=90).gap_person.iloc[0].status == "expiring"
    assert build(case, window_days=30).gap_person.iloc[0].status == "held"


def test_a_negative_window_is_refused():
    with pytest.raises(ValueError, match="window_days"):
        build(paramedic_with_incident_command(), window_days=-1)


def test_status_uses_the_longest_lasting_evidence_of_two_sources():
    case = inputs(
        [person("10000001")],
        [need("Paramedic", "CLIN-ECG12")],
        [
            evidence("10000001", "student_module", "PARA5012", date(2023, 2, 1)),
            evidence("10000001", "totara_course", "CRS-ECG12", date(2023, 9, 1)),
        ],
    )
    row = gap_row(case, skill_code="CLIN-ECG12")
    assert (row.status, row.valid_until, row.evidence_source) == ("held", date(2026, 9, 1), "totara_course")


def test_job_roles_match_profiles_ignoring_case_and_spaces_and_publish_the_profiles_spelling():
    case = inputs(
        [person("10000001", job_role=" PARAMEDIC"), person("10000002", job_role="Paramedic Team Leader")],
        [need("Paramedic", "DIG-EPCR")],
    )
    gap = build(case).gap_person
    assert list(zip(gap.employee_number, gap.job_role, strict=True)) == [("10000001", "Paramedic")]


def test_a_person_whose_role_has_no_profile_has_no_rows():
    case = inputs([person("10000001", job_role="Call Handler")], [need("Paramedic", "DIG-EPCR")])
    assert build(case).gap_person.empty


def test_one_row_per_person_and_required_skill_with_the_profiles_priority():
    case = inputs(
        [person("10000001"), person("10000002")],
        [need("Paramedic", "DIG-EPCR"), need("Paramedic", "CLIN-ECG12", "Desirable")],
    )
    gap = build(case).gap_person
    assert list(gap.columns) == GAP_PERSON_COLUMNS
    assert list(zip(gap.employee_number, gap.skill_code, gap.priority, strict=True)) == [
        ("10000001", "CLIN-ECG12", "desirable"),
        ("10000001", "DIG-EPCR", "essential"),
        ("10000002", "CLIN-ECG12", "desirable"),
        ("10000002", "DIG-EPCR", "essential"),
    ]
    assert set(gap.as_of_date) == {D}
    assert set(gap.organisation) == {"457 Fulham Station"}


def test_a_requirement_needed_after_the_reporting_date_is_a_future_capability_with_its_status_computed():
    row = gap_row(
        paramedic_with_incident_command(certificate(date(2026, 5, 1)), needed_by=date(2026, 12, 31)),
        skill_code="LDR-INCIDENT",
    )
    assert (row.is_future_capability, row.needed_by, row.status) == (True, date(2026, 12, 31), "expiring")


@pytest.mark.parametrize("needed_by", [None, D, date(2025, 4, 1)])
def test_a_requirement_needed_now_or_already_due_is_current(needed_by):
    row = gap_row(paramedic_with_incident_command(needed_by=needed_by), skill_code="LDR-INCIDENT")
    assert row.is_future_capability is False
