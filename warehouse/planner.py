"""Planner guidance for the merges' `INSERT ... SELECT ... WHERE NOT EXISTS (same table)` statements.

On PostgreSQL such an insert into a table that starts empty (the first load of a trust) is planned as a nested
loop whose inner side rescans every row the statement has already inserted: invisible to it, but physically
there. 150,000 awards never finish that way; as a hash anti-join they take half a second. The planner cannot
know the table is about to grow, so the merges ask for hash joins for those statements alone. SQLite plans
these statements from its indexes and needs nothing.
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
