"""Bulk inserts store dates as the database's own dates, whatever shape the frame holds them in: on SQLite the
ISO text Python's date adapter writes (`YYYY-MM-DD`), on PostgreSQL `date` values; missing ones as NULL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, MetaData, String, Table, Text, select, text

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


SHAPES = MetaData()
every_kind = Table(
    "bulk_every_kind",
    SHAPES,
    Column("n", Integer, nullable=False),
    Column("name", String(80)),
    Column("note", Text),
    Column("count", Integer),
    Column("flag", Boolean),
    Column("share", Float),
    Column("day", Date),
    Column("moment", DateTime(timezone=True)),
    Column("clock", DateTime),
)


@pytest.mark.parametrize("client_encoding", ["UTF8", "LATIN1"])
def test_every_kind_of_value_is_stored_as_it_was_in_the_frame(engine, client_encoding):
    """Text that CSV must quote, empty text against missing text, missing numbers and flags, and times in and out
    of summer time all come back as they went in. On PostgreSQL they travel as CSV text on a UTF-8 connection and
    as rows on a connection in another encoding."""
    if client_encoding != "UTF8" and is_sqlite(engine):
        pytest.skip("SQLite connections have no client encoding")
    names = ['Siân "Sid" O\'Brien, RN', "", None, "line one\nline two", "back\\slash", "  spaced  "]
    frame = pd.DataFrame(
        {
            "n": range(6),
            "name": pd.Series(names, dtype=object),
            "note": pd.Series(["a,b", None, "", "\r\n", "NULL", "\\N"], dtype="string"),
            "count": pd.array([3, None, 0, -7, 2**31 - 1, None], dtype="Int64"),
            "flag": pd.array([True, False, None, True, None, False], dtype="boolean"),
            "share": [0.1, float("nan"), 1 / 3, -2.5e-12, 1e300, 0.0],
            "day": pd.Series([DAYS[0], None, DAYS[1], None, DAYS[2], DAYS[3]]),
            "moment": pd.Series(pd.to_datetime(["2026-03-29 00:30", None, "2026-10-25 01:30"] * 2))
            .dt.tz_localize("Europe/London", ambiguous=[True, False, True] * 2)
            .dt.tz_convert("UTC"),
            "clock": pd.to_datetime(["2026-11-23 23:59:59.123456", None] * 3),
        }
    )
    SHAPES.create_all(engine)
    try:
        with engine.begin() as connection:
            if not is_sqlite(engine):
                connection.exec_driver_sql(f"SET LOCAL client_encoding TO '{client_encoding}'")
                encoding = connection.connection.driver_connection.info.encoding
                assert encoding == ("utf-8" if client_encoding == "UTF8" else "iso8859-1")
            assert insert_frame(connection, every_kind, frame) == 6
        with engine.connect() as connection:
            stored = connection.execute(select(every_kind).order_by(every_kind.c.n)).all()
    finally:
        SHAPES.drop_all(engine)
    assert [row.name for row in stored] == names
    assert [row.note for row in stored] == ["a,b", None, "", "\r\n", "NULL", "\\N"]
    assert [row.count for row in stored] == [3, None, 0, -7, 2**31 - 1, None]
    assert [row.flag for row in stored] == [True, False, None, True, None, False]
    assert [row.share for row in stored] == [0.1, None, 1 / 3, -2.5e-12, 1e300, 0.0]
    assert [row.day for row in stored] == frame["day"].tolist()
    expected_moments = [None if pd.isna(v) else v.to_pydatetime() for v in frame["moment"]]
    assert [_in_utc(row.moment) for row in stored] == expected_moments
    assert [row.clock for row in stored] == [datetime(2026, 11, 23, 23, 59, 59, 123456), None] * 3


def _in_utc(moment: datetime | None) -> datetime | None:
    """A stored moment in UTC: SQLite hands it back without a zone (it is stored in UTC), PostgreSQL with one."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


dated = Table(
    "bulk_dated",
    SHAPES,
    Column("n", Integer, nullable=False),
    Column("day", Date),
    Column("moment", DateTime(timezone=True)),
    Column("clock", DateTime),
)


def _dated_frame(rows: int) -> pd.DataFrame:
    """Dates and times in the shapes loads hand over, each repeating as a load's do, with gaps."""
    days = [DAYS[n % len(DAYS)] if n % 7 else None for n in range(rows)]
    london = pd.Series(pd.to_datetime([f"{DAYS[n % 5]} 00:30" for n in range(rows)])).dt.tz_localize("Europe/London")
    same_instant = [
        pd.Timestamp("2026-11-23 23:30", tz="UTC") if n % 2 else pd.Timestamp("2026-11-24 00:30", tz="Europe/Paris")
        for n in range(rows)
    ]
    clocks = pd.to_datetime(
        ["2026-11-23 23:59:59.123456", None, "2026-03-29 01:30", "2026-11-23 00:00"] * rows, format="mixed"
    )
    return pd.DataFrame(
        {
            "n": range(rows),
            "day_objects": pd.Series(days, dtype=object),
            "day_datetime64": pd.Series(pd.to_datetime(days)),
            "day_text": pd.Series([None if d is None else d.isoformat() for d in days], dtype=object),
            "day_london": london,
            "day_same_instant_two_zones": pd.Series(same_instant, dtype=object),
            "moment_utc": london.dt.tz_convert("UTC"),
            "moment_same_instant_two_zones": pd.Series(same_instant, dtype=object),
            "clock": pd.Series(clocks[:rows]),
        }
    )


@pytest.mark.parametrize(
    ("day", "moment"),
    [
        ("day_objects", "moment_utc"),
        ("day_datetime64", "moment_same_instant_two_zones"),
        ("day_text", "moment_utc"),
        ("day_london", "moment_utc"),
        ("day_same_instant_two_zones", "moment_utc"),
    ],
)
def test_sqlite_stores_each_date_and_time_as_the_text_sqlite3_itself_would(engine, day, moment):
    """SQLite is handed dates and times as text made once per distinct value: the text must be what sqlite3's own
    adapters store when handed the dates and times one by one (as `frame_rows` converts them)."""
    if not is_sqlite(engine):
        pytest.skip("PostgreSQL is sent dates, not text")
    from warehouse.bulk import frame_rows

    frame = _dated_frame(40).rename(columns={day: "day", moment: "moment"})[["n", "day", "moment", "clock"]]
    columns = ["n", "day", "moment", "clock"]
    SHAPES.create_all(engine)
    try:
        with engine.begin() as connection:
            insert_frame(connection, dated, frame)
            stored = connection.exec_driver_sql("SELECT n, day, moment, clock FROM bulk_dated ORDER BY n").all()
            connection.exec_driver_sql("DELETE FROM bulk_dated")
            cursor = connection.connection.driver_connection.cursor()
            cursor.executemany("INSERT INTO bulk_dated VALUES (?, ?, ?, ?)", frame_rows(dated, frame, columns))
            adapted = connection.exec_driver_sql("SELECT n, day, moment, clock FROM bulk_dated ORDER BY n").all()
    finally:
        SHAPES.drop_all(engine)
    assert [tuple(row) for row in stored] == [tuple(row) for row in adapted]
    assert {type(row.day) for row in stored} <= {str, type(None)}
