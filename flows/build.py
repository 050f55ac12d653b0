"""The warehouse build: compliance marts for a reporting date, from core history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from connectors.surveys import load_locality_map, load_survey_definitions
from flows.context import resolve_run, warehouse_engine
from flows.events import announce_build, announce_run_failed
from flows.logs import run_logger
from transforms.compliance.build import build_compliance
from transforms.compliance.population import in_scope_assignments
from transforms.dimensions import date_dimension, org_unit_dimension
from transforms.skills.build import build_skills
from transforms.survey_scoring import course_evaluation, learning_engagement
from transforms.unmatched import unmatched_learners
from warehouse import surveys, totara_api
from warehouse.marts import replace_marts_for_date, replace_whole_marts
from warehouse.models import (
    course_evaluation_response,
    survey_answer,
    survey_published_result,
    survey_respondent,
    totara_job_assignment,
    totara_user,
)
from warehouse.snapshot import compliance_inputs, esr_keys_on, learning_user_keys, skills_inputs


@dataclass(frozen=True)
class BuildResult:
    as_of: date
    rows_written: dict[str, int]

    def merged_with(self, other: BuildResult) -> BuildResult:
        return BuildResult(as_of=self.as_of, rows_written={**self.rows_written, **other.rows_written})


@task(name="build-compliance-marts", cache_policy=NO_CACHE)
def build_compliance_task(engine, config, as_of: date) -> BuildResult:
    log = run_logger()
    with engine.connect() as connection:
        inputs = compliance_inputs(connection, as_of, config.trust.vpd)
        people, assignments = esr_keys_on(connection, as_of)
        unmatched = unmatched_learners(
            people,
            assignments,
            totara_api.live_records(connection, totara_user),
            totara_api.live_records(connection, totara_job_assignment),
            learning_user_keys(connection),
        )
    tables = build_compliance(inputs, as_of, config.compliance)
    in_post = in_scope_assignments(inputs.assignments, as_of, config.compliance)
    written = replace_marts_for_date(
        engine,
        as_of,
        {
            "compliance_person": tables.person,
            "compliance_summary": tables.summary,
            "compliance_reconciliation": tables.reconciliation,
            "unmatched_learner": unmatched.assign(as_of_date=as_of),
            "dim_org_unit": org_unit_dimension(in_post, as_of),
        },
    )
    log.info("Compliance marts for %s: %s", as_of, ", ".join(f"{k} {v} rows" for k, v in written.items()))
    return BuildResult(as_of=as_of, rows_written=written)


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
    log = run_logger()
    with engine.connect() as connection:
        inputs = skills_inputs(connection, as_of, config)
    tables = build_skills(inputs, as_of, window_days=config.compliance.expiring_window_days)
    written = replace_marts_for_date(
        engine,
        as_of,
        {
            "skills_log": tables.log.assign(as_of_date=as_of),
            "skills_gap_person": tables.gap_person,
            "skills_gap_summary": tables.gap_summary,
            "capability_forecast": tables.forecast,
        },
    )
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
