"""Publishing with a worker process: the skills gap file written by a second process makes the same feed, byte for
byte, as one process writing every file; the worker reads the snapshot the publishing connection reads, even when
the marts change meanwhile (PostgreSQL's exported snapshot); and the worker is only started where it pays.

The warehouse is a generated sample trust, ingested and built as a night does.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import delete

from flows.build import build_compliance_task, build_skills_task
from flows.context import warehouse_engine
from flows.ingest import ingest_landing
from flows.publish import _worker_pays, publish_feed_task
from learnscape.config import LearnscapeConfig
from sample_trust.generate import generate_sample_trust
from warehouse.engine import is_sqlite
from warehouse.feed_marts import (
    FEED_FILES,
    WORKER_FILE,
    WORKER_MIN_ROWS,
    mart_row_count,
    publishing_snapshot,
    write_in_worker,
)
from warehouse.models import skills_gap_person

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("feed-worker")
    return generate_sample_trust(root / "trust", staff=300, seed=57, as_of=AS_OF, history=False).landing_dir


@pytest.fixture
def engine(tmp_path, warehouse_url, landing):
    config = LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": warehouse_url})
    engine = warehouse_engine(config)
    ingest_landing(engine, config, landing, "feed-worker", AS_OF, as_tasks=False)
    build_compliance_task.fn(engine, config, AS_OF)
    build_skills_task.fn(engine, config, AS_OF)
    yield engine
    engine.dispose()


def _files(feed) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(feed.version_path.glob("*.csv"))}


@pytest.mark.slow
def test_the_feed_written_with_a_worker_is_the_feed_written_by_one_process(tmp_path, engine, monkeypatch):
    monkeypatch.setattr("flows.publish.WORKER_MIN_ROWS", 1)  # a sample trust's file is far below the real floor
    with engine.connect() as connection:
        assert _worker_pays(engine, connection, AS_OF, workers=1)
        skills_rows = mart_row_count(connection, WORKER_FILE, AS_OF)
    one_process = publish_feed_task.fn(engine, tmp_path / "one", AS_OF, "run-1", workers=0)
    with_worker = publish_feed_task.fn(engine, tmp_path / "two", AS_OF, "run-1", workers=1)
    assert skills_rows > 1_000
    assert with_worker.manifest["files"]["skills_gap_person.csv"]["rows"] == skills_rows
    assert with_worker.manifest["files"] == one_process.manifest["files"]
    assert list(json.loads((with_worker.path / "manifest.json").read_text())["files"]) == [
        f"{name}.csv" for name in FEED_FILES
    ]
    assert _files(with_worker) == _files(one_process)


@pytest.mark.slow
def test_the_worker_is_started_only_when_allowed_and_worth_it(engine):
    with engine.connect() as connection:
        rows = mart_row_count(connection, WORKER_FILE, AS_OF)
        assert not _worker_pays(engine, connection, AS_OF, workers=0)
        assert not _worker_pays(engine, connection, AS_OF, workers=1)  # below WORKER_MIN_ROWS
    assert 0 < rows < WORKER_MIN_ROWS


@pytest.mark.slow
def test_the_worker_reads_the_publishing_snapshot_while_the_marts_change(tmp_path, engine):
    if is_sqlite(engine):
        pytest.skip("on SQLite the publishing transaction holds the write lock, so the marts cannot change meanwhile")
    url = engine.url.render_as_string(hide_password=False)
    with publishing_snapshot(engine) as (connection, snapshot):
        published = mart_row_count(connection, WORKER_FILE, AS_OF)
        with engine.begin() as rebuild:  # a build of the date commits while the feed is being written
            rebuild.execute(delete(skills_gap_person).where(skills_gap_person.c.as_of_date == AS_OF))
        in_snapshot, _ = write_in_worker(url, snapshot, WORKER_FILE, AS_OF, tmp_path / "snapshot.csv")
        committed, _ = write_in_worker(url, None, WORKER_FILE, AS_OF, tmp_path / "committed.csv")
    assert published > 1_000
    assert in_snapshot == published
    assert committed == 0


def test_a_worker_refuses_what_is_not_a_snapshot_id(tmp_path, engine):
    if is_sqlite(engine):
        pytest.skip("SQLite workers take no snapshot id")
    url = engine.url.render_as_string(hide_password=False)
    with pytest.raises(ValueError, match="is not a PostgreSQL snapshot id"):
        write_in_worker(url, "1'; DROP TABLE x; --", WORKER_FILE, AS_OF, tmp_path / "never.csv")
