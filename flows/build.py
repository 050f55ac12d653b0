"""The warehouse build: compliance marts for a reporting date, from core history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Connection

from connectors.surveys import load_locality_map, load_survey_definitions
from flows.context import resolve_run, warehouse_engine
from flows.events import announce_build, announce_run_failed
from flows.logs import run_logger
from flows.part_workers import computed_parts
from learnscape.config import LearnscapeConfig
from transforms.compliance.build import build_compliance_part
from transforms.compliance.summary import add_summary_counts, summary_from_counts
from transforms.dimensions import add_assignment_chains, assignment_chains, date_dimension, org_unit_dimension
from transforms.skills.build import build_skills_part
from transforms.skills.forecast import add_forecast_counts, forecast_from_counts
from transforms.skills.summary import add_gap_summary_counts, gap_summary_from_counts
from transforms.survey_scoring import course_evaluation, learning_engagement
from transforms.unmatched import unmatched_learners
from warehouse import surveys, totara_api
from warehouse.marts import marts_for_date, replace_whole_marts
from warehouse.models import (
    course_evaluation_response,
    survey_answer,
    survey_published_result,
    survey_respondent,
    totara_job_assignment,
    totara_user,
)
from warehouse.snapshot import (
    PeopleRange,
    compliance_inputs,
    esr_keys_on,
    learning_user_keys,
    people_ranges,
    skills_inputs,
)


@dataclass(frozen=True)
class BuildResult:
    as_of: date
    rows_written: dict[str, int]

    def merged_with(self, other: BuildResult) -> BuildResult:
        return BuildResult(as_of=self.as_of, rows_written={**self.rows_written, **other.rows_written})


def compliance_part(reader: Connection, part_people: PeopleRange, as_of: date, config: LearnscapeConfig):
    """One part's compliance rows and its organisation chains (run where `computed_parts` puts it)."""
    inputs = compliance_inputs(reader, as_of, config.trust.vpd, part_people)
    part = build_compliance_part(inputs, as_of, config.compliance)
    return part, assignment_chains(part.in_scope)


@dataclass(frozen=True)
class _ForecastInputs:
    """What the capability forecast needs besides the parts' counts: read whole, the same in every part."""

    profiles: pd.DataFrame
    framework: pd.DataFrame
    pipeline: pd.DataFrame


def skills_part(reader: Connection, part_people: PeopleRange, as_of: date, config: LearnscapeConfig):
    """One part's skills rows, how many people it held, and the forecast's inputs (read whole in every part)."""
    inputs = skills_inputs(reader, as_of, config, part_people)
    part = build_skills_part(inputs, as_of, window_days=config.compliance.expiring_window_days)
    return part, len(inputs.people), _ForecastInputs(inputs.profiles, inputs.framework, inputs.pipeline)


@task(name="build-compliance-marts", cache_policy=NO_CACHE)
def build_compliance_task(engine, config, as_of: date) -> BuildResult:
    """The compliance marts for the date, built a part of the people at a time (`build_people_per_part`) and
    swapped in whole: the summary is added up from every part's counts before anything is visible."""
    log = run_logger()
    with engine.connect() as connection:
        unmatched = _unmatched_learners(connection, as_of)
    counts, org_units = [], []
    names = [
        "compliance_person",
        "compliance_summary",
        "compliance_reconciliation",
        "unmatched_learner",
        "dim_org_unit",
    ]
    compute = partial(compliance_part, as_of=as_of, config=config)
    with marts_for_date(engine, as_of, names) as marts:
        parts = people_ranges(marts.connection, as_of, config.warehouse.build_people_per_part)
        workers = config.warehouse.build_worker_processes
        with computed_parts(marts.connection, parts, compute, workers) as computed:
            for number, (part, chains) in enumerate(computed, start=1):
                marts.write("compliance_person", part.person)
                marts.write("compliance_reconciliation", part.reconciliation)
                counts.append(part.summary_counts)
                org_units.append(chains)
                if len(parts) > 1:
                    log.info(
                        "Compliance for %s: part %d of %d, %d requirements",
                        as_of,
                        number,
                        len(parts),
                        len(part.person),
                    )
        marts.write("compliance_summary", summary_from_counts(add_summary_counts(counts), as_of, config.compliance))
        marts.write("unmatched_learner", unmatched.assign(as_of_date=as_of))
        marts.write("dim_org_unit", org_unit_dimension(add_assignment_chains(org_units), as_of))
    written = marts.written
    log.info("Compliance marts for %s: %s", as_of, ", ".join(f"{k} {v} rows" for k, v in written.items()))
    return BuildResult(as_of=as_of, rows_written=written)


def _unmatched_learners(connection, as_of: date):
    """Totara users and job assignments with no ESR record on the date, read whole: the keys alone."""
    people, assignments = esr_keys_on(connection, as_of)
    return unmatched_learners(
        people,
        assignments,
        totara_api.live_records(connection, totara_user, ("user_id", "idnumber", "username")),
        totara_api.live_records(connection, totara_job_assignment, ("job_assignment_id", "idnumber")),
        learning_user_keys(connection),
    )


@flow(name="build-warehouse", on_failure=[announce_run_failed])
def build_flow(config_file: str | None = None, as_of: str | None = None) -> BuildResult:
    """Rebuild the compliance marts for the reporting date (default today) from the warehouse's history."""
    from flows.learners import build_student_pipeline_task, match_learners_task

    settings = resolve_run(config_file, as_of=as_of)
    engine = warehouse_engine(settings.config)
    learners = match_learners_task(engine, settings.as_of)
    compliance = learners.merged_with(build_compliance_task(engine, settings.config, settings.as_of))
    skills = build_skills_task(engine, settings.config, settings.as_of)
    surveys_built = build_surveys_task(engine, settings.config)
    pipeline = build_student_pipeline_task(engine, settings.as_of)
    result = compliance.merged_with(skills).merged_with(surveys_built).merged_with(pipeline)
    announce_build(result.as_of, result.rows_written)
    return result


@task(name="build-skills-marts", cache_policy=NO_CACHE)
def build_skills_task(engine, config, as_of: date) -> BuildResult:
    """The skills marts for the date, a part of the people at a time like the compliance marts; the gap summary
    and the forecast are added up from every part's counts."""
    log = run_logger()
    summary_counts, forecast_counts = [], []
    names = ["skills_log", "skills_gap_person", "skills_gap_summary", "capability_forecast"]
    compute = partial(skills_part, as_of=as_of, config=config)
    with marts_for_date(engine, as_of, names) as marts:
        parts = people_ranges(marts.connection, as_of, config.warehouse.build_people_per_part)
        workers = config.warehouse.build_worker_processes
        with computed_parts(marts.connection, parts, compute, workers) as computed:
            for number, (part, people, part_forecast_inputs) in enumerate(computed, start=1):
                forecast_inputs = part_forecast_inputs  # the same in every part; the last one's is used below
                marts.write("skills_log", part.log.assign(as_of_date=as_of))
                marts.write("skills_gap_person", part.gap_person)
                summary_counts.append(part.gap_summary_counts)
                forecast_counts.append(part.forecast_counts)
                if len(parts) > 1:
                    log.info("Skills for %s: part %d of %d, %d people", as_of, number, len(parts), people)
        marts.write("skills_gap_summary", gap_summary_from_counts(add_gap_summary_counts(summary_counts), as_of))
        forecast = forecast_from_counts(
            add_forecast_counts(forecast_counts),
            forecast_inputs.profiles,
            forecast_inputs.framework,
            forecast_inputs.pipeline,
            as_of,
        )
        marts.write("capability_forecast", forecast)
    written = marts.written
    log.info("Skills marts for %s: %s", as_of, ", ".join(f"{k} {v} rows" for k, v in written.items()))
    return BuildResult(as_of=as_of, rows_written=written)


@task(name="build-survey-marts", cache_policy=NO_CACHE)
def build_surveys_task(engine, config) -> BuildResult:
    """learning_engagement and course_evaluation from every survey and evaluation loaded, suppressed."""
    log = run_logger()
    with engine.connect() as connection:
        respondents = surveys.read_table(connection, survey_respondent).rename(
            columns={"respondent_key": "response_id"}
        )
        answers = surveys.read_table(connection, survey_answer).rename(columns={"respondent_key": "response_id"})
        published = surveys.read_table(connection, survey_published_result)
        evaluations = surveys.read_table(connection, course_evaluation_response)
    frames = {}
    if not respondents.empty or not published.empty:
        frames["learning_engagement"] = learning_engagement(
            respondents.drop(columns="load_id"),
            answers.drop(columns="load_id").astype({"code": "Int64"}),
            load_survey_definitions(),
            load_locality_map(),
            organisation_unit=config.trust.name,
            published=published.drop(columns="load_id") if not published.empty else None,
        )
    if not evaluations.empty:
        frames["course_evaluation"] = course_evaluation(evaluations.drop(columns="load_id"))
    frames["dim_date"] = date_dimension(date(date.today().year - 10, 1, 1), date(date.today().year + 5, 12, 31))
    written = replace_whole_marts(engine, frames)
    log.info("Survey marts: %s", ", ".join(f"{k} {v} rows" for k, v in written.items()) or "no surveys loaded")
    return BuildResult(as_of=date.today(), rows_written=written)
