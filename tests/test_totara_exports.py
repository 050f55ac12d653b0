"""Report Builder exports: every status text and date form read as Totara means it, problems reported not guessed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from connectors.totara.errors import TotaraExportError
from connectors.totara.export_values import by_distinct_value, parse_report_dates
from connectors.totara.exports import (
    certification_in_date,
    certifications_in_date,
    discover_totara_exports,
    parse_totara_export_name,
    read_certification_completion,
    read_competency_status,
    read_course_completion,
    read_totara_export,
    scan_totara_exports,
)
from connectors.totara.mappings import load_heading_map, normalise_heading

USER_HEADINGS = "User's Fullname,User ID Number,Username,User's Email"
COURSE_HEADINGS = (
    f"{USER_HEADINGS},Course Name,Course Shortname,Course ID Number,Completion Status,Date Enrolled,"
    "Date Started,Date Completed,Grade"
)
CERTIFICATION_HEADINGS = (
    f"{USER_HEADINGS},Certification Name,Certification ID Number,Status,Date Completed,Window Opens,Expiry Date"
)
COMPETENCY_HEADINGS = f"{USER_HEADINGS},Competency,Competency ID Number,Proficient,Scale Value,Date Achieved"
AMARA = "Amara Okafor,20000000,amara.okafor,amara.okafor@nhs.net"
BEN = "Ben Morgan,20007919,ben.morgan,ben.morgan@nhs.net"


def write_csv(folder: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def course_export(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path,
        "totara_course_completion_20251201.csv",
        [
            COURSE_HEADINGS,
            f"{AMARA},Fire Safety,FIRE,CSTF-FIRE,Not yet started,05 Mar 2024,,,",
            f"{AMARA},Infection Prevention,IPC,CSTF-IPC,In progress,05 Mar 2024,06 Mar 2024,,",
            f"{BEN},Fire Safety,FIRE,CSTF-FIRE,Complete,02 Jan 2024,03 Jan 2024,05 Mar 2024 at 14:30,85.00",
            f"{BEN},Manual Handling,MH,CSTF-MH,Complete via rpl,,,05 Jul 2024 at 14:30,",
            f"{BEN},Conflict Resolution,CR,CSTF-CR,Completed (legacy),,,31/02/2024,",
        ],
    )


def test_every_course_completion_status_text_maps_to_its_totara_code(course_export):
    records = read_course_completion(course_export).records
    assert records["status_code"].tolist()[:4] == [10, 25, 50, 75]
    assert records["is_complete"].tolist()[:4] == [False, False, True, True]


def test_complete_via_rpl_counts_as_complete(course_export):
    rpl = read_course_completion(course_export).records.iloc[3]
    assert rpl["completion_status"] == "Complete via rpl"
    assert rpl["status_code"] == 75
    assert bool(rpl["is_complete"]) is True


def test_unknown_completion_status_is_a_problem_and_left_without_a_code(course_export):
    export = read_course_completion(course_export)
    legacy = export.records.iloc[4]
    assert pd.isna(legacy["status_code"]) and pd.isna(legacy["is_complete"])
    status_problem = export.problems[export.problems["field"] == "Completion Status"]
    assert status_problem[["row_number", "value"]].values.tolist() == [[6, "Completed (legacy)"]]
    assert "unknown completion status" in status_problem["reason"].iloc[0]


def test_course_dates_with_and_without_time_are_read_in_london_time(course_export):
    records = read_course_completion(course_export).records
    ben_fire, ben_manual = records.iloc[2], records.iloc[3]
    assert ben_fire["completed_on"] == date(2024, 3, 5)
    assert ben_fire["completed_at"] == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)  # March: GMT
    assert ben_manual["completed_at"] == datetime(2024, 7, 5, 13, 30, tzinfo=UTC)  # July: BST
    assert ben_fire["enrolled_on"] == date(2024, 1, 2) and pd.isna(ben_fire["enrolled_at"])


def test_blank_dates_mean_never(course_export):
    not_started = read_course_completion(course_export).records.iloc[0]
    assert not_started["started_on"] is None and not_started["completed_on"] is None
    assert pd.isna(not_started["completed_at"])


def test_an_unreadable_date_is_a_problem_naming_row_heading_and_value(course_export):
    export = read_course_completion(course_export)
    problem = export.problems[export.problems["field"] == "Date Completed"].iloc[0]
    assert (problem["row_number"], problem["value"]) == (6, "31/02/2024")
    assert problem["file"] == str(course_export)
    assert export.records.iloc[4]["completed_on"] is None


def test_row_numbers_are_spreadsheet_rows_with_the_header_as_row_one(course_export):
    assert read_course_completion(course_export).records["row_number"].tolist() == [2, 3, 4, 5, 6]


def test_the_timezone_is_configurable(course_export):
    records = read_course_completion(course_export, timezone="Europe/Paris").records
    assert records.iloc[2]["completed_at"] == datetime(2024, 3, 5, 13, 30, tzinfo=UTC)


@pytest.fixture
def certification_export(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path,
        "totara_certification_completion_20251201.csv",
        [
            CERTIFICATION_HEADINGS,
            f"{AMARA},Basic Life Support,CERT-BLS,Expires 05 Mar 2027,05 Mar 2026,05 Jan 2027,05 Mar 2027",
            f"{AMARA},Fire Safety,CERT-FIRE,Window opens 05 Jan 2027,05 Mar 2026 at 09:15,,05 Mar 2027",
            f"{AMARA},Information Governance,CERT-IG,Due 05 Mar 2026,06 Mar 2025,05 Jan 2026,05 Mar 2026",
            f"{BEN},Basic Life Support,CERT-BLS,Overdue since 05 Mar 2024,,,",
            f"{BEN},Fire Safety,CERT-FIRE,Expired since 05 Mar 2024,05 Mar 2023,05 Jan 2024,05 Mar 2024",
            f"{BEN},Information Governance,CERT-IG,Assigned,,,",
            f"{BEN},Safeguarding Adults,CERT-SGA,N/A,,,",
            f"{BEN},Moving and Handling,CERT-MH,Certified,05 Mar 2025,,05 Mar 2028",
            f"{BEN},Prevent,CERT-PREVENT,Expires 30 Feb 2027,05 Mar 2025,,",
        ],
    )


def test_each_certification_status_text_reads_as_its_kind_and_date(certification_export):
    records = read_certification_completion(certification_export).records
    assert records["status_kind"].tolist() == [
        "certified",
        "window_open",
        "window_open",
        "overdue",
        "expired",
        "assigned",
        "not_applicable",
        None,
        "certified",
    ]
    assert records["status_date"].tolist()[:7] == [
        date(2027, 3, 5),
        date(2027, 1, 5),
        date(2026, 3, 5),
        date(2024, 3, 5),
        date(2024, 3, 5),
        None,
        None,
    ]


def test_assigned_and_not_applicable_rows_are_not_evidence(certification_export):
    records = read_certification_completion(certification_export).records
    assert records["is_evidence"].tolist() == [True, True, True, False, True, False, False, False, True]


def test_certification_date_columns_are_read(certification_export):
    first = read_certification_completion(certification_export).records.iloc[1]
    assert first["completed_on"] == date(2026, 3, 5)
    assert first["completed_at"] == datetime(2026, 3, 5, 9, 15, tzinfo=UTC)
    assert first["expires_on"] == date(2027, 3, 5)
    assert first["window_opens_on"] == date(2027, 1, 5)  # from the status text: the column was blank


def test_expiry_falls_back_to_the_date_in_an_expires_status_only(tmp_path: Path):
    path = write_csv(
        tmp_path,
        "certs.csv",
        [
            CERTIFICATION_HEADINGS,
            f"{AMARA},Basic Life Support,CERT-BLS,Expires 05 Mar 2027,05 Mar 2026,,",
            f"{AMARA},Fire Safety,CERT-FIRE,Due 05 Mar 2027,05 Mar 2026,,",
        ],
    )
    records = read_certification_completion(path).records
    assert records["expires_on"].tolist() == [date(2027, 3, 5), None]


def test_unknown_status_and_unreadable_status_date_are_problems_never_guessed(certification_export):
    problems = read_certification_completion(certification_export).problems
    by_row = problems.set_index("row_number")
    assert by_row.loc[9, "value"] == "Certified"
    assert "unknown certification status" in by_row.loc[9, "reason"]
    assert by_row.loc[10, "value"] == "Expires 30 Feb 2027"
    assert "the date in the status is not a date" in by_row.loc[10, "reason"]
    assert len(problems) == 2


def test_a_certification_is_in_date_when_certified_or_window_open_and_expiring_after_the_day(certification_export):
    records = read_certification_completion(certification_export).records
    on_1_jan_2026 = [certification_in_date(row, date(2026, 1, 1)) for _, row in records.iterrows()]
    assert on_1_jan_2026 == [True, True, True, False, False, False, False, False, False]
    assert certifications_in_date(records, date(2026, 1, 1)).tolist() == on_1_jan_2026


def test_a_certification_expiring_on_the_day_itself_is_no_longer_in_date():
    row = {"status_kind": "certified", "expires_on": date(2027, 3, 5)}
    assert certification_in_date(row, date(2027, 3, 4)) is True
    assert certification_in_date(row, date(2027, 3, 5)) is False


def test_competency_proficiency_and_achievement_dates(tmp_path: Path):
    path = write_csv(
        tmp_path,
        "totara_competency_status_20251201.csv",
        [
            COMPETENCY_HEADINGS,
            f"{AMARA},Airway Management,COMP-AIRWAY,Yes,Competent,12 Feb 2025",
            f"{BEN},Airway Management,COMP-AIRWAY,No,Not yet competent,",
            f"{BEN},Cannulation,COMP-CANN,Maybe,,",
        ],
    )
    export = read_competency_status(path)
    assert export.records["is_proficient"].tolist()[:2] == [True, False]
    assert pd.isna(export.records["is_proficient"].iloc[2])
    assert export.records["achieved_on"].tolist() == [date(2025, 2, 12), None, None]
    assert export.problems[["row_number", "field", "value"]].values.tolist() == [[4, "Proficient", "Maybe"]]


def test_cp1252_export_is_decoded_and_the_encoding_reported(tmp_path: Path):
    path = write_csv(
        tmp_path,
        "comp.csv",
        [COMPETENCY_HEADINGS, "Siân O’Neill,20031676,sian.oneill,sian@nhs.net,Triage – Adult,COMP-TRI,Yes,,"],
        encoding="cp1252",
    )
    export = read_competency_status(path)
    assert export.encoding == "cp1252"
    assert export.records["user_fullname"].iloc[0] == "Siân O’Neill"
    assert export.records["competency_name"].iloc[0] == "Triage – Adult"


def test_utf8_export_with_byte_order_mark_matches_its_first_heading(tmp_path: Path):
    path = write_csv(tmp_path, "comp.csv", [COMPETENCY_HEADINGS, f"{AMARA},Airway,COMP-AIRWAY,Yes,,"], "utf-8-sig")
    export = read_competency_status(path)
    assert export.encoding == "utf-8-sig"
    assert export.headings["user_fullname"] == "User's Fullname"


def test_headings_match_ignoring_case_and_spacing(tmp_path: Path):
    path = write_csv(
        tmp_path, "comp.csv", [COMPETENCY_HEADINGS.upper().replace(" ", "  "), f"{AMARA},Airway,COMP-AIRWAY,Yes,,"]
    )
    assert read_competency_status(path).records["competency_idnumber"].tolist() == ["COMP-AIRWAY"]


def test_a_renamed_column_needs_a_heading_override_and_the_error_says_so(tmp_path: Path):
    renamed = COMPETENCY_HEADINGS.replace("User ID Number", "Employee Number")
    path = write_csv(tmp_path, "comp.csv", [renamed, f"{AMARA},Airway,COMP-AIRWAY,Yes,,"])
    with pytest.raises(TotaraExportError) as raised:
        read_competency_status(path)
    message = str(raised.value)
    assert str(path) in message and "user_idnumber (one of 'User ID Number'" in message
    assert "'Employee Number'" in message
    headings = load_heading_map(overrides={"competency_status": {"user_idnumber": ["Employee Number"]}})
    assert read_competency_status(path, headings=headings).records["user_idnumber"].tolist() == ["20000000"]


def test_a_blank_person_key_is_a_row_problem(tmp_path: Path):
    path = write_csv(tmp_path, "comp.csv", [COMPETENCY_HEADINGS, "Locum Doctor,,locum1,,Airway,COMP-AIRWAY,Yes,,"])
    problems = read_competency_status(path).problems
    assert problems[["row_number", "field", "reason"]].values.tolist() == [
        [2, "User ID Number", "blank; every row needs it"]
    ]


def test_an_empty_file_is_an_error_naming_it(tmp_path: Path):
    path = tmp_path / "totara_course_completion_20251201.csv"
    path.write_bytes(b"")
    with pytest.raises(TotaraExportError, match="is empty"):
        read_course_completion(path)


def test_exports_are_discovered_by_name_oldest_first(tmp_path: Path):
    (tmp_path / "totara").mkdir()
    for name in (
        "totara_competency_status_20251201.csv",
        "totara/totara_course_completion_20251201.csv",
        "totara_certification_completion_20251130.csv",
        "totara_course_completion_notes.csv",
        "esr_staff_in_post_457_20251201_full.csv",
    ):
        (tmp_path / name).write_text(COMPETENCY_HEADINGS + "\n", encoding="utf-8")
    found = discover_totara_exports(tmp_path)
    assert [(f.kind, f.export_date) for f in found] == [
        ("certification_completion", date(2025, 11, 30)),
        ("course_completion", date(2025, 12, 1)),
        ("competency_status", date(2025, 12, 1)),
    ]
    assert read_totara_export(found[2]).kind == "competency_status"


def test_an_export_named_with_an_impossible_date_is_reported_not_skipped(tmp_path: Path):
    (tmp_path / "totara_course_completion_20251341.csv").write_text("x\n", encoding="utf-8")
    found, problems = scan_totara_exports(tmp_path)
    assert found == []
    assert [p.path.name for p in problems] == ["totara_course_completion_20251341.csv"]
    assert "'20251341' is not a date" in problems[0].reason
    with pytest.raises(TotaraExportError, match="'20251341' is not a date"):
        parse_totara_export_name(tmp_path / "totara_course_completion_20251341.csv")


def test_an_export_read_in_chunks_gives_the_rows_and_problems_of_the_whole_file(tmp_path: Path):
    from connectors.totara.exports import read_totara_export_chunks

    statuses = ["Complete", "In progress", "Not yet started", "Completed (legacy)", "Complete via rpl"]
    lines = [COURSE_HEADINGS]
    for n in range(25):
        completed = "31/02/2024" if n % 9 == 4 else "05 Mar 2024 at 14:30"
        user = "" if n == 17 else f"2000{n:04d}"
        lines.append(
            f"Person {n},{user},user{n},p{n}@nhs.net,Fire Safety,FIRE,CSTF-FIRE,{statuses[n % 5]},,,{completed},"
        )
    export = parse_totara_export_name(write_csv(tmp_path, "totara_course_completion_20251201.csv", lines))
    whole = read_totara_export(export)
    chunks = list(read_totara_export_chunks(export, 7))
    assert [len(chunk.records) for chunk in chunks] == [7, 7, 7, 4]
    assert [chunk.records["row_number"].iloc[0] for chunk in chunks] == [2, 9, 16, 23]
    pd.testing.assert_frame_equal(
        pd.concat([chunk.records for chunk in chunks], ignore_index=True), whole.records, check_dtype=False
    )
    problems = pd.concat([chunk.problems for chunk in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(problems, whole.problems)
    # bad dates (n = 4, 13, 22), the blank User ID Number (n = 17), the unknown status (n % 5 == 3); row = n + 2
    assert set(problems["row_number"]) == {6, 15, 24, 19, 5, 10, 20, 25}


@pytest.mark.parametrize("storage", ["str", object])
def test_text_cells_lose_every_kind_of_whitespace_run_python_knows(storage):
    """Cells with odd whitespace are rare, so only they go through the whitespace regex; which cells those are
    is found by another regex engine, and must include every character Python counts as whitespace."""
    import re

    from connectors.totara.export_values import clean_text

    cells = [
        "Fire  Safety",
        " Manual\tHandling ",
        "",
        "Basic Life Support",
        "Infection\u00a0Control",
        "Moving\n\nPeople",
        "Conflict\x0bResolution",
        "Data\u3000Security",
        "Equality\u2028Diversity",
        "Prevent\x1cLevel 1",
        None,
        "  Leadership",
        "Resilience  ",
        "Clinical \u00a0 Risk",
    ]
    cleaned = clean_text(pd.Series(cells, dtype=storage))
    expected = [None if c is None or not c.strip() else re.sub(r"\s+", " ", c.strip()) for c in cells]
    assert [None if pd.isna(v) else v for v in cleaned] == expected
    assert expected[6] == "Conflict Resolution" and expected[7] == "Data Security"


def test_a_column_of_repeated_dates_reads_as_each_cell_read_alone():
    """Each distinct text is parsed once and shared down the column; no cell may take another's reading."""
    cells = [
        "05 Mar 2024",
        None,
        "05 Mar 2024 at 14:30",
        "5 March 2024",
        "05 Mar 2024",
        "31 Feb 2024",
        "  05 Mar 2024 ",
        "",
        "27 Oct 2024 at 01:30",
        "05 Mar 2024 at 14:30",
        "not a date",
    ]
    column = pd.Series(cells * 3, index=range(100, 100 + 3 * len(cells)))
    whole = parse_report_dates(column, "Europe/London")
    alone = [parse_report_dates(pd.Series([cell]), "Europe/London") for cell in column]
    assert whole.dates.tolist() == [one.dates.iloc[0] for one in alone]
    assert whole.moments.tolist() == [one.moments.iloc[0] for one in alone]
    assert whole.unreadable.tolist() == [bool(one.unreadable.iloc[0]) for one in alone]
    assert whole.dates.index.equals(column.index) and whole.moments.index.equals(column.index)
    assert whole.unreadable.sum() == 6 and whole.dates.isna().sum() == 12


def test_mapping_by_distinct_value_equals_mapping_every_cell():
    calls = []

    def fold(text):
        calls.append(text)
        return normalise_heading(text) if isinstance(text, str) else "blank"

    column = pd.Series(["Not yet started", "In progress", None, "IN  PROGRESS", "Not yet started"] * 20)
    assert by_distinct_value(column, fold).tolist() == column.map(fold).tolist()
    assert len(calls) == 4 + len(column), "four distinct values, then the whole column by Series.map"
