"""The load log: one row per batch received, written before the batch is read and finished after it is applied.

A file whose checksum was already loaded is recorded as a duplicate and not read again, so dropping the same
export twice (or replaying a folder) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, Engine, insert, select, update

from warehouse.models import load_log, run_log


@dataclass(frozen=True)
class BatchOrigin:
    """Where a batch came from."""

    source: str
    source_file: str
    source_path: str
    checksum_sha256: str
    size_bytes: int | None = None
    encoding: str | None = None
    file_date: date | None = None
    file_mode: str | None = None
    vpd: str | None = None


def now() -> datetime:
    return datetime.now(UTC)


def already_loaded(connection: Connection, source: str, checksum: str) -> int | None:
    """The load id of an earlier successful load of exactly this content, if any."""
    return connection.execute(
        select(load_log.c.load_id)
        .where(load_log.c.source == source, load_log.c.checksum_sha256 == checksum, load_log.c.status == "loaded")
        .limit(1)
    ).scalar()


def start_load(engine: Engine, origin: BatchOrigin, run_id: str | None) -> int:
    """Record a batch as received (committed at once, so a crash mid-load still leaves a trace)."""
    with engine.begin() as connection:
        return connection.execute(
            insert(load_log)
            .values(
                source=origin.source,
                source_file=origin.source_file,
                source_path=origin.source_path,
                file_date=origin.file_date,
                file_mode=origin.file_mode,
                vpd=origin.vpd,
                checksum_sha256=origin.checksum_sha256,
                size_bytes=origin.size_bytes,
                encoding=origin.encoding,
                status="staging",
                run_id=run_id,
                started_at=now(),
                rows_in=0,
                rows_accepted=0,
                rows_rejected=0,
                rows_applied=0,
            )
            .returning(load_log.c.load_id)
        ).scalar_one()


def finish_load(
    connection: Connection,
    load_id: int,
    status: str,
    *,
    rows_in: int = 0,
    rows_accepted: int = 0,
    rows_rejected: int = 0,
    rows_applied: int = 0,
    message: str | None = None,
) -> None:
    connection.execute(
        update(load_log)
        .where(load_log.c.load_id == load_id)
        .values(
            status=status,
            rows_in=rows_in,
            rows_accepted=rows_accepted,
            rows_rejected=rows_rejected,
            rows_applied=rows_applied,
            message=message,
            finished_at=now(),
        )
    )


def start_run(engine: Engine, run_id: str, as_of: date) -> None:
    """Record a pipeline run as started (committed at once, so a crashed run is visible as `running`)."""
    with engine.begin() as connection:
        connection.execute(insert(run_log).values(run_id=run_id, as_of_date=as_of, status="running", started_at=now()))


def finish_run(engine: Engine, run_id: str, status: str, message: str | None = None) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(run_log).where(run_log.c.run_id == run_id).values(status=status, message=message, finished_at=now())
        )


def abandon_unfinished_loads(engine: Engine, source: str, checksum: str, staging_tables) -> int:
    """Loads of this same content left unfinished (`staging`: their run was killed) are marked `abandoned` and
    their staged rows removed, before the content is loaded again; nothing they staged ever reached core."""
    from sqlalchemy import delete

    with engine.begin() as connection:
        stale = list(
            connection.execute(
                select(load_log.c.load_id).where(
                    load_log.c.source == source,
                    load_log.c.checksum_sha256 == checksum,
                    load_log.c.status == "staging",
                )
            ).scalars()
        )
        if not stale:
            return 0
        for table in staging_tables:
            connection.execute(delete(table).where(table.c.load_id.in_(stale)))
        connection.execute(
            update(load_log)
            .where(load_log.c.load_id.in_(stale))
            .values(status="abandoned", message="the run loading it stopped before it finished", finished_at=now())
        )
        return len(stale)
