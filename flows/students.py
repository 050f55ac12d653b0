"""Pulling the student management system incrementally (per-collection watermarks) into the warehouse."""

from __future__ import annotations

import hashlib
from datetime import date

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine

from connectors.student_system.client import StudentSystemClient
from connectors.student_system.constants import COLLECTIONS
from connectors.student_system.pull import pull_collection
from connectors.student_system.records import parse_records, problems_frame, records_frame
from flows.context import resolve_run, warehouse_engine
from flows.events import announce_load_outcomes, announce_run_failed
from flows.logs import run_logger
from flows.outcomes import LoadOutcome
from learnscape.config import LearnscapeConfig
from learnscape.secrets import read_secret
from transforms.validation.gx_runner import shared_validator
from transforms.validation.suites import load_suite
from warehouse import students
from warehouse.bulk import insert_frame
from warehouse.load_log import BatchOrigin, finish_load, start_load
from warehouse.models import rejected_row


def load_collection(
    engine: Engine, config: LearnscapeConfig, client: StudentSystemClient, collection: str, run_id: str | None
) -> LoadOutcome:
    """Pull one collection's changes since its watermark, validate, and apply them with the new watermark."""
    log = run_logger()
    with engine.connect() as connection:
        since = students.watermark(connection, collection)
    pulled = pull_collection(client, collection, since)
    parsed = parse_records(collection, pulled.records)
    frame = records_frame(collection, parsed.records)
    problems = problems_frame(parsed.problems)
    endpoint = f"{config.sources.student_system.base_url.rstrip('/')}/{collection}"
    checksum = hashlib.sha256(repr(sorted(map(repr, pulled.records))).encode()).hexdigest()
    origin = BatchOrigin(
        source=f"student_{collection.replace('-', '_')}",
        source_file=endpoint,
        source_path=endpoint,
        checksum_sha256=checksum,
        file_date=date.today(),
        file_mode="delta",
    )
    load_id = start_load(engine, origin, run_id)
    dropped = problems.loc[~problems["record_kept"].astype(bool)] if not problems.empty else problems
    counts = {"rows_in": len(pulled.records), "rows_accepted": len(frame), "rows_rejected": len(dropped)}
    suite = load_suite("student_records")
    validator = shared_validator(str(config.reports_dir / "data_docs"))
    verdict = validator.validate(
        suite, frame if not frame.empty else frame.assign(updated_at=[], student_id=[]), f"{collection}-{load_id}"
    )
    validator.write_data_docs()
    with engine.begin() as connection:
        if not problems.empty:
            insert_frame(
                connection,
                rejected_row,
                problems.assign(
                    load_id=load_id,
                    source_file=endpoint,
                    row_number=None,
                    value=problems["value"],
                    reason=problems["message"],
                    record_json=problems["raw_record"],
                ),
            )
        refusal = None
        if not verdict.success:
            refusal = verdict.describe()
        elif len(dropped) > suite.max_rejected_share * max(len(pulled.records), 1):
            refusal = f"{len(dropped)} of {len(pulled.records)} records failed validation"
        if refusal:
            finish_load(connection, load_id, "refused", message=refusal, **counts)
            log.warning("%s: refused: %s (the watermark stays where it was)", endpoint, refusal)
            return LoadOutcome(origin.source, endpoint, "refused", load_id=load_id, message=refusal, **counts)
        applied = students.apply_changes(connection, collection, frame, pulled.watermark.updated_at, load_id)
        message = (
            f"{applied['upserted']} changed, {applied['deleted']} deleted; {pulled.stats.pages} pages, "
            f"{pulled.stats.retries} retries, {pulled.stats.rate_limited} rate-limited"
        )
        finish_load(connection, load_id, "loaded", rows_applied=applied["upserted"], message=message, **counts)
    log.info("%s since %s: %s", collection, since, message)
    return LoadOutcome(
        origin.source, endpoint, "loaded", load_id=load_id, rows_applied=applied["upserted"], message=message, **counts
    )


@task(name="pull-student-system", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[30, 120])
def pull_students_task(engine, config: LearnscapeConfig, run_id: str | None) -> list[LoadOutcome]:
    settings = config.sources.student_system
    client = StudentSystemClient(settings.base_url, read_secret(settings.api_key_env), page_size=settings.page_size)
    with client:
        return [load_collection(engine, config, client, collection, run_id) for collection in COLLECTIONS]


@flow(name="pull-student-system", on_failure=[announce_run_failed])
def pull_students_flow(config_file: str | None = None) -> list[LoadOutcome]:
    """Pull every student-system collection changed since its watermark (scheduled every few hours)."""
    from prefect.runtime import flow_run

    settings = resolve_run(config_file)
    engine = warehouse_engine(settings.config)
    outcomes = pull_students_task(engine, settings.config, str(flow_run.id))
    announce_load_outcomes(outcomes)
    return outcomes
