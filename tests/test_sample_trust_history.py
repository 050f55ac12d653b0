"""The year of ESR extracts tells one coherent story: deltas replayed on the baseline agree with the final full."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sample_trust_support import SMALL_STAFF, esr_files, file_date, parse_esr_date, read_rows, sample_trust

IN_POST_OR_AWAY = {
    "Active Assignment", "Internal Secondment", "Acting Up", "Maternity & Adoption", "Career Break",
    "Suspend No Pay", "Suspend With Pay", "Out on External Secondment",
}  # fmt: skip
AWAY = IN_POST_OR_AWAY - {"Active Assignment"}
MAX_RECORDING_LAG_DAYS = 30


@pytest.fixture(scope="module")
def staff_files():
    return [(file_date(path), read_rows(path)[1]) for path in esr_files(sample_trust(SMALL_STAFF), "staff_in_post")]


@pytest.fixture(scope="module")
def competence_files():
    return [(file_date(path), read_rows(path)[1]) for path in esr_files(sample_trust(SMALL_STAFF), "competences")]


def _without_last_updated(row: dict[str, str]) -> dict[str, str]:
    return {heading: value for heading, value in row.items() if heading != "Last Updated"}


def _award_fields(row: dict[str, str]) -> tuple[str, str, str]:
    return row["Date Last Awarded"], row["Expiry Date"], row["Date Start"]


def test_full_extracts_hold_no_terminated_assignments(staff_files):
    for _, rows in (staff_files[0], staff_files[-1]):
        assert {row["Assignment Status"] for row in rows} <= IN_POST_OR_AWAY


def test_every_staff_delta_row_changed_since_the_previous_extract(staff_files):
    state = {row["Assignment Number"]: row for row in staff_files[0][1]}
    previous_date = staff_files[0][0]
    for delta_date, rows in staff_files[1:-1]:
        assert rows, f"the delta of {delta_date} is empty"
        for row in rows:
            updated = parse_esr_date(row["Last Updated"])
            assert previous_date < updated <= delta_date, row
            before = state.get(row["Assignment Number"])
            assert before is None or _without_last_updated(before) != _without_last_updated(row), row
        state.update({row["Assignment Number"]: row for row in rows})
        previous_date = delta_date


def test_replaying_the_deltas_on_the_baseline_gives_the_final_rows_unchanged_since_the_last_delta(staff_files):
    state = {row["Assignment Number"]: row for row in staff_files[0][1]}
    for _, rows in staff_files[1:-1]:
        state.update({row["Assignment Number"]: row for row in rows})
    last_delta_date = staff_files[-2][0]
    final_rows = staff_files[-1][1]
    unchanged = [row for row in final_rows if parse_esr_date(row["Last Updated"]) <= last_delta_date]
    assert len(unchanged) > 0.8 * len(final_rows)
    for row in unchanged:
        assert state[row["Assignment Number"]] == row


def test_a_leaver_terminated_in_a_delta_is_absent_from_the_final_full(staff_files):
    terminated = {}
    for delta_date, rows in staff_files[1:-1]:
        for row in rows:
            if row["Assignment Status"] == "Terminate Assignment":
                assert parse_esr_date(row["Assignment End Date"]) <= delta_date
                terminated[row["Assignment Number"]] = row
    final_numbers = {row["Assignment Number"] for row in staff_files[-1][1]}
    assert len(terminated) >= SMALL_STAFF * 0.05
    assert not set(terminated) & final_numbers
    darcy = [row for row in terminated.values() if row["Last Name"] == "D'Arcy" and row["First Name"] == "Seán"]
    assert len(darcy) == 1


def test_a_leaver_gives_notice_in_one_delta_and_is_terminated_in_the_next(staff_files):
    darcy = [
        (delta_date, row["Assignment Status"], row["Assignment End Date"])
        for delta_date, rows in staff_files[1:-1]
        for row in rows
        if row["Last Name"] == "D'Arcy"
    ]
    assert [status for _, status, _ in darcy] == ["Active Assignment", "Terminate Assignment"]
    assert darcy[0][2] == darcy[1][2] != ""
    assert (darcy[1][0] - darcy[0][0]).days == 28


def test_new_starters_arrive_in_deltas_with_recent_start_dates(staff_files):
    seen = {row["Employee Number"] for row in staff_files[0][1]}
    starters = 0
    for delta_date, rows in staff_files[1:-1]:
        for row in rows:
            if row["Employee Number"] not in seen:
                starters += 1
                hired = parse_esr_date(row["Hire Date"])
                assert delta_date - timedelta(days=28) < hired <= delta_date + timedelta(days=21), row
        seen |= {row["Employee Number"] for row in rows}
    assert starters >= SMALL_STAFF * 0.05


def test_status_changes_to_and_from_leave_arrive_in_deltas(staff_files):
    state = {row["Assignment Number"]: row["Assignment Status"] for row in staff_files[0][1]}
    went_away, came_back = set(), set()
    for _, rows in staff_files[1:-1]:
        for row in rows:
            before = state.get(row["Assignment Number"])
            status = row["Assignment Status"]
            if before == "Active Assignment" and status in AWAY:
                went_away.add(status)
            if before in AWAY and status == "Active Assignment":
                came_back.add(before)
            state[row["Assignment Number"]] = status
    assert "Maternity & Adoption" in went_away
    assert len(went_away) >= 3
    assert came_back


def test_every_competence_delta_row_is_a_new_row_or_a_new_award(competence_files):
    state = {(row["Employee Number"], row["Competency Name"]): row for row in competence_files[0][1]}
    for delta_date, rows in competence_files[1:-1]:
        assert rows, f"the competences delta of {delta_date} is empty"
        for row in rows:
            key = (row["Employee Number"], row["Competency Name"])
            before = state.get(key)
            assert before is None or before["Date Last Awarded"] != row["Date Last Awarded"], row
            state[key] = row


def test_renewals_update_date_last_awarded_and_expiry_in_place(competence_files):
    state = {(row["Employee Number"], row["Competency Name"]): row for row in competence_files[0][1]}
    renewals = 0
    for _, rows in competence_files[1:-1]:
        for row in rows:
            key = (row["Employee Number"], row["Competency Name"])
            before = state.get(key)
            if before is not None and before["Date Last Awarded"] and row["Expiry Date"] not in ("", "No Expiry"):
                assert parse_esr_date(row["Date Last Awarded"]) > parse_esr_date(before["Date Last Awarded"])
                if before["Expiry Date"] not in ("", "No Expiry"):
                    assert parse_esr_date(row["Expiry Date"]) > parse_esr_date(before["Expiry Date"])
                renewals += 1
            state[key] = row
    assert renewals >= SMALL_STAFF


def test_replaying_competence_deltas_gives_the_final_awards_made_before_the_last_delta(competence_files, staff_files):
    state = {(row["Employee Number"], row["Competency Name"]): row for row in competence_files[0][1]}
    for _, rows in competence_files[1:-1]:
        state.update({(row["Employee Number"], row["Competency Name"]): row for row in rows})
    last_delta_date = competence_files[-2][0]
    settled = last_delta_date - timedelta(days=MAX_RECORDING_LAG_DAYS)
    known_people = {row["Employee Number"] for _, rows in staff_files[:-1] for row in rows}
    checked = 0
    for row in competence_files[-1][1]:
        awarded = parse_esr_date(row["Date Last Awarded"])
        if awarded is not None and awarded <= settled and row["Employee Number"] in known_people:
            key = (row["Employee Number"], row["Competency Name"])
            assert _award_fields(state[key]) == _award_fields(row), row
            checked += 1
    assert checked > 0.7 * len(competence_files[-1][1])


def test_leavers_competences_are_absent_from_the_final_full(staff_files, competence_files):
    final_people = {row["Employee Number"] for row in staff_files[-1][1]}
    assert {row["Employee Number"] for row in competence_files[-1][1]} <= final_people
    baseline_people = {row["Employee Number"] for row in staff_files[0][1]}
    assert {row["Employee Number"] for row in competence_files[0][1]} <= baseline_people
