"""Several trusts in one landing area, partitioned by trust and by stage on a Dask cluster: the published
compliance tables equal those of the single-process run exactly."""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from flows.build import build_compliance_task
from flows.context import warehouse_engine
from flows.ingest import ingest_landing
from flows.multi_trust import run_multi_trust
from learnscape.config import LearnscapeConfig
from sample_trust.generate import generate_sample_trust
from warehouse.models import compliance_person, compliance_summary
from warehouse.snapshot import people_ranges

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """Two trusts' ESR extracts (VPDs 457 and 123) and one training needs analysis in one landing folder."""
    root = tmp_path_factory.mktemp("region")
    landing = root / "landing"
    (landing / "esr").mkdir(parents=True)
    for vpd, staff in (("457", 300), ("123", 200)):
        trust = generate_sample_trust(root / vpd, staff=staff, seed=int(vpd), as_of=AS_OF, vpd=vpd, history=False)
        for extract in (trust.landing_dir / "esr").iterdir():
            shutil.copy(extract, landing / "esr" / extract.name)
    shutil.copytree(root / "457" / "landing" / "trust", landing / "trust")
    return landing


def _published(config: LearnscapeConfig) -> dict[str, pd.DataFrame]:
    engine = warehouse_engine(config)
    frames = {}
    with engine.connect() as connection:
        for table, order in ((compliance_person, ["vpd", "employee_number", "competency_name"]),
                             (compliance_summary, ["dimension", "group_value", "competency_name"])):
            result = connection.execute(select(table).where(table.c.as_of_date == AS_OF))
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
            frames[table.name] = frame.sort_values(order).reset_index(drop=True)
    engine.dispose()
    return frames


@pytest.mark.slow
def test_multi_trust_run_on_dask_equals_the_single_process_run(region, tmp_path, monkeypatch):
    from prefect.testing.utilities import prefect_test_harness

    single = LearnscapeConfig(base_dir=str(tmp_path / "single"), warehouse={"url": "sqlite:///single.db"})
    (tmp_path / "single").mkdir()
    engine = warehouse_engine(single)
    ingest_landing(engine, single, region, "single", AS_OF, as_tasks=False)
    build_compliance_task.fn(engine, single, AS_OF)
    engine.dispose()

    (tmp_path / "dask").mkdir()
    config_file = tmp_path / "dask" / "learnscape.yaml"
    config_file.write_text("warehouse:\n  url: sqlite:///dask.db\n", encoding="utf-8")
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    with prefect_test_harness():
        written = run_multi_trust(str(config_file), str(region), AS_OF.isoformat(), str(tmp_path / "dask" / "outbox"),
                                  workers=2, processes=False)
    dask = LearnscapeConfig(base_dir=str(tmp_path / "dask"), warehouse={"url": "sqlite:///dask.db"})

    expected, actual = _published(single), _published(dask)
    assert set(expected["compliance_person"]["vpd"]) == {"457", "123"}
    assert written["compliance_person"] == len(expected["compliance_person"])
    for name in expected:
        pd.testing.assert_frame_equal(actual[name], expected[name])
    assert (tmp_path / "dask" / "outbox" / AS_OF.isoformat() / "manifest.json").exists()


@pytest.mark.slow
def test_a_build_in_parts_over_two_trusts_equals_the_build_of_both_at_once(region, tmp_path):
    """Parts read the ESR tables through their (VPD, Employee Number) index by naming every VPD loaded: a VPD
    left out would lose its people's awards, and the parted figures would differ."""
    whole = LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": "sqlite:///region.db"})
    engine = warehouse_engine(whole)
    ingest_landing(engine, whole, region, "region", AS_OF, as_tasks=False)
    build_compliance_task.fn(engine, whole, AS_OF)
    engine.dispose()
    expected = _published(whole)

    in_parts = whole.model_copy(update={"warehouse": whole.warehouse.model_copy(update={"build_people_per_part": 60})})
    engine = warehouse_engine(in_parts)
    with engine.connect() as connection:
        parts = people_ranges(connection, AS_OF, 60)
    build_compliance_task.fn(engine, in_parts, AS_OF)
    engine.dispose()
    actual = _published(in_parts)

    assert len(parts) >= 8 and all(part.vpds == ("123", "457") for part in parts)
    assert set(expected["compliance_person"]["status"]) >= {"compliant", "expired", "missing"}
    for name in expected:
        pd.testing.assert_frame_equal(actual[name], expected[name])
