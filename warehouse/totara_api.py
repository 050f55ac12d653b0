"""Totara users and job assignments from the external API: the current list, with when each was first and last
seen and when it disappeared (Totara omits deleted users, so deletion shows only as absence from a full pull)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import Connection, Table, delete, func, select, update

from warehouse.bulk import insert_frame
from warehouse.models import totara_job_assignment, totara_user
from warehouse.reads import read_frame

TABLES = {"users": (totara_user, "user_id"), "job_assignments": (totara_job_assignment, "job_assignment_id")}


def count_would_delete(connection: Connection, kind: str, pulled_ids: set[str]) -> tuple[int, int]:
    """(records held as live, how many of them the pull no longer lists)."""
    table, key = TABLES[kind]
    live = set(connection.execute(select(table.c[key]).where(table.c.deleted_on.is_(None))).scalars())
    return len(live), len(live - pulled_ids)


def apply_pull(
    connection: Connection, kind: str, pulled: pd.DataFrame, pulled_on: date, load_id: int
) -> dict[str, int]:
    """Replace the listed records (keeping when each was first seen) and mark the unlisted ones deleted."""
    table, key = TABLES[kind]
    first_seen = dict(connection.execute(select(table.c[key], table.c.first_seen_on)).all())
    frame = pulled.assign(
        first_seen_on=pulled[key].map(first_seen).fillna(pulled_on),
        last_seen_on=pulled_on,
        deleted_on=None,
        load_id=load_id,
    )
    ids = list(frame[key])
    for start in range(0, len(ids), 5_000):
        connection.execute(delete(table).where(table.c[key].in_(ids[start : start + 5_000])))
    added = insert_frame(connection, table, frame)
    deleted = connection.execute(
        update(table).where(table.c.deleted_on.is_(None), table.c.last_seen_on < pulled_on).values(deleted_on=pulled_on)
    ).rowcount
    return {"listed": added, "new": int((~frame[key].isin(first_seen)).sum()), "deleted": deleted or 0}


def live_records(connection: Connection, table: Table, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The records Totara still lists, with only `columns` when given: whole-trust reads take only what they use."""
    selected = table.c if columns is None else [table.c[name] for name in columns]
    return read_frame(connection, select(*selected).where(table.c.deleted_on.is_(None)))


def last_pulled_on(connection: Connection) -> date | None:
    return connection.execute(select(func.max(totara_user.c.last_seen_on))).scalar()
