"""Publishing the nightly compliance feed: the marts for a reporting date as CSV files with a manifest."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from flows.context import resolve_run, warehouse_engine
from flows.events import announce_feed, announce_run_failed
from flows.logs import run_logger
from flows.part_workers import workers_allowed
from flows.reporting import create_compliance_artifact, write_compliance_report
from warehouse.feed_marts import (
    FEED_FILES,
    WORKER_FILE,
    WORKER_MIN_ROWS,
    mart_row_count,
    mart_rows,
    publishing_snapshot,
    written_in_worker,
)
from warehouse.feeds import FeedTable, PublishedFeed, publish_feed
from warehouse.models import feed_log, load_log


def _source_loads(connection) -> list[dict]:
    result = connection.execute(
        select(load_log.c.load_id, load_log.c.source, load_log.c.source_file, load_log.c.checksum_sha256)
        .where(load_log.c.status == "loaded")
        .order_by(load_log.c.load_id)
    )
    return [dict(row._mapping) for row in result]


@task(name="publish-feed", cache_policy=NO_CACHE)
def publish_feed_task(engine, outbox: Path, as_of: date, run_id: str, workers: int = 1) -> PublishedFeed:
    """Write the feed for the date from one snapshot of the warehouse; with `workers` (0 or 1,
    `warehouse.publish_worker_processes`) a worker process writes the skills gap person file meanwhile."""
    log = run_logger()
    with publishing_snapshot(engine) as (connection, snapshot), ExitStack() as stack:
        loads = _source_loads(connection)
        tables: dict[str, FeedTable] = {name: mart_rows(connection, name, as_of) for name in FEED_FILES}
        if _worker_pays(engine, connection, as_of, workers):
            # Closed before the publishing snapshot: the worker reads in it until its file is written.
            pool = stack.enter_context(ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")))
            tables[WORKER_FILE] = written_in_worker(pool, engine, snapshot, as_of)
        feed = publish_feed(outbox, as_of, tables, run_id, loads)
    with engine.begin() as connection:
        connection.execute(
            feed_log.insert().values(
                run_id=run_id,
                as_of_date=as_of,
                feed_path=str(feed.version_path),
                manifest_sha256=_sha256(feed.path / "manifest.json"),
                published_at=pd.Timestamp.now(tz="UTC").to_pydatetime(),
            )
        )
    log.info(
        "Feed for %s published at %s (%s)",
        as_of,
        feed.path,
        ", ".join(f"{k}: {v['rows']} rows" for k, v in feed.manifest["files"].items()),
    )
    return feed


def _worker_pays(engine, connection, as_of: date, workers: int) -> bool:
    """Whether a worker process should write `WORKER_FILE`: allowed here, and the file large enough to be worth
    starting one."""
    if workers < 1 or not workers_allowed(engine):
        return False
    return mart_row_count(connection, WORKER_FILE, as_of) >= WORKER_MIN_ROWS


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@flow(name="publish-feed", on_failure=[announce_run_failed])
def publish_flow(config_file: str | None = None, as_of: str | None = None, outbox: str | None = None) -> str:
    """Publish the compliance feed for the reporting date into the outbox; returns the feed's folder."""
    from prefect.runtime import flow_run

    settings = resolve_run(config_file, as_of=as_of, outbox=outbox)
    engine = warehouse_engine(settings.config)
    workers = settings.config.warehouse.publish_worker_processes
    feed = publish_feed_task(engine, settings.outbox, settings.as_of, str(flow_run.id), workers)
    trust, floor = settings.config.trust.name, settings.config.compliance.amber_floor_pct
    write_compliance_report(engine, settings.as_of, feed.path, trust, floor)
    create_compliance_artifact(engine, settings.as_of, trust, floor)
    announce_feed(settings.as_of, feed.path, feed.version_path, feed.manifest)
    return str(feed.path)
