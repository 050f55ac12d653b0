"""How PostgreSQL should join in the merges, whose statements compare a load's staged rows with a whole core table.

On PostgreSQL two things mislead the planner into nested loops that never finish at trust scale:
- an `INSERT ... SELECT ... WHERE NOT EXISTS (same table)` into a table that starts empty (the first load of a
  trust) rescans, for every row, each row the statement has already inserted: invisible to it, but physically
  there. 150,000 awards never finish that way; as a hash anti-join they take half a second.
- a staging table's statistics are older than the rows just staged (loads follow each other faster than
  autovacuum analyses), so the planner expects no staged rows and loops over them once per core row: 10,000
  people took 8 s to confirm instead of a tenth of one.
The merges are set-based by design (every staged row against every current row), which is what hash joins are
for, so they ask for them instead of refreshing statistics (`ANALYZE` would hold a lock that makes concurrent
loads of several trusts wait for each other). SQLite plans these statements from its indexes and needs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text


@contextmanager
def without_nested_loops(connection: Connection) -> Iterator[None]:
    """Statements run inside use hash or merge joins on PostgreSQL; the setting before is restored after.

    `SET LOCAL` keeps the change inside the caller's transaction: an exception rolls it back with everything
    else, so the session never leaks the setting to the connection pool.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    before = connection.execute(text("SHOW enable_nestloop")).scalar_one()
    connection.execute(text("SET LOCAL enable_nestloop = off"))
    yield
    connection.execute(text(f"SET LOCAL enable_nestloop = {'on' if before == 'on' else 'off'}"))
