"""A build made a part of the people at a time publishes exactly what a build of everyone at once publishes,
whether the build computes its parts itself or worker processes compute them ahead.

The trust is a generated sample trust with its ESR extracts and Totara exports, so the parts split people with
several assignments, awards from both sources and Totara users who are not in ESR at all.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Integer, select

from flows.build import build_compliance_task, build_skills_task
from flows.context import warehouse_engine
from flows.ingest import ingest_landing
from learnscape.config import LearnscapeConfig
from sample_trust.generate import generate_sample_trust
from warehouse.marts import COMPLIANCE_MARTS
from warehouse.models import assignment, learning_record
from warehouse.snapshot import EVERYONE, people_ranges

AS_OF = date(2026, 11, 23)
PARTS_BUILT = [name for name in COMPLIANCE_MARTS if name != "student_pipeline"]


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("parts")
    return generate_sample_trust(root / "trust", staff=400, seed=31, as_of=AS_OF, history=False).landing_dir


def _loaded(tmp_path, url: str, landing, people_per_part: int):
    config = LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": url, "build_people_per_part": people_per_part})
    engine = warehouse_engine(config)
    ingest_landing(engine, config, landing, "parts", AS_OF, as_tasks=False)
    return config, engine


def _marts(engine) -> dict[str, pd.DataFrame]:
    frames = {}
    with engine.connect() as connection:
        for name in PARTS_BUILT:
            table = COMPLIANCE_MARTS[name]
            surrogate = {c.name for c in table.primary_key.columns if isinstance(c.type, Integer)}
            columns = [c for c in table.c if c.name not in surrogate]
            result = connection.execute(select(*columns).where(table.c.as_of_date == AS_OF))
            frame = pd.DataFrame([tuple(row) for row in result], columns=list(result.keys())).astype(str)
            frames[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return frames


@pytest.mark.slow
def test_a_build_in_parts_equals_the_build_of_everyone_at_once(tmp_path, warehouse_url, landing):
    config, engine = _loaded(tmp_path, warehouse_url, landing, people_per_part=10_000)
    with engine.connect() as connection:
        assert people_ranges(connection, AS_OF, 10_000) == [EVERYONE]
        parts = people_ranges(connection, AS_OF, 37)
    build_compliance_task.fn(engine, config, AS_OF)
    build_skills_task.fn(engine, config, AS_OF)
    whole = _marts(engine)

    assert len(parts) >= 10
    for workers in (0, 1):
        in_parts = config.model_copy(
            update={
                "warehouse": config.warehouse.model_copy(
                    update={"build_people_per_part": 37, "build_worker_processes": workers}
                )
            }
        )
        compliance = build_compliance_task.fn(engine, in_parts, AS_OF)
        skills = build_skills_task.fn(engine, in_parts, AS_OF)
        parted = _marts(engine)
        for name in PARTS_BUILT:
            assert len(whole[name]) > 0, name
            pd.testing.assert_frame_equal(parted[name], whole[name], obj=f"{name}, {workers} worker processes")
        written = {**compliance.rows_written, **skills.rows_written}
        assert {name: written[name] for name in PARTS_BUILT} == {name: len(whole[name]) for name in PARTS_BUILT}
    engine.dispose()


def test_people_ranges_cover_every_key_once_in_the_databases_order(tmp_path, warehouse_url, landing):
    config, engine = _loaded(tmp_path, warehouse_url, landing, people_per_part=10_000)
    with engine.connect() as connection:
        ranges = people_ranges(connection, AS_OF, 50)
        keys = (
            connection.execute(select(assignment.c.employee_number).union(select(learning_record.c.user_key)))
            .scalars()
            .all()
        )
        owners = {
            key: [n for n, people in enumerate(ranges) if connection.execute(select(people.holds(key))).scalar()]
            for key in keys
        }
    engine.dispose()
    assert ranges[0].low is None and ranges[-1].high is None
    assert all(before.high == after.low for before, after in zip(ranges, ranges[1:], strict=False))
    assert 8 <= len(ranges) <= 10
    assert all(len(found) == 1 for found in owners.values())
    assert len({found[0] for found in owners.values()}) == len(ranges)
