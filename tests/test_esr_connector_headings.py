"""Heading map: which column of an export feeds which canonical field, with trust overrides on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.esr.errors import AmbiguousHeadingError, MissingHeadingError
from connectors.esr.fields import FIELD_TYPES, REQUIRED_FIELDS
from connectors.esr.headings import load_heading_map
from tests.esr_connector_samples import COMPETENCE_HEADINGS, STAFF_HEADINGS

STAFF_FILE = Path("landing/esr_staff_in_post_457_20251202_full.csv")
COMPETENCE_FILE = Path("landing/esr_competences_457_20251202_full.csv")


def test_shipped_map_covers_every_canonical_field_with_the_spec_heading_first():
    heading_map = load_heading_map()

    for kind, fields in FIELD_TYPES.items():
        assert list(heading_map.aliases[kind]) == list(fields)
    assert heading_map.aliases_for("staff_in_post", "employee_number")[0] == "Employee Number"
    assert heading_map.aliases_for("competences", "competency_name")[0] == "Competency Name"
    assert "Competence Name" in heading_map.aliases_for("competences", "competency_name")


def test_spec_headings_resolve_every_field_in_canonical_order():
    heading_map = load_heading_map()

    staff = heading_map.resolve("staff_in_post", STAFF_HEADINGS, STAFF_FILE)
    competences = heading_map.resolve("competences", COMPETENCE_HEADINGS, COMPETENCE_FILE)

    assert list(staff) == list(FIELD_TYPES["staff_in_post"])
    assert staff["supervisor_employee_number"] == "Supervisor Employee Number"
    assert list(competences) == list(FIELD_TYPES["competences"])
    assert competences["last_updated_by"] == "Last Updated By"


def test_matching_ignores_case_and_surrounding_or_doubled_spaces_and_returns_the_file_text():
    headings = ["  EMPLOYEE  NUMBER ", "competency name", "Date Last Awarded", "expiry date"]

    resolved = load_heading_map().resolve("competences", headings, COMPETENCE_FILE)

    assert resolved == {
        "employee_number": "  EMPLOYEE  NUMBER ",
        "competency_name": "competency name",
        "expiry_date": "expiry date",
        "date_last_awarded": "Date Last Awarded",
    }


def test_realistic_aliases_are_accepted():
    headings = ["Employee No", "Competence Name", "Date Last Awarded", "Expiry Date"]

    resolved = load_heading_map().resolve("competences", headings, COMPETENCE_FILE)

    assert resolved["employee_number"] == "Employee No"
    assert resolved["competency_name"] == "Competence Name"


def test_optional_fields_absent_from_the_file_are_left_out():
    headings = ["Employee Number", "Competency Name", "Date Last Awarded", "Expiry Date"]

    resolved = load_heading_map().resolve("competences", headings, COMPETENCE_FILE)

    assert set(resolved) == set(REQUIRED_FIELDS["competences"])


def test_missing_required_heading_names_file_missing_headings_and_what_was_found():
    headings = [h for h in STAFF_HEADINGS if h not in ("Job Role", "Assignment Status")]

    with pytest.raises(MissingHeadingError) as raised:
        load_heading_map().resolve("staff_in_post", headings, STAFF_FILE)

    error = raised.value
    assert error.file == STAFF_FILE
    assert error.missing == ["Job Role", "Assignment Status"]
    assert error.found == headings
    message = str(error)
    assert str(STAFF_FILE) in message
    assert "'Job Role', 'Assignment Status'" in message
    assert "'Position Title'" in message  # what the file does have


def test_unknown_headings_are_reported_as_ignored_but_do_not_stop_the_file():
    headings = [*COMPETENCE_HEADINGS, "Assignment Number", "Notes", ""]
    heading_map = load_heading_map()

    heading_map.resolve("competences", headings, COMPETENCE_FILE)

    assert heading_map.ignored_headings("competences", headings) == ["Assignment Number", "Notes"]


def test_override_renames_a_heading_for_a_trust():
    headings = ["Employee Number", "Course", "Date Last Awarded", "Expiry Date"]
    heading_map = load_heading_map({"competences": {"competency_name": ["Course"]}})

    resolved = heading_map.resolve("competences", headings, COMPETENCE_FILE)

    assert resolved["competency_name"] == "Course"
    assert heading_map.aliases_for("competences", "competency_name") == ("Course",)


def test_override_replaces_the_aliases_so_the_old_heading_no_longer_matches():
    heading_map = load_heading_map({"competences": {"competency_name": ["Course"]}})

    with pytest.raises(MissingHeadingError, match="'Course'"):
        heading_map.resolve("competences", COMPETENCE_HEADINGS, COMPETENCE_FILE)


def test_override_of_one_kind_leaves_the_other_kind_alone():
    heading_map = load_heading_map({"competences": {"employee_number": ["Person Id"]}})

    assert heading_map.aliases_for("staff_in_post", "employee_number")[0] == "Employee Number"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"absences": {"employee_number": ["Id"]}}, "unknown file kind 'absences'"),
        ({"competences": {"learner": ["Name"]}}, "competences has no field 'learner'"),
        ({"competences": {"competency_name": []}}, "non-empty list"),
        ({"competences": {"competency_name": ["  "]}}, "must not be blank"),
        ({"staff_in_post": {"organisation": ["Org Level 3"]}}, "'Org Level 3' is listed for both"),
    ],
)
def test_bad_overrides_are_refused_with_a_clear_message(overrides, message):
    with pytest.raises(ValueError, match=message):
        load_heading_map(overrides)


def test_two_columns_matching_one_field_are_refused_as_ambiguous():
    headings = ["Employee Number", "Employee No", "Competency Name", "Date Last Awarded", "Expiry Date"]

    with pytest.raises(AmbiguousHeadingError, match="'Employee Number', 'Employee No'.*'employee_number'"):
        load_heading_map().resolve("competences", headings, COMPETENCE_FILE)


def test_semicolon_file_read_as_one_column_gets_a_delimiter_hint():
    headings = [";".join(COMPETENCE_HEADINGS)]

    with pytest.raises(MissingHeadingError, match="separated by semicolons"):
        load_heading_map().resolve("competences", headings, COMPETENCE_FILE)


def test_heading_map_can_be_loaded_from_another_file(tmp_path):
    source = tmp_path / "headings.yaml"
    source.write_text("staff_in_post:\n  employee_number: [Employee Number]\ncompetences: {}\n", encoding="utf-8")

    with pytest.raises(ValueError, match="absent"):
        load_heading_map(source=source)
