"""Query results: whole, as a pandas frame, or streamed in batches of rows of bounded size for tables too large to
hold at once.

Rows are handed to pandas as plain tuples. Handing it SQLAlchemy `Row` objects works too, but pandas then probes
every row for array attributes, and each miss raises and catches an exception: twice as slow on a large read.

A whole read is still made a batch at a time: a region's or the nation's people read as one list of tuples hold
every value as a Python object (about 1.8 KiB a person for a dozen columns) until pandas has packed them into
columns, while a batch's frame holds them packed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pandas as pd
from sqlalchemy import Connection, Select

#: Rows per batch when streaming a table: few enough round trips to be fast, few enough rows to bound memory.
CHUNK_ROWS = 100_000


def read_frame(connection: Connection, query, batch_rows: int = CHUNK_ROWS) -> pd.DataFrame:
    """The query's whole result as one frame, with the column types pandas would give the rows read at once."""
    result = connection.execution_options(yield_per=batch_rows).execute(query)
    columns = list(result.keys())
    batches = [pd.DataFrame([tuple(row) for row in rows], columns=columns) for rows in result.partitions()]
    if not batches:
        return pd.DataFrame([], columns=columns)
    if len(batches) == 1:
        return batches[0]
    return _joined(batches, columns)


def _joined(batches: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Batches joined into one frame. A column whose batches pandas typed differently (a batch where it is
    always empty is `object`, elsewhere text or numbers) is typed again from all its values, as one read does."""
    frame = pd.concat(batches, ignore_index=True)
    for position, name in enumerate(columns):
        if len({str(batch.dtypes.iloc[position]) for batch in batches}) > 1:
            values = [value for batch in batches for value in _python_values(batch.iloc[:, position])]
            frame.isetitem(position, pd.DataFrame({name: values})[name])
    return frame


def _python_values(column: pd.Series) -> list:
    """The column's values as Python objects, missing ones as None (what the database driver handed over)."""
    return [None if missing else value for value, missing in zip(column.tolist(), column.isna().tolist(), strict=True)]


def read_batches(connection: Connection, query: Select) -> Iterator[Sequence]:
    """The query's rows in batches of at most `CHUNK_ROWS`, streamed (a server-side cursor on PostgreSQL), so
    memory holds one batch. The query runs when the first batch is asked for."""
    yield from connection.execution_options(yield_per=CHUNK_ROWS).execute(query).partitions()
