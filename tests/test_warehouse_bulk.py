"""Bulk inserts store dates as the database's own dates, whatever shape the frame holds them in: on SQLite the
ISO text Python's date adapter writes (`YYYY-MM-DD`), on PostgreSQL `date` values; missing ones as NULL."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import select, text

from flows.context import warehouse_engine
from learnscape.config import LearnscapeConfig
from warehouse.bulk import insert_frame
from warehouse.engine import is_sqlite
from warehouse.models import totara_user

DAYS = [date(2024, 2, 29), date(1999, 12, 31), date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 23)]


def users(first_seen: pd.Series, last_seen: pd.Series, deleted: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": [str(n) for n in range(len(first_seen))],
            "suspended": False,
            "first_seen_on": first_seen,
            "last_seen_on": last_seen,
            "deleted_on": deleted,
            "load_id": 1,
        }
    )


@pytest.fixture
def engine(tmp_path, warehouse_url):
    engine = warehouse_engine(LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": warehouse_url}))
    yield engine
    engine.dispose()


def test_dates_in_every_shape_a_frame_holds_them_are_stored_as_those_dates(engine):
    as_objects = pd.Series(DAYS, dtype=object)
    # Half past midnight in London, in summer time for some: the London date is meant, not the UTC one before it.
    london = pd.Series(pd.to_datetime([f"{day} 00:30" for day in DAYS]).tz_localize("Europe/London"))
    with_gaps = pd.Series(pd.to_datetime([DAYS[0], None, DAYS[2], None, DAYS[4]]))
    with engine.begin() as connection:
        insert_frame(connection, totara_user, users(as_objects, london, with_gaps))
    with engine.connect() as connection:
        stored = connection.execute(
            select(totara_user.c.first_seen_on, totara_user.c.last_seen_on, totara_user.c.deleted_on).order_by(
                totara_user.c.user_id
            )
        ).all()
    assert [row.first_seen_on for row in stored] == DAYS
    assert [row.last_seen_on for row in stored] == DAYS
    assert [row.deleted_on for row in stored] == [DAYS[0], None, DAYS[2], None, DAYS[4]]


def test_sqlite_holds_dates_as_the_iso_text_the_date_adapter_writes(engine):
    if not is_sqlite(engine):
        pytest.skip("PostgreSQL has a date type of its own")
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(0, 3_650, 7)]
    frame = users(pd.Series(pd.to_datetime(days)), pd.Series(days, dtype=object), pd.Series([None] * len(days)))
    with engine.begin() as connection:
        insert_frame(connection, totara_user, frame)
    with engine.connect() as connection:
        raw = connection.execute(
            text("SELECT first_seen_on, last_seen_on, typeof(deleted_on) FROM totara_user ORDER BY first_seen_on")
        ).all()
    assert [row[0] for row in raw] == [day.isoformat() for day in days]
    assert [row[1] for row in raw] == [day.isoformat() for day in days]
    assert {row[2] for row in raw} == {"null"}
