"""Publishing the nightly compliance feed: the marts for a reporting date as CSV files with a manifest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import UniqueConstraint, select

from flows.context import resolve_run, warehouse_engine
from flows.events import announce_feed, announce_run_failed
from flows.logs import run_logger
from flows.reporting import create_compliance_artifact, write_compliance_report
from warehouse.feeds import FeedRows, PublishedFeed, as_written, publish_feed
from warehouse.models import (
    capability_forecast,
    compliance_person,
    compliance_summary,
    feed_log,
    load_log,
    skills_gap_person,
    skills_gap_summary,
)
from warehouse.reads import read_batches

#: Feed files → the mart they are read from, ordered as BI tools and feeds expect.
FEED_FILES = {
    "compliance_person": compliance_person,
    "compliance_summary": compliance_summary,
    "skills_gap_person": skills_gap_person,
    "skills_gap_summary": skills_gap_summary,
    "capability_forecast": capability_forecast,
}


def _mart_rows(connection, table, as_of: date) -> FeedRows:
    """One mart's rows for the date in the order of its key, streamed in batches (a national mart does not fit
    whole) and written as they come, without frames.

    The key's unique index already holds the rows in that order (trust, then Employee Number, then competence
    or skill, for the person marts), so the database reads them off the index instead of sorting millions of
    rows: 12 s against 5 s for `compliance_person` at 100,000 staff on SQLite."""
    columns = [as_written(c) for c in table.c if c.name != "vpd"]
    query = select(*columns).where(table.c.as_of_date == as_of).order_by(*_key_after_date(table))
    return FeedRows([c.name for c in query.selected_columns], read_batches(connection, query))


def _key_after_date(table) -> list:
    (key,) = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
    return [column for column in key.columns if column.name != "as_of_date"]


def _source_loads(connection) -> list[dict]:
    result = connection.execute(
        select(load_log.c.load_id, load_log.c.source, load_log.c.source_file, load_log.c.checksum_sha256)
        .where(load_log.c.status == "loaded")
        .order_by(load_log.c.load_id)
    )
    return [dict(row._mapping) for row in result]


@task(name="publish-feed", cache_policy=NO_CACHE)
def publish_feed_task(engine, outbox: Path, as_of: date, run_id: str) -> PublishedFeed:
    log = run_logger()
    with engine.connect() as connection:
        loads = _source_loads(connection)
        tables = {name: _mart_rows(connection, table, as_of) for name, table in FEED_FILES.items()}
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


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@flow(name="publish-feed", on_failure=[announce_run_failed])
def publish_flow(config_file: str | None = None, as_of: str | None = None, outbox: str | None = None) -> str:
    """Publish the compliance feed for the reporting date into the outbox; returns the feed's folder."""
    from prefect.runtime import flow_run

    settings = resolve_run(config_file, as_of=as_of, outbox=outbox)
    engine = warehouse_engine(settings.config)
    feed = publish_feed_task(engine, settings.outbox, settings.as_of, str(flow_run.id))
    trust, floor = settings.config.trust.name, settings.config.compliance.amber_floor_pct
    write_compliance_report(engine, settings.as_of, feed.path, trust, floor)
    create_compliance_artifact(engine, settings.as_of, trust, floor)
    announce_feed(settings.as_of, feed.path, feed.version_path, feed.manifest)
    return str(feed.path)
