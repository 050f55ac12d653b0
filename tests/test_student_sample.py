"""The sample student data: deterministic, parseable, realistic, and planted with identity cases that resolve."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from connectors.student_system.client import StudentSystemClient
from connectors.student_system.constants import COLLECTIONS
from connectors.student_system.pull import pull_collection
from connectors.student_system.records import parse_records, person_candidates, records_frame
from sample_trust.students import PARAMEDIC_PLACEMENT_HOURS, plan_sample_students, write_sample_students
from standins.student_system import run_student_standin
from tests.student_system_support import API_KEY
from transforms.identity import match_learners

AS_OF = date(2026, 11, 20)
FORENAMES = ["Siân", "Amy", "John", "Zoë", "Mary-Jane", "Chris", "Oluwaseun", "Ali", "Kate", "Tom", "Eilidh"]
SURNAMES = ["O'Brien-Jones", "Smith", "Patel", "Nuñez", "Khan", "Jones", "Ellis", "Green", "Okafor", "McAllister"]


def staff(count: int = 900) -> list[tuple[str, str, str, date, str | None]]:
    """ESR people: common surnames, some accents, a few without email and one shared station mailbox."""
    rng = random.Random(20261120)
    rows = []
    for index in range(count):
        forenames, surname = rng.choice(FORENAMES), rng.choice(SURNAMES)
        born = date(rng.randint(1965, 2003), rng.randint(1, 12), rng.randint(1, 28))
        email = f"{forenames.lower()}.{surname.lower()}{index}@nhs.net"
        if index % 40 == 0:
            email = None
        elif index % 97 == 0:
            email = "fulham.station@nhs.net"
        rows.append((f"{20000000 + index}", forenames, surname, born, email))
    return rows


@pytest.fixture(scope="module")
def sample():
    return plan_sample_students(staff(), seed=11, as_of=AS_OF)


def test_the_same_seed_writes_the_same_files_and_another_seed_does_not(tmp_path):
    counts = write_sample_students(tmp_path / "a", staff(), seed=11, as_of=AS_OF, students=150)
    write_sample_students(tmp_path / "b", staff(), seed=11, as_of=AS_OF, students=150)
    write_sample_students(tmp_path / "c", staff(), seed=12, as_of=AS_OF, students=150)
    for collection in COLLECTIONS:
        name = f"{collection}.jsonl"
        text = (tmp_path / "a" / name).read_text(encoding="utf-8")
        assert text == (tmp_path / "b" / name).read_text(encoding="utf-8")
        assert counts[collection] == len(text.splitlines())
    assert (tmp_path / "a" / "students.jsonl").read_bytes() != (tmp_path / "c" / "students.jsonl").read_bytes()
    assert counts["students"] == 150


def test_every_record_parses_and_only_the_planted_status_code_is_a_problem(sample):
    problems = []
    for collection in COLLECTIONS:
        problems.extend(parse_records(collection, sample.records[collection]).problems)
    assert [(problem.collection, problem.field, problem.value) for problem in problems] == [
        ("enrolments", "status", "'TX'")
    ]


def test_planted_joiners_and_apprentices_link_to_their_employees_and_the_twin_does_not(sample):
    students = parse_records("students", sample.records["students"]).records
    employees = pd.DataFrame(
        [
            ("esr", number, number, email, forenames, surname, born)
            for number, forenames, surname, born, email in staff()
        ],
        columns=["source_system", "source_key", "employee_number", "email", "forenames", "surname", "date_of_birth"],
    )
    result = match_learners(
        pd.concat([employees, person_candidates(students)], ignore_index=True),
        matched_at=datetime(2026, 11, 21, tzinfo=UTC),
    )
    learner = dict(
        zip(
            zip(result.crosswalk["source_system"], result.crosswalk["source_key"], strict=True),
            result.crosswalk["learner_id"],
            strict=True,
        )
    )
    method = dict(
        zip(
            zip(result.crosswalk["source_system"], result.crosswalk["source_key"], strict=True),
            result.crosswalk["match_method"],
            strict=True,
        )
    )
    expected_method = {
        "esr_number": "exact",
        "email": "email",
        "changed_surname": "email",
        "name_dob": "name_dob",
        "name_variant": "name_dob",
        "twin": "name_dob",
    }
    assert Counter(planted.how for planted in sample.links) == {
        "esr_number": 240,
        "email": 12,
        "name_dob": 8,
        "name_variant": 4,
        "changed_surname": 3,
        "twin": 1,
    }
    for planted in sample.links:
        student_key = ("student_system", planted.student_id)
        assert learner[student_key] == learner[("esr", planted.employee_number)], planted
        assert method[student_key] == expected_method[planted.how], planted
    (twin,) = sample.non_links
    assert learner[("student_system", twin.student_id)] != learner[("esr", twin.employee_number)]
    assert result.review.empty


def test_name_variants_really_differ_from_the_esr_spelling(sample):
    students = {record["student_id"]: record for record in sample.records["students"]}
    names = {number: (forenames, surname) for number, forenames, surname, _, _ in staff()}
    for planted in sample.links:
        if planted.how == "name_variant":
            record = students[planted.student_id]
            assert (record["forenames"], record["surname"]) != names[planted.employee_number]


def test_completed_paramedic_students_planned_about_1500_placement_hours(sample):
    placements = records_frame("placements", parse_records("placements", sample.records["placements"]).records)
    enrolments = records_frame("enrolments", parse_records("enrolments", sample.records["enrolments"]).records)
    graduates = enrolments.loc[
        enrolments["programme_code"].isin(["BSCPARA", "APPARA"]) & (enrolments["status"] == "completed"), "student_id"
    ]
    hours = (
        placements[placements["student_id"].isin(graduates) & ~placements["deleted"]]
        .groupby("student_id")["planned_hours"]
        .sum()
    )
    assert len(hours) > 50
    assert hours.median() == pytest.approx(PARAMEDIC_PLACEMENT_HOURS, rel=0.05)


def test_programmes_cohorts_events_shared_surnames_and_tombstones_are_all_represented(sample):
    enrolments = sample.records["enrolments"]
    assert {record["programme_code"] for record in enrolments} == {"APPARA", "BSCPARA", "ECA", "EMD", "C1DRV", "ERDRV"}
    assert all(len(record["cohort"]) == 6 and record["cohort"][4] == "/" for record in enrolments)
    assert "2024/5" in {record["cohort"] for record in enrolments}
    events = Counter(record["event"] for record in sample.records["assessments"])
    assert set(events) == {"initial", "midpoint", "final", "cause_for_concern"}
    surnames = Counter(record["surname"] for record in sample.records["students"])
    assert surnames.most_common(1)[0][1] >= 10
    deleted = {name: sum(1 for r in rows if r.get("deleted")) for name, rows in sample.records.items()}
    assert deleted["placements"] > 0 and deleted["assessments"] > 0
    assert all(record["updated_at"] < "2026-11-20" for rows in sample.records.values() for record in rows)


def test_the_stand_in_serves_the_written_files_to_the_connector(tmp_path):
    counts = write_sample_students(tmp_path, staff(), seed=3, as_of=AS_OF, students=120)
    with (
        run_student_standin(tmp_path, api_key=API_KEY) as (base_url, _),
        StudentSystemClient(base_url, API_KEY, page_size=250) as client,
    ):
        pulled = {collection: pull_collection(client, collection) for collection in COLLECTIONS}
    assert {collection: result.stats.records for collection, result in pulled.items()} == counts
