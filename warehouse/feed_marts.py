"""The marts the nightly feed publishes and how their rows are read for it: one snapshot of the warehouse for every
file, rows in the order of each mart's key, made safe for spreadsheets by the database.

The two person files are most of a publish (1.5 and 1.8 million rows at 100,000 staff, about 15 and 18 s each on
SQLite). Written one after the other they use one core; `write_in_worker` lets a second process write one of them
at the same time, reading the same snapshot as the publishing connection:
- on SQLite, the publishing connection's transaction holds the write lock (as every transaction here but a
  snapshot reader's does), so nothing can commit while it is open and a worker that starts reading meanwhile sees
  the same warehouse;
- on PostgreSQL, the publishing transaction is REPEATABLE READ and exports its snapshot (`pg_export_snapshot`),
  which the worker's transaction imports (`SET TRANSACTION SNAPSHOT`) before reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine, UniqueConstraint, func, select

from warehouse.engine import is_sqlite, open_warehouse, snapshot_reader
from warehouse.feeds import FeedRows, WrittenElsewhere, as_written, write_feed_file
from warehouse.models import (
    capability_forecast,
    compliance_person,
    compliance_summary,
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

#: The file a worker process writes while the publishing process writes the others (compliance_person the
#: largest of them), when it has at least `WORKER_MIN_ROWS` rows: below that, starting the worker (about a
#: second to spawn and import) costs more than it saves.
WORKER_FILE = "skills_gap_person"
WORKER_MIN_ROWS = 200_000

_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


def mart_rows(connection: Connection, name: str, as_of: date) -> FeedRows:
    """One mart's rows for the date in the order of its key, streamed in batches (a national mart does not fit
    whole) and written as they come, without frames.

    The key's unique index already holds the rows in that order (trust, then Employee Number, then competence
    or skill, for the person marts), so the database reads them off the index instead of sorting millions of
    rows: 12 s against 5 s for `compliance_person` at 100,000 staff on SQLite."""
    table = FEED_FILES[name]
    columns = [as_written(c) for c in table.c if c.name != "vpd"]
    query = select(*columns).where(table.c.as_of_date == as_of).order_by(*_key_after_date(table))
    return FeedRows([c.name for c in query.selected_columns], read_batches(connection, query))


def _key_after_date(table) -> list:
    (key,) = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
    return [column for column in key.columns if column.name != "as_of_date"]


def mart_row_count(connection: Connection, name: str, as_of: date) -> int:
    table = FEED_FILES[name]
    return connection.execute(select(func.count()).select_from(table).where(table.c.as_of_date == as_of)).scalar_one()


@contextmanager
def publishing_snapshot(engine: Engine) -> Iterator[tuple[Connection, str | None]]:
    """The publishing connection, which sees one state of the warehouse for as long as it is open, and the id a
    worker reads that state by (PostgreSQL's exported snapshot; None on SQLite, where the open write lock is
    what keeps the state: see the module docstring)."""
    if is_sqlite(engine):
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")  # begins the transaction, taking the write lock, before any worker
            yield connection, None
        return
    with snapshot_reader(engine) as connection:
        yield connection, connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()


def written_in_worker(pool: Executor, engine: Engine, snapshot: str | None, as_of: date) -> WrittenElsewhere:
    """`WORKER_FILE` as a file `pool`'s process writes from the publishing snapshot (`publishing_snapshot`)."""
    url = engine.url.render_as_string(hide_password=False)
    return WrittenElsewhere(lambda path: pool.submit(write_in_worker, url, snapshot, WORKER_FILE, as_of, path))


def write_in_worker(url: str, snapshot: str | None, name: str, as_of: date, path: Path) -> tuple[int, str]:
    """Run in a worker process: write one mart's feed file at `path` from the publishing snapshot; returns its
    rows and SHA-256."""
    engine = open_warehouse(url)
    try:
        with snapshot_reader(engine) as reader:
            if snapshot is not None:
                if not _SNAPSHOT_ID.fullmatch(snapshot):
                    raise ValueError(f"{snapshot!r} is not a PostgreSQL snapshot id")
                reader.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            return write_feed_file(mart_rows(reader, name, as_of), path)
    finally:
        engine.dispose()
