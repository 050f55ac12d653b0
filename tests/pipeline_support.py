"""Running the pipeline's steps in tests without a Prefect server: ingest a landing folder, build, read marts."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select

from flows.build import build_compliance_task
from flows.ingest import ingest_landing
from warehouse.models import compliance_person

D = date(2026, 11, 23)


def ingest(trust_fixture) -> dict[str, object]:
    """Load everything in the fixture's landing folder; outcomes by file name."""
    config, engine, landing = trust_fixture
    return {o.source_file: o for o in ingest_landing(engine, config, landing, "test", D, as_tasks=False)}


def person_rows(trust_fixture, as_of: date = D) -> pd.DataFrame:
    """Build the compliance marts for `as_of` and return compliance_person for that date."""
    config, engine, _ = trust_fixture
    build_compliance_task.fn(engine, config, as_of)
    with engine.connect() as connection:
        result = connection.execute(select(compliance_person).where(compliance_person.c.as_of_date == as_of))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def statuses(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {(r.employee_number, r.competency_name): r.status for r in frame.itertuples()}
