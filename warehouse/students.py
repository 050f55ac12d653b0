"""Student system records in core: each incremental pull upserts changed records, removes deleted ones and moves
the collection's watermark in the same transaction, so a failed load is simply pulled again next time."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from warehouse.bulk import insert_frame
from warehouse.models import (
    source_watermark,
    student,
    student_assessment,
    student_enrolment,
    student_module_result,
    student_placement,
)
from warehouse.reads import read_frame

SOURCE = "student_system"
#: API collection → (core table, key columns)
COLLECTION_TABLES = {
    "students": (student, ("student_id",)),
    "enrolments": (student_enrolment, ("enrolment_id",)),
    "module-results": (student_module_result, ("student_id", "module_code", "academic_year")),
    "placements": (student_placement, ("placement_id",)),
    "assessments": (student_assessment, ("assessment_id",)),
}


def watermark(connection: Connection, collection: str) -> datetime | None:
    """The newest change loaded for a collection, in UTC (SQLite hands timestamps back without a zone)."""
    stamp = connection.execute(
        select(source_watermark.c.updated_at).where(
            source_watermark.c.source == SOURCE, source_watermark.c.collection == collection
        )
    ).scalar()
    if stamp is not None and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp


def apply_changes(
    connection: Connection, collection: str, changes: pd.DataFrame, new_watermark: datetime | None, load_id: int
) -> dict[str, int]:
    """Upsert live records, delete tombstones, and move the watermark; returns counts."""
    table, keys = COLLECTION_TABLES[collection]
    if not changes.empty:
        key_rows = changes[list(keys)].drop_duplicates().to_dict("records")
        for start in range(0, len(key_rows), 500):
            batch = key_rows[start : start + 500]
            connection.execute(
                delete(table).where(or_(*[and_(*[table.c[k] == row[k] for k in keys]) for row in batch]))
            )
    live = changes.loc[~changes["deleted"].astype(bool)] if not changes.empty else changes
    written = insert_frame(connection, table, live.assign(load_id=load_id)) if not live.empty else 0
    if new_watermark is not None:
        moved = connection.execute(
            update(source_watermark)
            .where(source_watermark.c.source == SOURCE, source_watermark.c.collection == collection)
            .values(updated_at=new_watermark, load_id=load_id)
        ).rowcount
        if not moved:
            connection.execute(
                insert(source_watermark).values(
                    source=SOURCE, collection=collection, updated_at=new_watermark, load_id=load_id
                )
            )
    return {"upserted": written, "deleted": int(changes["deleted"].astype(bool).sum()) if not changes.empty else 0}


def read_all(connection: Connection, table) -> pd.DataFrame:
    return read_frame(connection, select(table))
