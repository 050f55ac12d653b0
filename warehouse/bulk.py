"""Fast, typed bulk inserts of pandas frames: PostgreSQL COPY, SQLite executemany in the caller's transaction.

Values are converted by the target column's type (dates, timestamps, booleans, numbers), and every missing value
(NaN, NaT, NA) becomes NULL.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from sqlalchemy import Boolean, Connection, Date, DateTime, Float, Integer, Table

from warehouse.engine import is_sqlite


def qualified_name(connection: Connection, table: Table) -> str:
    """The table's name as raw SQL must spell it on this connection (no schema on SQLite)."""
    if is_sqlite(connection.engine) or not table.schema:
        return f'"{table.name}"'
    return f'"{table.schema}"."{table.name}"'


def _converter(column):
    kind = column.type
    if isinstance(kind, DateTime):
        return lambda v: None if _missing(v) else pd.Timestamp(v).to_pydatetime()
    if isinstance(kind, Date):
        return lambda v: None if _missing(v) else (v if type(v) is dt.date else pd.Timestamp(v).date())
    if isinstance(kind, Boolean):
        return lambda v: None if _missing(v) else bool(v)
    if isinstance(kind, Integer):
        return lambda v: None if _missing(v) else int(v)
    if isinstance(kind, Float):
        return lambda v: None if _missing(v) else float(v)
    return lambda v: None if _missing(v) else str(v)


def _missing(value) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def frame_rows(table: Table, frame: pd.DataFrame) -> tuple[list[str], list[tuple]]:
    """The frame's columns that the table has, and its rows as tuples of database-ready values."""
    columns = [c.name for c in table.columns if c.name in frame.columns]
    converters = [_converter(table.columns[name]) for name in columns]
    values = [frame[name].tolist() for name in columns]
    rows = [tuple(convert(v) for convert, v in zip(converters, row, strict=True)) for row in zip(*values, strict=True)]
    return columns, rows


def insert_frame(connection: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of `frame` into `table` within the connection's transaction; returns the row count."""
    if frame.empty:
        return 0
    columns, rows = frame_rows(table, frame)
    name = qualified_name(connection, table)
    quoted = ", ".join(f'"{c}"' for c in columns)
    raw = connection.connection.driver_connection
    if is_sqlite(connection.engine):
        placeholders = ", ".join("?" for _ in columns)
        cursor = raw.cursor()
        cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({placeholders})", rows)
        cursor.close()
    else:
        with raw.cursor() as cursor, cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)
