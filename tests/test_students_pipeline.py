"""The student system through the warehouse over real HTTP: incremental pulls with watermarks, the unified
learner record (students who became employees join their ESR record), steward decisions, the pipeline mart."""

from __future__ import annotations

import csv
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from flows.learners import build_student_pipeline_task, match_learners_task
from flows.students import pull_students_task
from sample_trust.students import plan_sample_students
from standins.student_system import run_student_standin
from tests.esr_files import staff_row, write_staff
from tests.pipeline_support import D, ingest
from warehouse.models import identity_review, learner, learner_crosswalk, source_watermark, student, student_pipeline

API_KEY = "student-key-for-tests"


def _employees(count: int) -> list[tuple[str, str, str, date, str]]:
    first = ["Siân", "Zoë", "Aarav", "Grace", "Tomasz", "Amara", "Liam", "Noor", "Oliver", "Chloé"]
    last = ["O'Brien-Jones", "Adeyemi", "Kowalski", "Patel", "Smith", "Nguyen", "Murphy", "Hughes"]
    people = []
    for i in range(count):
        forename, surname = first[i % len(first)], f"{last[i % len(last)]}{'' if i < len(last) else i}"
        born = date(1975 + i % 25, 1 + i % 12, 1 + i % 27)
        people.append((f"3{i:07d}", forename, surname, born, f"staff{i}@nhs.net"))
    return people


@pytest.fixture
def student_trust(trust, monkeypatch):
    config, engine, landing = trust
    employees = _employees(160)
    write_staff(landing, "20261122", "full", [
        staff_row(number, **{"First Name": forename, "Last Name": surname, "Date of Birth": born.strftime("%d/%m/%Y"),
                             "Work Email": email, "Hire Date": "01/09/2026"})
        for number, forename, surname, born, email in employees
    ])
    plan = plan_sample_students(employees, seed=11, as_of=D, students=120)
    with run_student_standin(records=plan.records, api_key=API_KEY) as (base_url, controller):
        monkeypatch.setenv("LEARNSCAPE_STUDENT_API_KEY", API_KEY)
        config = config.model_copy(update={"sources": config.sources.model_copy(update={
            "student_system": config.sources.student_system.model_copy(update={"base_url": base_url, "enabled": True})
        })})
        yield (config, engine, landing), controller, plan


def run(trust_fixture):
    config, engine, _ = trust_fixture
    ingest(trust_fixture)
    outcomes = pull_students_task.fn(engine, config, "test")
    match_learners_task.fn(engine, D)
    build_student_pipeline_task.fn(engine, D)
    return outcomes


def table(trust_fixture, model) -> pd.DataFrame:
    with trust_fixture[1].connect() as connection:
        result = connection.execute(select(model))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def test_students_who_became_employees_join_their_esr_record_by_the_right_rule(student_trust):
    trust_fixture, _, plan = student_trust
    run(trust_fixture)
    crosswalk = table(trust_fixture, learner_crosswalk)
    learner_of = {(r.source_system, r.source_key): r.learner_id for r in crosswalk.itertuples()}
    method_of = {(r.source_system, r.source_key): r.match_method for r in crosswalk.itertuples()}
    for link in plan.links:
        if link.how == "twin":
            continue
        assert learner_of[("student_system", link.student_id)] == learner_of[("esr", link.employee_number)], link
    expected_method = {"esr_number": "exact", "email": "email", "name_dob": "name_dob"}
    for link in plan.links:
        if link.how in expected_method:
            assert method_of[("student_system", link.student_id)] == expected_method[link.how]
    for non_link in plan.non_links:
        assert learner_of[("student_system", non_link.student_id)] != learner_of[("esr", non_link.employee_number)]
    published = table(trust_fixture, learner)
    assert not set(published.columns) & {"date_of_birth", "email"}


def test_a_second_pull_picks_up_only_changes_and_deletions(student_trust):
    trust_fixture, controller, plan = student_trust
    first = {o.source_file.rsplit("/", 1)[1]: o for o in run(trust_fixture)}
    assert first["students"].rows_in == len(plan.records["students"])
    victim = plan.records["students"][0]["student_id"]
    changed = plan.records["students"][1]["student_id"]
    controller.delete("students", victim)
    controller.update("students", changed, surname="Renamed")
    second = {o.source_file.rsplit("/", 1)[1]: o for o in run(trust_fixture)}
    assert second["students"].rows_in == 2 and second["enrolments"].rows_in == 0
    students = table(trust_fixture, student).set_index("student_id")
    assert victim not in students.index and students.loc[changed, "surname"] == "Renamed"
    assert len(table(trust_fixture, source_watermark)) == 5


def test_steward_rejection_separates_a_pair_and_sticks_on_later_runs(student_trust):
    trust_fixture, _, plan = student_trust
    config, engine, landing = trust_fixture
    run(trust_fixture)
    link = next(link for link in plan.links if link.how == "email")
    path = landing / "trust" / "steward_decisions.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Source System A", "Source Key A", "Source System B", "Source Key B", "Decision",
                         "Decided By", "Decided On"])
        writer.writerow(["student_system", link.student_id, "esr", link.employee_number, "rejected",
                         "Education data steward", "20/11/2026"])
    for _ in range(2):
        run(trust_fixture)
        learner_of = {(r.source_system, r.source_key): r.learner_id
                      for r in table(trust_fixture, learner_crosswalk).itertuples()}
        assert learner_of[("student_system", link.student_id)] != learner_of[("esr", link.employee_number)]
    assert table(trust_fixture, identity_review).pipe(lambda r: r.loc[r["source_key_a"] == link.student_id]).empty


def test_pipeline_mart_counts_students_hours_completions_and_hires(student_trust):
    trust_fixture, _, plan = student_trust
    run(trust_fixture)
    pipeline = table(trust_fixture, student_pipeline)
    enrolments = [e for e in plan.records["enrolments"] if not e.get("deleted")]
    assert pipeline["students"].sum() >= len({e["student_id"] for e in enrolments}) * 0.8
    assert pipeline["planned_hours"].sum() > 0 and pipeline["became_employees"].sum() > 0
    assert (pipeline["attended_hours"] <= pipeline["planned_hours"] + 1e-9).all()
