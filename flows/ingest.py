"""Ingestion flows: every new file in the landing folder, source by source, in application order."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from connectors.esr.files import scan_esr_files
from connectors.esr.headings import load_heading_map
from connectors.totara.exports import scan_totara_exports
from connectors.trust_rules.files import find_rule_files
from flows.context import resolve_run, warehouse_engine
from flows.esr_ingest import ingest_esr_file, prune_staging
from flows.events import announce_load_outcomes, announce_run_failed
from flows.logs import run_logger
from flows.outcomes import LoadOutcome, refuse_unreadable
from flows.surveys_ingest import discover_survey_files, ingest_survey_file
from flows.totara_ingest import ingest_totara_export
from flows.trust_rules_ingest import ingest_rule_file
from transforms.validation.gx_runner import shared_validator, write_shared_data_docs


@task(
    name="load-esr-file",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=[5, 30],
    retry_condition_fn=lambda task, run, state: _is_transient(state),
)
def load_esr_file_task(engine, esr_file, config, run_id: str | None) -> LoadOutcome:
    validator = shared_validator(str(config.reports_dir / "data_docs"))
    headings = load_heading_map(overrides=config.sources.esr.headings or None)
    outcome = ingest_esr_file(
        engine, esr_file, config, headings, validator, run_id, chunk_rows=config.sources.esr.chunk_rows
    )
    prune_staging(engine, esr_file.kind, config.warehouse.staging_loads_kept)
    return outcome


@task(name="load-trust-rule-file", cache_policy=NO_CACHE)
def load_rule_file_task(engine, path: Path, config, received_on: date, run_id: str | None) -> LoadOutcome:
    validator = shared_validator(str(config.reports_dir / "data_docs"))
    return ingest_rule_file(engine, path, validator, received_on, run_id)


@task(name="load-totara-export", cache_policy=NO_CACHE)
def load_totara_export_task(engine, export_file, config, run_id: str | None) -> LoadOutcome:
    validator = shared_validator(str(config.reports_dir / "data_docs"))
    return ingest_totara_export(engine, export_file, config, validator, run_id)


@task(name="load-survey-file", cache_policy=NO_CACHE)
def load_survey_file_task(engine, survey_file, config, run_id: str | None) -> LoadOutcome:
    validator = shared_validator(str(config.reports_dir / "data_docs"))
    return ingest_survey_file(engine, survey_file, validator, run_id)


def _is_transient(state) -> bool:
    """Retry only database lock and connection failures; validation refusals are returned, not raised."""
    try:
        state.result()
    except Exception as error:
        text = f"{type(error).__name__}: {error}".lower()
        return any(word in text for word in ("database is locked", "operationalerror", "connection"))
    return False


def ingest_landing(
    engine, config, landing: Path, run_id: str | None, received_on: date, as_tasks: bool = True
) -> list[LoadOutcome]:
    """Load everything new under `landing`: trust rules first, then ESR files in
    extract-date order, then Totara report exports, then survey files.

    `as_tasks=False` runs the same steps as plain functions (no Prefect run), for tools and tests. Data Docs for
    every batch validated are written at the end, whatever happened.
    """
    try:
        return _ingest_landing(engine, config, landing, run_id, received_on, as_tasks)
    finally:
        write_shared_data_docs(str(config.reports_dir / "data_docs"))


def _ingest_landing(
    engine, config, landing: Path, run_id: str | None, received_on: date, as_tasks: bool
) -> list[LoadOutcome]:
    log = run_logger()
    load_rules = load_rule_file_task if as_tasks else load_rule_file_task.fn
    load_esr = load_esr_file_task if as_tasks else load_esr_file_task.fn
    outcomes = []
    for rule_file in find_rule_files(landing).values():
        outcomes.append(load_rules(engine, rule_file, config, received_on, run_id))
    esr_files, esr_problems = scan_esr_files(landing)
    totara_exports, totara_problems = scan_totara_exports(landing)
    for source, problems in (("esr", esr_problems), ("totara_export", totara_problems)):
        for problem in problems:
            log.warning("%s: not read: %s", problem.path, problem.reason)
            outcomes.append(refuse_unreadable(engine, source, problem.path, problem.reason, run_id))
    log.info("Found %d ESR files under %s", len(esr_files), landing)
    for esr_file in esr_files:
        outcomes.append(load_esr(engine, esr_file, config, run_id))
    load_export = load_totara_export_task if as_tasks else load_totara_export_task.fn
    for export_file in totara_exports:
        outcomes.append(load_export(engine, export_file, config, run_id))
    load_survey = load_survey_file_task if as_tasks else load_survey_file_task.fn
    for survey_file in discover_survey_files(landing):
        outcomes.append(load_survey(engine, survey_file, config, run_id))
    return outcomes


@flow(name="ingest-esr", log_prints=True, on_failure=[announce_run_failed])
def ingest_esr_flow(config_file: str | None = None, landing: str | None = None) -> list[LoadOutcome]:
    """Load new ESR exports and trust rule files from the landing folder into the warehouse."""
    from prefect.runtime import flow_run

    settings = resolve_run(config_file, landing)
    engine = warehouse_engine(settings.config)
    outcomes = ingest_landing(engine, settings.config, settings.landing, flow_run.id, date.today())
    announce_load_outcomes(outcomes)
    return outcomes
