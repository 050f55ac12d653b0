"""Query results into pandas frames: whole, or in chunks of bounded size for tables too large to hold at once.

Rows are handed to pandas as plain tuples. Handing it SQLAlchemy `Row` objects works too, but pandas then probes
every row for array attributes, and each miss raises and catches an exception: twice as slow on a large read.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from sqlalchemy import Connection, Integer, Select

#: Rows per chunk when streaming a table: large enough for pandas to be efficient, small enough to bound memory.
CHUNK_ROWS = 100_000


def read_frame(connection: Connection, query) -> pd.DataFrame:
    result = connection.execute(query)
    return pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))


def read_chunks(connection: Connection, query: Select, chunk_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """The query's rows as frames of at most `chunk_rows` (default `CHUNK_ROWS`) rows; at least one frame, empty
    if there are no rows.

    The result is streamed (a server-side cursor on PostgreSQL), so memory holds one chunk. Integer columns are
    read as pandas' nullable `Int64`, so a column's type does not depend on whether a chunk happens to hold a
    NULL: a number is written `279`, never `279.0`.
    """
    integers = [column.name for column in query.selected_columns if isinstance(column.type, Integer)]
    result = connection.execution_options(yield_per=chunk_rows or CHUNK_ROWS).execute(query)
    names = list(result.keys())
    empty = True
    for rows in result.partitions():
        empty = False
        yield _typed(pd.DataFrame([tuple(row) for row in rows], columns=names), integers)
    if empty:
        yield _typed(pd.DataFrame(columns=names), integers)


def _typed(frame: pd.DataFrame, integers: list[str]) -> pd.DataFrame:
    return frame.astype({name: "Int64" for name in integers if name in frame.columns})
