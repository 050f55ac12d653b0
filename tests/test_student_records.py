"""Typing the student system's records: values, code lists, status mapping and problem rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.student_system.records import (
    Enrolment,
    Student,
    parse_records,
    person_candidates,
    problems_frame,
    records_frame,
)
from connectors.student_system.status_codes import load_enrolment_status_codes
from tests.student_system_support import student


def enrolment(**fields) -> dict:
    record = {
        "enrolment_id": "E0000101",
        "student_id": "S0000001",
        "programme_code": "BSCPARA",
        "programme_name": "BSc (Hons) Paramedic Science",
        "route": "direct_entry",
        "cohort": "2024/5",
        "academic_year": "2026/7",
        "year_of_study": 3,
        "mode": "F",
        "status": "C",
        "start_date": "2024-09-23",
        "expected_end_date": "2027-09-22",
        "end_date": None,
        "updated_at": "2026-11-20T08:15:00Z",
    }
    record.update(fields)
    return record


def test_a_student_becomes_a_typed_record():
    parsed = parse_records(
        "students",
        [student("S0000001", "2026-11-20T08:15:00Z", esr_employee_number=12345678, email=" g.okafor@nhs.net ")],
    )
    assert parsed.problems == ()
    (record,) = parsed.records
    assert isinstance(record, Student)
    assert record.date_of_birth == date(2001, 3, 14)
    assert record.esr_employee_number == "12345678"
    assert record.email == "g.okafor@nhs.net"
    assert record.updated_at == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
    assert record.deleted is False
    assert "2001" not in repr(record)


def test_institution_status_codes_map_to_the_four_statuses():
    codes = ["C", "i", " W ", "G"]
    parsed = parse_records("enrolments", [enrolment(enrolment_id=f"E{n}", status=c) for n, c in enumerate(codes)])
    assert [record.status for record in parsed.records] == ["active", "interrupted", "withdrawn", "completed"]


def test_an_unlisted_status_code_keeps_the_enrolment_without_a_status_and_reports_it():
    parsed = parse_records("enrolments", [enrolment(status="TX")])
    (record,) = parsed.records
    assert isinstance(record, Enrolment)
    assert (record.status_code, record.status) == ("TX", None)
    (problem,) = parsed.problems
    assert (problem.record_key, problem.field, problem.value, problem.record_kept) == (
        "E0000101",
        "status",
        "'TX'",
        True,
    )
    assert "not listed in schemas/student_status_codes.yaml" in problem.message


def test_a_value_outside_its_code_list_leaves_the_record_out_and_names_field_and_value():
    parsed = parse_records("enrolments", [enrolment(route="degree_apprenticeship")])
    assert parsed.records == ()
    (problem,) = parsed.problems
    assert (problem.collection, problem.record_key, problem.field) == ("enrolments", "E0000101", "route")
    assert problem.value == "'degree_apprenticeship'"
    assert problem.message == (
        "route must be one of apprenticeship, direct_entry, short_course, not 'degree_apprenticeship'"
    )
    assert problem.record_kept is False


@pytest.mark.parametrize(
    ("collection", "record", "field", "message"),
    [
        ("students", {"updated_at": "2026-11-20T08:15:00Z"}, "student_id", "student_id is missing"),
        (
            "module-results",
            {
                "student_id": "S1",
                "module_code": "PAR4001",
                "academic_year": "2024/5",
                "agreed_mark": 104,
                "updated_at": "2026-11-20T08:15:00Z",
            },
            "agreed_mark",
            "agreed_mark must be at most 100, not 104",
        ),
        (
            "placements",
            {
                "placement_id": "P1",
                "student_id": "S1",
                "planned_hours": "about 250",
                "updated_at": "2026-11-20T08:15:00Z",
            },
            "planned_hours",
            "expected a number, got 'about 250'",
        ),
        (
            "assessments",
            {"assessment_id": "A1", "student_id": "S1", "date": "14/03/2026", "updated_at": "2026-11-20T08:15:00Z"},
            "date",
            "expected an ISO date (YYYY-MM-DD)",
        ),
        ("students", {"student_id": "S1", "updated_at": "2026-11-20 08:15"}, "updated_at", "expected an ISO 8601"),
        (
            "students",
            {"student_id": "S1", "updated_at": "2026-11-20T08:15:00Z", "deleted": "yes"},
            "deleted",
            "expected true or false",
        ),
    ],
)
def test_malformed_records_become_problem_rows(collection, record, field, message):
    parsed = parse_records(collection, [record])
    assert parsed.records == ()
    assert [problem.field for problem in parsed.problems] == [field]
    assert parsed.problems[0].message.startswith(message)


def test_a_bad_date_of_birth_is_reported_without_showing_it():
    parsed = parse_records("students", [student("S0000001", "2026-11-20T08:15:00Z", date_of_birth="14/03/2001")])
    (problem,) = parsed.problems
    assert problem.field == "date_of_birth"
    assert problem.value == "<redacted>"
    assert "14/03/2001" not in problem.raw_record
    assert '"date_of_birth": "<redacted>"' in problem.raw_record


def test_module_results_are_keyed_by_student_module_and_year():
    record = {
        "student_id": "S0000001",
        "module_code": "PAR5002",
        "academic_year": "2025/6",
        "credits": 30,
        "agreed_mark": None,
        "result": "Z",
        "updated_at": "2026-07-10T16:00:00Z",
    }
    (problem,) = parse_records("module-results", [record]).problems
    assert problem.record_key == "S0000001|PAR5002|2025/6"


def test_tombstones_parse_with_deleted_true():
    parsed = parse_records("enrolments", [enrolment(deleted=True)])
    assert parsed.records[0].deleted is True


def test_frames_have_one_typed_column_per_field():
    parsed = parse_records("enrolments", [enrolment(), enrolment(enrolment_id="E0000102", year_of_study=None)])
    frame = records_frame("enrolments", parsed.records)
    assert list(frame.columns)[:3] == ["enrolment_id", "student_id", "programme_code"]
    assert str(frame["year_of_study"].dtype) == "Int64"
    assert str(frame["start_date"].dtype) == "datetime64[ns]"
    assert str(frame["updated_at"].dtype) == "datetime64[ns, UTC]"
    assert str(frame["deleted"].dtype) == "boolean"
    assert frame["year_of_study"].isna().tolist() == [False, True]
    assert frame.loc[0, "status"] == "active"


def test_an_empty_collection_gives_an_empty_frame_with_the_columns():
    frame = records_frame("placements", [])
    assert len(frame) == 0
    assert "attended_hours" in frame.columns
    assert len(problems_frame([])) == 0


def test_person_candidates_take_live_students_with_the_apprentice_employee_number():
    parsed = parse_records(
        "students",
        [
            student("S0000001", "2026-11-20T08:15:00Z", esr_employee_number="10000001"),
            student("S0000002", "2026-11-20T08:16:00Z", deleted=True),
        ],
    )
    candidates = person_candidates(parsed.records)
    assert candidates.to_dict("records") == [
        {
            "source_system": "student_system",
            "source_key": "S0000001",
            "employee_number": "10000001",
            "email": "s0000001@student.northbridge.ac.uk",
            "forenames": "Grace",
            "surname": "Okafor",
            "date_of_birth": datetime(2001, 3, 14),
        }
    ]


def test_status_code_file_refuses_a_code_under_two_statuses(tmp_path):
    path = tmp_path / "codes.yaml"
    path.write_text("enrolment_status:\n  active: [C, I]\n  interrupted: [i]\n")
    with pytest.raises(ValueError, match=r"codes.yaml: code 'I' is listed under both active and interrupted"):
        load_enrolment_status_codes(path)


def test_status_code_file_refuses_a_fifth_status(tmp_path):
    path = tmp_path / "codes.yaml"
    path.write_text("enrolment_status:\n  deferred: [D]\n")
    with pytest.raises(ValueError, match=r"status 'deferred' is not one of active, interrupted, withdrawn"):
        load_enrolment_status_codes(path)


def test_a_trust_status_code_file_replaces_the_shipped_one(tmp_path):
    path = tmp_path / "codes.yaml"
    path.write_text("enrolment_status:\n  active: [TX]\n")
    parsed = parse_records("enrolments", [enrolment(status="TX")], status_codes=load_enrolment_status_codes(path))
    assert parsed.records[0].status == "active"
    assert parsed.problems == ()
