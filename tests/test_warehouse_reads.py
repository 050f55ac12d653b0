"""Whole reads made a batch at a time give the frame one read gives: the same rows, in order, with the same column
types, even where a batch holds only empty values of a column, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from flows.context import warehouse_engine
from learnscape.config import LearnscapeConfig
from warehouse.bulk import insert_frame
from warehouse.models import totara_user
from warehouse.reads import read_frame


def totara_users() -> pd.DataFrame:
    """Seven users: the first three have no ID number or email and were never deleted; the last four were
    deleted on one date, and only they have email addresses."""
    return pd.DataFrame(
        {
            "user_id": [f"{n:03d}" for n in range(1, 8)],
            "idnumber": [None, None, None, "10004", "10005", "10006", "10007"],
            "username": ["guest", "admin", "jsmith", "akhan", "bjones", "cokafor", "dnowak"],
            "firstname": ["Guest", "Admin", "Jo", "Aisha", "Ben", "Chidi", "Dorota"],
            "lastname": ["User", "User", "Smith", "Khan", "Jones", "Okafor", "Nowak"],
            "email": [None, None, None, "a.khan@nhs.net", "b.jones@nhs.net", "c.okafor@nhs.net", "d.nowak@nhs.net"],
            "suspended": [False, False, True, False, False, True, False],
            "first_seen_on": [date(2026, 1, 5)] * 7,
            "last_seen_on": [date(2026, 11, 22)] * 3 + [date(2026, 10, 1)] * 4,
            "deleted_on": [None, None, None] + [date(2026, 10, 2)] * 4,
            "load_id": [1, 1, 1, 2, 2, 3, 3],
        }
    )


@pytest.fixture
def engine(tmp_path, warehouse_url):
    engine = warehouse_engine(LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": warehouse_url}))
    with engine.begin() as connection:
        insert_frame(connection, totara_user, totara_users())
    yield engine
    engine.dispose()


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 6])
def test_a_read_in_batches_is_the_read_made_at_once(engine, batch_rows):
    query = select(totara_user).order_by(totara_user.c.user_id)
    with engine.connect() as connection:
        at_once = read_frame(connection, query, batch_rows=100)
        batched = read_frame(connection, query, batch_rows=batch_rows)
    assert at_once["user_id"].tolist() == [f"{n:03d}" for n in range(1, 8)]
    assert at_once["email"].notna().sum() == 4
    assert batched.dtypes.astype(str).tolist() == at_once.dtypes.astype(str).tolist()
    pd.testing.assert_frame_equal(batched, at_once)


def test_a_column_empty_in_every_batch_but_one_gets_that_batch_type(engine):
    query = select(totara_user.c.user_id, totara_user.c.load_id, totara_user.c.deleted_on, totara_user.c.idnumber)
    with engine.connect() as connection:
        batched = read_frame(connection, query.order_by(totara_user.c.user_id), batch_rows=3)
    assert batched["idnumber"].tolist()[3:] == ["10004", "10005", "10006", "10007"]
    assert batched["idnumber"].isna().tolist() == [True] * 3 + [False] * 4
    assert batched["deleted_on"].tolist() == [None] * 3 + [date(2026, 10, 2)] * 4
    assert pd.api.types.is_string_dtype(batched["idnumber"])
    assert batched["load_id"].dtype == "int64"


def test_an_empty_result_has_its_columns(engine):
    query = select(totara_user.c.user_id, totara_user.c.email).where(totara_user.c.user_id == "none")
    with engine.connect() as connection:
        frame = read_frame(connection, query, batch_rows=2)
    assert frame.empty
    assert frame.columns.tolist() == ["user_id", "email"]
