"""Survey files in core: each file's rows replace those of any earlier version of the same file."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Table, delete, select

from warehouse.bulk import insert_frame
from warehouse.models import (
    course_evaluation_response,
    load_log,
    survey_answer,
    survey_published_result,
    survey_respondent,
)
from warehouse.reads import read_frame

TABLES_BY_SOURCE: dict[str, tuple[Table, ...]] = {
    "survey_responses": (survey_respondent, survey_answer),
    "survey_results": (survey_published_result,),
    "course_evaluations": (course_evaluation_response,),
}


def replace_file_rows(
    connection: Connection, source: str, source_file: str, load_id: int, frames: dict[str, pd.DataFrame]
) -> int:
    """Delete rows that earlier loads of `source_file` brought, then insert this load's frames (by table name)."""
    earlier = select(load_log.c.load_id).where(
        load_log.c.source == source, load_log.c.source_file == source_file, load_log.c.load_id != load_id
    )
    for table in TABLES_BY_SOURCE[source]:
        connection.execute(delete(table).where(table.c.load_id.in_(earlier)))
    written = 0
    for table in TABLES_BY_SOURCE[source]:
        written += insert_frame(connection, table, frames[table.name].assign(load_id=load_id))
    return written


def read_table(connection: Connection, table: Table) -> pd.DataFrame:
    return read_frame(connection, select(table))
