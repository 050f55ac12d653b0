"""The sample trust's building blocks, checked on hand-worked cases."""

from __future__ import annotations

import csv
from datetime import date
from itertools import islice

import pytest

from sample_trust import generate_sample_trust, iter_people, required_competences
from sample_trust.catalogue import competence_period_months, load_training_needs
from sample_trust.competences import administrator_signatures
from sample_trust.dates import (
    DAY_MONTH_NAME,
    ISO,
    TOTARA,
    UK,
    YMD_MIDNIGHT,
    add_months,
    epoch_seconds,
    format_date,
    format_esr_timestamp,
    format_totara_datetime,
)
from sample_trust.esr_files import compliance_status, esr_file_name
from sample_trust.names import NameSpace, fold_for_email
from sample_trust.organisation import StaffingPlan, assignment_fields
from sample_trust.permutation import Permutation
from sample_trust.reference import first_names, last_names
from sample_trust.schedule import ExtractSchedule, TrustCalendar
from sample_trust.totara import certification_status, position_id_number

REPORTING_DAY = date(2025, 12, 2)


@pytest.mark.parametrize("size", [1, 2, 7, 100, 1000, 4097])
def test_permutation_is_a_bijection_of_the_range(size):
    shuffle = Permutation(size, "any key")
    assert sorted(shuffle(value) for value in range(size)) == list(range(size))


def test_permutation_depends_on_its_key():
    first, second = Permutation(1000, "seed 1"), Permutation(1000, "seed 2")
    assert [first(value) for value in range(20)] != [second(value) for value in range(20)]


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Siân", "sian"),
        ("O'Brien-Jones", "obrien-jones"),
        ("Zoë", "zoe"),
        ("Ní Bhriain", "nibhriain"),
        ("Søren", "soren"),
        ("Côté-Dubois", "cote-dubois"),
    ],
)
def test_names_fold_to_ascii_email_text(name, folded):
    assert fold_for_email(name) == folded


def test_reference_names_never_fold_to_the_same_email_text():
    for names in (first_names(), last_names()):
        folded = [fold_for_email(record.name) for record in names]
        assert len(set(folded)) == len(folded)


def test_email_addresses_are_unique_across_fifty_thousand_people():
    space = NameSpace("457:names", first_names(), last_names())
    locals_ = [space.name_at(index).email_local for index in range(50_000)]
    assert len(set(locals_)) == len(locals_)
    assert sum(local[-1].isdigit() for local in locals_) > 0  # a taken address gets a number, as NHS mail does


def test_email_addresses_stay_unique_past_one_lap_of_the_name_space():
    space = NameSpace("457:names", first_names(), last_names())
    wrapped = [space.name_at(space.size + index).email_local for index in range(200)]
    first_lap = {space.name_at(index).email_local for index in range(200)}
    assert not first_lap & set(wrapped)


def test_one_month_after_31_january_is_the_end_of_february():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_three_years_after_a_leap_day_is_28_february():
    assert add_months(date(2024, 2, 29), 36) == date(2027, 2, 28)


def test_months_can_be_taken_away_across_a_year_end():
    assert add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)


def test_esr_and_totara_date_texts():
    day = date(2025, 12, 2)
    assert format_date(day, DAY_MONTH_NAME) == "02-Dec-2025"
    assert format_date(day, YMD_MIDNIGHT) == "2025/12/02 00:00:00"
    assert format_date(day, UK) == "02/12/2025"
    assert format_date(day, ISO) == "2025-12-02"
    assert format_date(day, TOTARA) == "02 Dec 2025"
    assert format_esr_timestamp(date(2026, 11, 20), 18 * 3600 + 2 * 60 + 11) == "2026/11/20 18:02:11"
    assert format_totara_datetime(date(2024, 3, 5), 14 * 3600 + 30 * 60 + 59) == "05 Mar 2024 at 14:30"
    assert epoch_seconds(date(1970, 1, 2)) == 86_400


@pytest.mark.parametrize(
    ("name", "months"),
    [
        ("NHS|CSTF|Fire Safety - 2 Years|", 24),
        ("NHS|CSTF|Information Governance and Data Security - 1 Year|", 12),
        ("457|LOCAL|Clinical Risk (PAR) - 3 Years|", 36),
        ("457|LOCAL|Trust Induction|", None),
    ],
)
def test_refresher_period_is_read_from_the_competence_name(name, months):
    assert competence_period_months(name) == months


def test_award_expiring_exactly_90_days_ahead_is_amber():
    assert compliance_status(date(2026, 3, 2), REPORTING_DAY) == "AMBER"


def test_award_expiring_91_days_ahead_is_green():
    assert compliance_status(date(2026, 3, 3), REPORTING_DAY) == "GREEN"


def test_award_expiring_on_the_reporting_day_is_red():
    assert compliance_status(REPORTING_DAY, REPORTING_DAY) == "RED"


def test_competence_without_expiry_is_green():
    assert compliance_status(None, REPORTING_DAY) == "GREEN"


def test_certified_far_from_expiry_says_expires():
    status = certification_status(date(2025, 3, 5), date(2027, 3, 5), date(2024, 1, 1), REPORTING_DAY)
    assert status == "Expires 05 Mar 2027"


def test_certified_with_window_opening_within_60_days_says_window_opens():
    status = certification_status(date(2024, 4, 20), date(2026, 4, 20), date(2024, 1, 1), REPORTING_DAY)
    assert status == "Window opens 20 Jan 2026"


def test_certified_with_window_open_says_due():
    status = certification_status(date(2024, 2, 10), date(2026, 2, 10), date(2024, 1, 1), REPORTING_DAY)
    assert status == "Due 10 Feb 2026"


def test_lapsed_certification_says_expired_since():
    status = certification_status(date(2023, 3, 5), date(2024, 3, 5), date(2023, 1, 1), REPORTING_DAY)
    assert status == "Expired since 05 Mar 2024"


def test_never_completed_certification_is_overdue_after_its_due_date_and_assigned_before():
    assert certification_status(None, None, date(2025, 6, 1), REPORTING_DAY) == "Overdue since 01 Jun 2025"
    assert certification_status(None, None, date(2026, 1, 10), REPORTING_DAY) == "Assigned"


def test_position_id_numbers_are_stable_slugs():
    assert position_id_number("457", "Paramedic - Band 6") == "457-POS-PARAMEDIC-BAND-6"


def test_file_names_follow_the_product_convention():
    calendar = TrustCalendar(date(2025, 12, 3))
    schedule = ExtractSchedule.for_calendar(calendar, history=True)
    assert esr_file_name("staff_in_post", "457", schedule.extracts[0]) == "esr_staff_in_post_457_20241204_full.csv"
    assert esr_file_name("competences", "457", schedule.final) == "esr_competences_457_20251202_full.csv"


def test_history_schedule_is_baseline_four_weekly_deltas_and_final_full():
    calendar = TrustCalendar(date(2025, 12, 3))
    schedule = ExtractSchedule.for_calendar(calendar, history=True)
    dates = schedule.dates
    assert dates[0] == date(2024, 12, 4)
    assert [extract.mode for extract in schedule.extracts] == ["full"] + ["delta"] * 12 + ["full"]
    assert all((later - earlier).days == 28 for earlier, later in zip(dates[:-2], dates[1:-1], strict=True))
    assert dates[-1] == date(2025, 12, 2)


def test_a_change_first_shows_in_the_first_extract_dated_on_or_after_it():
    schedule = ExtractSchedule.for_calendar(TrustCalendar(date(2025, 12, 3)), history=True)
    assert schedule.first_showing(date(2024, 12, 4)).position == 0
    assert schedule.first_showing(date(2024, 12, 5)).position == 1
    assert schedule.first_showing(date(2025, 1, 1)).position == 1
    assert schedule.first_showing(date(2025, 12, 2)).position == 13
    assert schedule.first_showing(date(2025, 12, 3)) is None


def test_last_updated_by_names_an_administrator_in_esr_form():
    signatures = administrator_signatures("457")
    assert "457RTALUKD01|Talukdar, Dr Raihan" in signatures
    assert all(signature.startswith("457R") and "|" in signature and ", " in signature for signature in signatures)


def test_a_paramedic_at_a_station_needs_the_level_3_clinical_set_and_operations_locals():
    needs = load_training_needs("457")
    staffing = StaffingPlan("457", 10_000, 457)
    station = next(unit for unit in staffing.units if unit.kind == "station")
    record = staffing.role_record("Paramedic - Band 6")
    required = {
        competence.name for competence in needs.required_for(assignment_fields(record.role, station, "Permanent"))
    }
    assert "NHS|CSTF|Safeguarding Children - Level 3 - 3 Years|" in required
    assert "NHS|CSTF|Resuscitation - Level 3 - Adult Immediate Life Support - 1 Year|" in required
    assert "457|LOCAL|Clinical Risk (PAR) - 3 Years|" in required
    assert "NHS|CSTF|Safeguarding Children - Level 1 - 3 Years|" not in required
    assert 12 <= len(required) <= 20


def test_a_call_handler_needs_level_1_subjects_and_the_control_room_local_competence():
    needs = load_training_needs("457")
    staffing = StaffingPlan("457", 10_000, 457)
    control_room = next(unit for unit in staffing.units if unit.kind == "eoc_call")
    record = staffing.role_record("Emergency Call Handler - Band 3")
    required = {
        competence.name for competence in needs.required_for(assignment_fields(record.role, control_room, "Permanent"))
    }
    assert "457|LOCAL|EOC Business Continuity and Fallback - 1 Year|" in required
    assert "NHS|CSTF|Resuscitation - Level 1 - 1 Year|" in required
    assert "NHS|CSTF|Resuscitation - Level 3 - Adult Immediate Life Support - 1 Year|" not in required


def test_a_trust_of_ten_thousand_has_seventy_stations_and_a_smaller_one_keeps_every_sector():
    large = StaffingPlan("457", 10_000, 457)
    small = StaffingPlan("457", 300, 457)
    assert sum(unit.kind == "station" for unit in large.units) == 70
    small_stations = [unit for unit in small.units if unit.kind == "station"]
    assert len(small_stations) == 7
    assert len({unit.org_level_4 for unit in small_stations}) == 7


def test_other_generators_can_ask_what_a_person_must_hold():
    needs = load_training_needs("457")
    for person in islice(iter_people(300, seed=457, as_of=date(2025, 12, 3)), 40):
        names = {competence.name for competence in required_competences(person, needs)}
        assert "NHS|CSTF|Fire Safety - 2 Years|" in names
        if person.primary.role.job_role == "Paramedic":
            assert "NHS|CSTF|Safeguarding Adults - Level 3 - 3 Years|" in names


def test_another_vpd_prefixes_org_units_local_competences_and_file_names(tmp_path):
    summary = generate_sample_trust(tmp_path, staff=100, seed=1, as_of=date(2025, 12, 3), vpd="RRU", history=False)
    names = {path.name for path in summary.files}
    assert "esr_staff_in_post_RRU_20251202_full.csv" in names
    staff_file = summary.landing_dir / "esr" / "esr_staff_in_post_RRU_20251202_full.csv"
    with staff_file.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row]
    assert {row["VPD"] for row in rows} == {"RRU"}
    assert all(row["Organisation"].startswith("RRU ") and row["Org Level 3"].startswith("RRU ") for row in rows)
    assert "RRU Operations" in {row["Org Level 3"] for row in rows}
    tna_text = (summary.landing_dir / "trust" / "training_needs_analysis.csv").read_text("utf-8")
    assert "RRU|LOCAL|Trust Induction|" in tna_text and "457|" not in tna_text
