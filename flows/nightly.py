"""The nightly run: ingest what has landed, rebuild the marts for the reporting date, publish the feed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from prefect import flow

from flows.build import BuildResult, build_compliance_task, build_skills_task, build_surveys_task
from flows.context import resolve_run, warehouse_engine
from flows.events import announce_feed, announce_refusals, announce_run_failed
from flows.ingest import ingest_landing
from flows.learners import build_student_pipeline_task, match_learners_task
from flows.outcomes import LoadOutcome
from flows.publish import publish_feed_task
from flows.reporting import publish_run_artifacts, write_compliance_report
from flows.students import pull_students_task
from flows.totara import pull_totara_task
from warehouse.engine import safe_url
from warehouse.load_log import finish_run, start_run


@dataclass(frozen=True)
class NightlyResult:
    as_of: date
    warehouse_url: str
    loads: list[LoadOutcome] = field(default_factory=list)
    build: BuildResult | None = None
    feed_path: Path | None = None


@flow(name="nightly", on_failure=[announce_run_failed])
def nightly_flow(
    config_file: str | None = None,
    landing: str | None = None,
    as_of: str | None = None,
    outbox: str | None = None,
) -> NightlyResult:
    """Everything a night needs: ingest, build and publish, for the reporting date (default today)."""
    from prefect.runtime import flow_run

    settings = resolve_run(config_file, landing, as_of, outbox)
    engine = warehouse_engine(settings.config)
    run_id = str(flow_run.id)
    start_run(engine, run_id, settings.as_of)
    try:
        loads = []
        if settings.config.sources.totara.enabled:
            loads += pull_totara_task(engine, settings.config, date.today(), run_id)
        if settings.config.sources.student_system.enabled:
            loads += pull_students_task(engine, settings.config, run_id)
        loads += ingest_landing(engine, settings.config, settings.landing, run_id, date.today())
        build = (
            match_learners_task(engine, settings.as_of)
            .merged_with(build_compliance_task(engine, settings.config, settings.as_of))
            .merged_with(build_skills_task(engine, settings.config, settings.as_of))
            .merged_with(build_surveys_task(engine, settings.config))
            .merged_with(build_student_pipeline_task(engine, settings.as_of))
        )
        workers = settings.config.warehouse.publish_worker_processes
        feed = publish_feed_task(engine, settings.outbox, settings.as_of, run_id, workers)
    except Exception as error:
        finish_run(engine, run_id, "failed", f"{type(error).__name__}: {error}")
        raise
    trust, floor = settings.config.trust.name, settings.config.compliance.amber_floor_pct
    write_compliance_report(engine, settings.as_of, feed.path, trust, floor)
    publish_run_artifacts(engine, settings.as_of, loads, trust, floor)
    announce_refusals(loads)
    announce_feed(settings.as_of, feed.path, feed.version_path, feed.manifest)
    refused = [load.source_file for load in loads if load.refused]
    finish_run(engine, run_id, "succeeded", f"refused: {', '.join(refused)}" if refused else None)
    return NightlyResult(
        as_of=settings.as_of,
        warehouse_url=safe_url(settings.config.warehouse_url()),
        loads=loads,
        build=build,
        feed_path=feed.path,
    )
