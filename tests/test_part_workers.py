"""The build's worker processes: parts come back in order from another process, errors reach the build, and the
workers read the committed warehouse beside the build's open write transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import func, select

from flows.context import warehouse_engine
from flows.part_workers import computed_parts
from learnscape.config import LearnscapeConfig
from transforms.dimensions import date_dimension
from warehouse.bulk import insert_frame
from warehouse.models import dim_date

PARTS = ["first", "second", "third", "fourth", "fifth"]


def where_computed(reader, part: str) -> tuple[int, str, int]:
    """Which process computed the part, and how many dates the reader saw."""
    return os.getpid(), part, reader.execute(select(func.count()).select_from(dim_date)).scalar_one()


def fails_on_the_third(reader, part: str) -> str:
    if part == "third":
        raise ValueError(f"no rules for the {part} part")
    return part


@pytest.fixture
def engine(tmp_path, warehouse_url):
    config = LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": warehouse_url})
    engine = warehouse_engine(config)
    with engine.begin() as connection:
        insert_frame(connection, dim_date, date_dimension(date(2026, 11, 21), date(2026, 11, 23)))
    yield engine
    engine.dispose()


def test_parts_come_back_in_order_from_a_worker_that_reads_beside_the_open_write(engine):
    with engine.begin() as writer:
        insert_frame(writer, dim_date, date_dimension(date(2026, 11, 24), date(2026, 11, 24)))
        with computed_parts(writer, PARTS, where_computed, workers=1) as computed:
            results = list(computed)
        seen_by_writer = writer.execute(select(func.count()).select_from(dim_date)).scalar_one()
    assert [part for _, part, _ in results] == PARTS
    assert {pid for pid, _, _ in results} != {os.getpid()}
    assert len({pid for pid, _, _ in results}) == 1
    assert [dates for _, _, dates in results] == [3] * len(PARTS)
    assert seen_by_writer == 4


def test_without_workers_the_build_computes_its_parts_itself_through_its_own_transaction(engine):
    with engine.begin() as writer:
        insert_frame(writer, dim_date, date_dimension(date(2026, 11, 24), date(2026, 11, 24)))
        with computed_parts(writer, PARTS, where_computed, workers=0) as computed:
            results = list(computed)
    assert [part for _, part, _ in results] == PARTS
    assert {pid for pid, _, _ in results} == {os.getpid()}
    assert [dates for _, _, dates in results] == [4] * len(PARTS)


def test_a_part_that_fails_on_a_worker_stops_the_build_with_its_error(engine):
    handed_back = []
    with (
        pytest.raises(ValueError, match="no rules for the third part"),
        engine.begin() as writer,
        computed_parts(writer, PARTS, fails_on_the_third, workers=2) as computed,
    ):
        for part in computed:
            handed_back.append(part)
    assert handed_back == ["first", "second"]
