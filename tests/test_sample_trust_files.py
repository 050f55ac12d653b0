"""Every file of the sample trust: where it is, how it is named, that it parses, and its awkward parts."""

from __future__ import annotations

import csv
import re
from datetime import timedelta

import pytest

from sample_trust.esr_files import COMPETENCE_HEADINGS, STAFF_HEADINGS
from tests.sample_trust_support import (
    AS_OF,
    SMALL_STAFF,
    encoding_of,
    esr_files,
    file_date,
    parse_esr_date,
    read_rows,
    sample_trust,
)

FINAL_ON = AS_OF - timedelta(days=1)


@pytest.fixture(scope="module")
def trust():
    return sample_trust(SMALL_STAFF)


@pytest.fixture(scope="module")
def final_staff(trust):
    return read_rows(esr_files(trust, "staff_in_post")[-1])[1]


@pytest.fixture(scope="module")
def final_competences(trust):
    return read_rows(esr_files(trust, "competences")[-1])[1]


def test_history_gives_a_baseline_full_four_weekly_deltas_and_a_final_full(trust):
    for kind in ("staff_in_post", "competences"):
        files = esr_files(trust, kind)
        modes = [path.stem.rsplit("_", 1)[1] for path in files]
        dates = [file_date(path) for path in files]
        assert modes == ["full"] + ["delta"] * 12 + ["full"]
        assert dates[0] == AS_OF - timedelta(days=364)
        assert all((b - a).days == 28 for a, b in zip(dates[:-2], dates[1:-1], strict=True))
        assert dates[-1] == FINAL_ON
        assert all(day <= AS_OF for day in dates)
        assert all(re.fullmatch(rf"esr_{kind}_457_\d{{8}}_(full|delta)\.csv", path.name) for path in files)


def test_without_history_there_is_one_full_pair_dated_the_day_before():
    snapshot = sample_trust(SMALL_STAFF, history=False)
    names = sorted(path.name for path in (snapshot.landing_dir / "esr").iterdir())
    assert names == ["esr_competences_457_20251202_full.csv", "esr_staff_in_post_457_20251202_full.csv"]


def test_every_output_file_is_listed_and_exists(trust):
    expected = {
        "landing/trust/training_needs_analysis.csv",
        "landing/trust/skills_framework.csv",
        "landing/trust/role_skill_profiles.csv",
        "landing/totara/totara_course_completion_20251202.csv",
        "landing/totara/totara_certification_completion_20251202.csv",
        "landing/totara/totara_competency_status_20251202.csv",
        "standins/totara/users.jsonl",
        "standins/totara/job_assignments.jsonl",
        "README.txt",
    }
    listed = {path.relative_to(trust.out_dir).as_posix() for path in trust.files}
    assert expected <= listed
    assert len(listed) == len(expected) + 28
    assert all(path.is_file() for path in trust.files)


def test_every_csv_parses_with_the_stdlib_csv_module_and_rows_match_headings(trust):
    for path in trust.files:
        if path.suffix != ".csv":
            continue
        with path.open(encoding=encoding_of(path), newline="") as handle:
            rows = [row for row in csv.reader(handle) if row]
        widths = {len(row) for row in rows}
        assert widths == {len(rows[0])}, path.name


def test_esr_headings_are_exactly_the_spec_order(trust):
    for path in esr_files(trust, "staff_in_post"):
        assert tuple(read_rows(path)[0]) == STAFF_HEADINGS
    for path in esr_files(trust, "competences"):
        assert tuple(read_rows(path)[0]) == COMPETENCE_HEADINGS


def test_final_full_staff_file_is_utf8_with_a_byte_order_mark(trust):
    assert esr_files(trust, "staff_in_post")[-1].read_bytes().startswith(b"\xef\xbb\xbfEmployee Number,")
    other_files = [path for path in trust.files if path != esr_files(trust, "staff_in_post")[-1]]
    assert not any(path.read_bytes().startswith(b"\xef\xbb\xbf") for path in other_files)


def test_one_delta_staff_file_is_windows_1252_with_accents_and_apostrophes(trust):
    windows = [path for path in trust.files if encoding_of(path) == "cp1252"]
    assert len(windows) == 1
    path = windows[0]
    assert path.name.startswith("esr_staff_in_post_") and path.name.endswith("_delta.csv")
    text = path.read_bytes().decode("cp1252")
    assert "Siân" in text and "O'Brien-Jones" in text and "Renée" in text and "Zoë" in text


def test_some_files_end_in_blank_lines(trust):
    endings = {path.name: path.read_bytes().endswith(b"\r\n\r\n") for path in trust.files if path.suffix == ".csv"}
    assert endings[esr_files(trust, "staff_in_post")[-1].name]
    assert 0 < sum(endings.values()) < len(endings)


def test_dates_are_mixed_within_the_final_competences_file(trust):
    text = esr_files(trust, "competences")[-1].read_text(encoding="utf-8")
    assert re.search(r",\d{2}-[A-Z][a-z]{2}-\d{4},", text)  # 30-Nov-2028
    assert re.search(r",\d{4}/\d{2}/\d{2} 00:00:00,", text)  # 2025/12/02 00:00:00
    assert re.search(r",\d{2}/\d{2}/\d{4},", text)  # 02/12/2025
    assert re.search(r",\d{4}-\d{2}-\d{2},", text)  # 2025-12-02


def test_staff_dates_are_mixed_within_the_final_staff_file(final_staff):
    hire_texts = [row["Hire Date"] for row in final_staff]
    assert any(re.fullmatch(r"\d{2}/\d{2}/\d{4}", text) for text in hire_texts)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) for text in hire_texts)
    assert any(re.fullmatch(r"\d{2}-[A-Z][a-z]{2}-\d{4}", text) for text in hire_texts)
    assert all(re.fullmatch(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}", row["Last Updated"]) for row in final_staff)


def test_expiry_is_a_date_no_expiry_or_blank(final_competences):
    expiries = [row["Expiry Date"] for row in final_competences]
    assert "No Expiry" in expiries
    assert "" in expiries
    induction = [row for row in final_competences if row["Competency Name"] == "457|LOCAL|Trust Induction|"]
    assert induction and all(row["Expiry Date"] == "No Expiry" for row in induction if row["Date Last Awarded"])


def test_competence_names_and_last_updated_by_carry_pipes_and_commas(final_competences):
    names = {row["Competency Name"] for row in final_competences}
    assert "NHS|CSTF|Equality, Diversity and Human Rights - 3 Years|" in names
    assert any("|" in row["Last Updated By"] and ", " in row["Last Updated By"] for row in final_competences)
    assert any("," in row["Description"] for row in final_competences)


def test_names_carry_accents_apostrophes_and_hyphens(final_staff):
    first_names = {row["First Name"] for row in final_staff}
    last_names = {row["Last Name"] for row in final_staff}
    assert {"Siân", "Zoë"} <= first_names
    assert "O'Brien-Jones" in last_names
    assert any("-" in name for name in last_names - {"O'Brien-Jones", "Adeyemi-Clarke", "Côté-Dubois"})


def test_some_work_emails_and_org_levels_are_blank(final_staff):
    assert any(row["Work Email"] == "" for row in final_staff)
    assert any(row["Org Level 4"] == "" for row in final_staff)
    assert any(row["Org Level 5"] == "" for row in final_staff)


def test_work_emails_are_ascii_firstname_lastname_at_nhs_net(final_staff):
    emails = [row["Work Email"] for row in final_staff if row["Work Email"]]
    assert all(re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+@nhs\.net", email) for email in emails)
    assert "sian.obrien-jones@nhs.net" in emails
    people = {row["Employee Number"]: row["Work Email"] for row in final_staff if row["Work Email"]}
    assert len(set(people.values())) == len(people)


def test_employee_numbers_are_unique_eight_digit_strings_and_second_assignments_carry_a_suffix(final_staff):
    assert all(re.fullmatch(r"\d{8}", row["Employee Number"]) for row in final_staff)
    for row in final_staff:
        number, _, suffix = row["Assignment Number"].partition("-")
        assert number == row["Employee Number"]
        assert suffix in ("", "2", "3")
    people = {row["Employee Number"] for row in final_staff}
    assert len(people) == SMALL_STAFF
    assert len({(row["Employee Number"], row["First Name"], row["Date of Birth"]) for row in final_staff}) == len(
        people
    )


def test_supervisors_are_people_in_the_same_file(final_staff):
    people = {row["Employee Number"] for row in final_staff}
    supervisors = {row["Supervisor Employee Number"] for row in final_staff}
    assert "" in supervisors  # the chief executive
    assert supervisors - {""} <= people
    assert all(row["Supervisor Employee Number"] != row["Employee Number"] for row in final_staff)


def test_every_date_in_the_esr_files_parses(trust):
    for path in trust.files:
        if not path.name.startswith("esr_"):
            continue
        rows = read_rows(path)[1]
        for row in rows:
            for heading in ("Date of Birth", "Hire Date", "Assignment Start Date", "Assignment End Date",
                            "Last Updated", "Date Start", "Date Last Awarded"):  # fmt: skip
                if heading in row:
                    parse_esr_date(row[heading])
            if row.get("Expiry Date") not in (None, "", "No Expiry"):
                parse_esr_date(row["Expiry Date"])


def test_summary_counts_are_the_final_snapshot(trust, final_staff, final_competences):
    assert trust.staff == SMALL_STAFF
    assert trust.assignments == len(final_staff)
    assert trust.competence_rows == len(final_competences)
    assert trust.as_of == AS_OF
    assert trust.landing_dir == trust.out_dir / "landing"
    assert trust.standins_dir == trust.out_dir / "standins"


def test_readme_describes_the_counts_dates_and_files(trust):
    text = (trust.out_dir / "README.txt").read_text(encoding="utf-8")
    assert f"{SMALL_STAFF:,} staff in post" in text
    assert "2024-12-04" in text and "2025-12-02" in text
    assert "landing/esr/esr_staff_in_post_457_20251202_full.csv" in text
    assert "standins/totara/users.jsonl" in text
