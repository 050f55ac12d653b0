"""Publishing mart contents for a reporting date in one transaction, so a BI query sees old or new, never half."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine, delete

from warehouse.bulk import insert_frame
from warehouse.models import (
    capability_forecast,
    compliance_person,
    compliance_reconciliation,
    compliance_summary,
    course_evaluation,
    dim_date,
    dim_org_unit,
    learning_engagement,
    skills_gap_person,
    skills_gap_summary,
    skills_log,
    student_pipeline,
    unmatched_learner,
)

#: Tables rebuilt per reporting date, by name.
COMPLIANCE_MARTS = {
    "compliance_person": compliance_person,
    "compliance_summary": compliance_summary,
    "compliance_reconciliation": compliance_reconciliation,
    "unmatched_learner": unmatched_learner,
    "skills_log": skills_log,
    "skills_gap_person": skills_gap_person,
    "skills_gap_summary": skills_gap_summary,
    "capability_forecast": capability_forecast,
    "student_pipeline": student_pipeline,
    "dim_org_unit": dim_org_unit,
}


def replace_marts_for_date(engine: Engine, as_of: date, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Swap in the rows of each mart for `as_of` (other dates untouched); returns rows written per mart."""
    with marts_for_date(engine, as_of, list(frames)) as marts:
        for name, frame in frames.items():
            marts.write(name, frame)
    return marts.written


class MartsWriter:
    """Rows written, part by part, into marts whose rows for the date were deleted in the same transaction.

    `connection` is that transaction's: a build reads its next part through it, because on SQLite a second
    connection could not start while this one holds the write lock.
    """

    def __init__(self, connection: Connection, names: list[str]) -> None:
        self.connection = connection
        self.written = dict.fromkeys(names, 0)

    def write(self, name: str, frame: pd.DataFrame) -> None:
        if name not in self.written:
            raise KeyError(f"{name} was not opened for writing (opened: {', '.join(self.written)})")
        self.written[name] += insert_frame(self.connection, COMPLIANCE_MARTS[name], frame)


@contextmanager
def marts_for_date(engine: Engine, as_of: date, names: list[str]) -> Iterator[MartsWriter]:
    """Replace the named marts' rows for `as_of` with whatever is written inside, in one transaction.

    A build too large to hold whole writes its people a part at a time; BI tools and feeds still see the old
    rows or the new ones, never a mix, and an error inside leaves the old rows in place.
    """
    with engine.begin() as connection:
        for name in names:
            table = COMPLIANCE_MARTS[name]
            connection.execute(delete(table).where(table.c.as_of_date == as_of))
        yield MartsWriter(connection, names)


#: Tables rebuilt whole on every build (they are not per reporting date).
WHOLE_MARTS = {"learning_engagement": learning_engagement, "course_evaluation": course_evaluation, "dim_date": dim_date}


def replace_whole_marts(engine: Engine, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Swap in the whole contents of each mart in one transaction."""
    written = {}
    with engine.begin() as connection:
        for name, frame in frames.items():
            table = WHOLE_MARTS[name]
            connection.execute(delete(table))
            written[name] = insert_frame(connection, table, frame)
    return written
