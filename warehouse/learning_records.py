"""Learning records from report exports: each export is the source's whole truth on its export date.

Records are identified by their content hash. A record the warehouse holds open but the newest export no longer
shows is ended on that export's date; a record it has not seen is added. So a renewal, a completion or a record
removed in the source each show up as history, and a past reporting date sees the records as they were then.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, func, select, text

from warehouse.bulk import insert_frame, qualified_name
from warehouse.models import learning_record, load_log, stg_learning_record
from warehouse.query_plans import without_nested_loops

RECORD_COLUMNS = ("source", "user_key", "item_key", "item_name", "status", "achieved_on", "expires_on", "is_evidence")


def record_hash(frame: pd.DataFrame) -> pd.Series:
    as_text = frame[list(RECORD_COLUMNS)].astype(object).where(frame[list(RECORD_COLUMNS)].notna(), "")
    return pd.util.hash_pandas_object(as_text.astype(str), index=False).map(lambda v: f"{v:016x}")


def stage_records(connection: Connection, frame: pd.DataFrame) -> int:
    return insert_frame(connection, stg_learning_record, frame.assign(record_hash=record_hash(frame)))


def latest_export_date(connection: Connection, source: str) -> date | None:
    latest = connection.execute(
        select(func.max(load_log.c.file_date)).where(load_log.c.source == source, load_log.c.status == "loaded")
    ).scalar()
    if isinstance(latest, str):
        return date.fromisoformat(latest[:10])
    return latest


def count_open(connection: Connection, source: str) -> int:
    return connection.execute(
        select(func.count()).where(learning_record.c.source == source, learning_record.c.ended_on.is_(None))
    ).scalar_one()


def count_would_end(connection: Connection, source: str, load_id: int) -> int:
    core, staged = qualified_name(connection, learning_record), qualified_name(connection, stg_learning_record)
    return connection.execute(
        text(
            f"SELECT COUNT(*) FROM {core} c WHERE c.source = :source AND c.ended_on IS NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {staged} s WHERE s.load_id = :load_id AND s.record_hash = c.record_hash)"
        ),
        {"source": source, "load_id": load_id},
    ).scalar_one()


def apply_export(connection: Connection, source: str, load_id: int, export_date: date) -> int:
    """End open records the export no longer shows; add the ones not held open yet. Returns rows added."""
    core, staged = qualified_name(connection, learning_record), qualified_name(connection, stg_learning_record)
    params = {"source": source, "load_id": load_id, "export_date": export_date}
    with without_nested_loops(connection):
        connection.execute(
            text(
                f"UPDATE {core} SET ended_on = :export_date WHERE source = :source AND ended_on IS NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {staged} s WHERE s.load_id = :load_id AND s.record_hash = {core}.record_hash)"
            ),
            params,
        )
        # A row the export repeats is added once: its first copy, picked by a window over the staging index's
        # (load, hash) order rather than a DISTINCT over every column, which sorts the whole export again.
        columns = ", ".join(RECORD_COLUMNS)
        selected = ", ".join(f"s.{c}" for c in RECORD_COLUMNS)
        fresh = ", ".join(f"fresh.{c}" for c in RECORD_COLUMNS)
        inserted = connection.execute(
            text(
                f"INSERT INTO {core} ({columns}, record_hash, first_seen_on, ended_on, load_id) "
                f"SELECT {fresh}, fresh.record_hash, :export_date, CAST(NULL AS DATE), :load_id FROM "
                f"(SELECT {selected}, s.record_hash, "
                f"ROW_NUMBER() OVER (PARTITION BY s.record_hash ORDER BY s.row_number) AS copy "
                f"FROM {staged} s WHERE s.load_id = :load_id AND s.user_key IS NOT NULL AND s.item_key IS NOT NULL"
                f") fresh "
                f"WHERE fresh.copy = 1 AND NOT EXISTS "
                f"(SELECT 1 FROM {core} c WHERE c.source = :source AND c.ended_on IS NULL "
                f"AND c.record_hash = fresh.record_hash)"
            ),
            params,
        )
    return inserted.rowcount or 0
