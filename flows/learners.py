"""Building the unified learner record and the student pipeline mart."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.build import BuildResult
from flows.logs import run_logger
from transforms.identity import match_learners
from transforms.student_pipeline import student_pipeline
from warehouse import learners
from warehouse.marts import replace_marts_for_date
from warehouse.models import student_assessment, student_enrolment, student_placement
from warehouse.snapshot import first_hire_dates_on, linked_students
from warehouse.students import read_all


@task(name="match-learners", cache_policy=NO_CACHE)
def match_learners_task(engine, as_of: date) -> BuildResult:
    """One learner id per real person across ESR, Totara and the student system; ambiguous pairs to review."""
    log = run_logger()
    with engine.connect() as connection:
        people = learners.candidates(connection, as_of)
        crosswalk, decisions, retired = learners.stored(connection)
    result = match_learners(people, crosswalk, decisions, matched_at=datetime.now(UTC), retired=retired)
    with engine.begin() as connection:
        learners.store(connection, result.crosswalk, result.review, result.retired)
    methods = result.crosswalk.groupby(["source_system", "match_method"]).size()
    log.info(
        "Learners: %d source records, %d learners, %d pairs for review; by method: %s",
        len(result.crosswalk),
        result.crosswalk["learner_id"].nunique(),
        len(result.review),
        ", ".join(f"{system}/{method} {count}" for (system, method), count in methods.items()),
    )
    return BuildResult(
        as_of=as_of, rows_written={"learner": len(result.crosswalk), "identity_review": len(result.review)}
    )


@task(name="build-student-pipeline", cache_policy=NO_CACHE)
def build_student_pipeline_task(engine, as_of: date) -> BuildResult:
    with engine.connect() as connection:
        enrolments = read_all(connection, student_enrolment)
        placements = read_all(connection, student_placement)
        assessments = read_all(connection, student_assessment)
        links = linked_students(connection)
        hired = first_hire_dates_on(connection, as_of)
    if not hired.empty and not links.empty:
        hires = links.merge(hired, on="employee_number")[["student_id", "hire_date"]]
    else:
        hires = pd.DataFrame(columns=["student_id", "hire_date"])
    pipeline = student_pipeline(enrolments, placements, assessments, hires, as_of)
    written = replace_marts_for_date(engine, as_of, {"student_pipeline": pipeline})
    return BuildResult(as_of=as_of, rows_written=written)
