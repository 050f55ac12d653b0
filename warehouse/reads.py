"""Query results: whole, as a pandas frame, or streamed in batches of rows of bounded size for tables too large to
hold at once.

Rows are handed to pandas as plain tuples. Handing it SQLAlchemy `Row` objects works too, but pandas then probes
every row for array attributes, and each miss raises and catches an exception: twice as slow on a large read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pandas as pd
from sqlalchemy import Connection, Select

#: Rows per batch when streaming a table: few enough round trips to be fast, few enough rows to bound memory.
CHUNK_ROWS = 100_000


def read_frame(connection: Connection, query) -> pd.DataFrame:
    result = connection.execute(query)
    return pd.DataFrame([tuple(row) for row in result], columns=list(result.keys()))


def read_batches(connection: Connection, query: Select) -> Iterator[Sequence]:
    """The query's rows in batches of at most `CHUNK_ROWS`, streamed (a server-side cursor on PostgreSQL), so
    memory holds one batch. The query runs when the first batch is asked for."""
    yield from connection.execution_options(yield_per=CHUNK_ROWS).execute(query).partitions()
