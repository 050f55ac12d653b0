"""Fast, typed bulk inserts of pandas frames: PostgreSQL COPY, SQLite executemany in the caller's transaction.

Values are converted by the target column's type (dates, timestamps, booleans, numbers), and every missing value
(NaN, NaT, NA) becomes NULL. PostgreSQL is sent one CSV text per frame, made by pyarrow column by column, as the
benchmark's floor loads it: the server parses it while the client converts nothing cell by cell.
"""

from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Boolean, Connection, Date, DateTime, Float, Integer, String, Table

from warehouse.engine import is_sqlite


def qualified_name(connection: Connection, table: Table) -> str:
    """The table's name as raw SQL must spell it on this connection (no schema on SQLite)."""
    if is_sqlite(connection.engine) or not table.schema:
        return f'"{table.name}"'
    return f'"{table.schema}"."{table.name}"'


def _database_values(column, values: pd.Series) -> list:
    """One column's values as Python objects the drivers bind, converted by the target column's type.

    Dates and timestamps are converted vectorised (a nightly load converts millions of cells); every missing
    value becomes None.
    """
    kind = column.type
    if isinstance(kind, DateTime):
        stamps = pd.to_datetime(values, utc=bool(getattr(kind, "timezone", False)), format="mixed")
        present = stamps.notna().tolist()
        return [v if ok else None for v, ok in zip(stamps.dt.to_pydatetime().tolist(), present, strict=True)]
    if isinstance(kind, Date) and pd.api.types.is_datetime64_any_dtype(values):
        present = values.notna().tolist()
        return [v if ok else None for v, ok in zip(values.dt.date.tolist(), present, strict=True)]
    if _already_typed(kind, values):
        return values.astype(object).where(values.notna(), None).tolist()
    convert = next((c for t, c in _CONVERTERS.items() if isinstance(kind, t)), str)
    return [None if _missing(v) else convert(v) for v in values.tolist()]


def _already_typed(kind, values: pd.Series) -> bool:
    """Whether the column's values are already of the target type, so the whole column converts at once (missing
    values to None, numpy scalars to Python ones) instead of cell by cell."""
    types = pd.api.types
    if isinstance(kind, Boolean):
        return types.is_bool_dtype(values) and not isinstance(values.dtype, pd.BooleanDtype)
    if isinstance(kind, Integer):
        return types.is_integer_dtype(values)
    if isinstance(kind, Float):
        return types.is_float_dtype(values)
    if isinstance(kind, String):
        return types.infer_dtype(values, skipna=True) in ("string", "empty")
    return False


def _as_date(value):
    if _missing(value):
        return None
    if type(value) is dt.date:
        return value
    return pd.Timestamp(value).date()


def _missing(value) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


#: Column type → how one present value is converted (missing values are None before this is asked).
_CONVERTERS = {Date: _as_date, Boolean: bool, Integer: int, Float: float, String: str}
#: Column type → the Arrow type its CSV text is written from.
_ARROW_TYPES = {Date: pa.date32(), Boolean: pa.bool_(), Integer: pa.int64(), Float: pa.float64(), String: pa.string()}


def frame_rows(table: Table, frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """The frame's rows as tuples of database-ready values, one per name in `columns`."""
    values = [_database_values(table.columns[name], frame[name]) for name in columns]
    return list(zip(*values, strict=True))


def _sqlite_rows(table: Table, frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """`frame_rows` for SQLite, with every date and timestamp as the text SQLite stores for it."""
    values = [_sqlite_values(table.columns[name], frame[name]) for name in columns]
    return list(zip(*values, strict=True))


def _sqlite_values(column, values: pd.Series) -> list:
    """One column's values for SQLite. A date or timestamp goes as the text Python's sqlite3 module makes of it
    (`isoformat`, what its default adapters store), made once per distinct value: sqlite3 calls an adapter
    written in Python for every date it binds, and the dates of a load repeat (a batch has one receipt time,
    an extract a few thousand award dates), so cell by cell it was a tenth of a regional ingest."""
    if not isinstance(column.type, (Date, DateTime)):
        return _database_values(column, values)
    if not _equal_values_are_identical(values):
        return [_sqlite_text(value) for value in _database_values(column, values)]
    codes, distinct = pd.factorize(values)
    texts = [_sqlite_text(value) for value in _database_values(column, pd.Series(distinct, dtype=values.dtype))]
    return np.array([*texts, None], dtype=object)[codes].tolist()  # code -1 (missing) takes the None last


def _equal_values_are_identical(values: pd.Series) -> bool:
    """Whether values equal to each other always convert alike: true of one datetime64 type and of text or
    dates, not of timestamps in different time zones that name the same instant."""
    if values.dtype.kind == "M":
        return True
    present_types = {type(value) for value in values[values.notna()].tolist()}
    return present_types in ({str}, {dt.date}, set())


def _sqlite_text(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def insert_frame(connection: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of `frame` into `table` within the connection's transaction; returns the row count.

    The frame's columns that the table has are inserted: on SQLite as parameter rows, on PostgreSQL as one CSV
    text (rows for a connection in an encoding other than UTF-8, since the CSV text is UTF-8).
    """
    if frame.empty:
        return 0
    name = qualified_name(connection, table)
    columns = [c.name for c in table.columns if c.name in frame.columns]
    quoted = ", ".join(f'"{c}"' for c in columns)
    raw = connection.connection.driver_connection
    if is_sqlite(connection.engine):
        placeholders = ", ".join("?" for _ in columns)
        cursor = raw.cursor()
        cursor.executemany(
            f"INSERT INTO {name} ({quoted}) VALUES ({placeholders})", _sqlite_rows(table, frame, columns)
        )
        cursor.close()
    elif raw.info.encoding == "utf-8":
        text = _copy_csv(table, frame, columns)
        with raw.cursor() as cursor, cursor.copy(f"COPY {name} ({quoted}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(text.getbuffer())
    else:
        with raw.cursor() as cursor, cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
            for row in frame_rows(table, frame, columns):
                copy.write_row(row)
    return len(frame)


def _copy_csv(table: Table, frame: pd.DataFrame, columns: list[str]) -> io.BytesIO:
    """The frame's `columns` as CSV for PostgreSQL's COPY: every present value quoted, missing ones left empty
    (COPY reads an unquoted empty field as NULL and a quoted one as an empty string)."""
    arrays = [_arrow_values(table.columns[name], frame[name]) for name in columns]
    text = io.BytesIO()
    options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
    pa_csv.write_csv(pa.table(arrays, names=columns), text, options)
    return text


def _arrow_values(column, values: pd.Series) -> pa.Array:
    """One column's values as an Arrow array of the target column's type, whole-column where the frame already
    holds that type; other shapes go through the same cell conversions the row path uses."""
    kind = column.type
    if isinstance(kind, DateTime):
        aware = bool(getattr(kind, "timezone", False))
        stamps = pd.to_datetime(values, utc=aware, format="mixed")
        if not aware and stamps.dt.tz is not None:
            stamps = stamps.dt.tz_localize(None)  # a timestamp without time zone keeps the clock time written
        return pa.array(stamps, from_pandas=True).cast(pa.timestamp("us", tz="UTC" if aware else None), safe=False)
    if isinstance(kind, Date) and pd.api.types.is_datetime64_any_dtype(values):
        local = values.dt.tz_localize(None) if values.dt.tz is not None else values  # the date as written
        return pa.array(local, from_pandas=True).cast(pa.date32(), safe=False)
    arrow_type = next((a for t, a in _ARROW_TYPES.items() if isinstance(kind, t)), pa.string())
    if _already_typed(kind, values):
        return pa.array(values, type=arrow_type, from_pandas=True)
    return pa.array(_database_values(column, values), type=arrow_type)


def text_lengths(table: Table) -> dict[str, int]:
    """The most characters each bounded text column of `table` holds (for validation before loading)."""
    return {
        column.name: column.type.length
        for column in table.columns
        if isinstance(column.type, String) and column.type.length
    }
