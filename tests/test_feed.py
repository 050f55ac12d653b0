"""The published feed: complete files with a manifest, swapped in atomically, safe to open in a spreadsheet."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pandas as pd
import pytest

from tests.esr_files import FIRE, competence_row, staff_row, write_competences, write_staff, write_training_needs
from warehouse.feeds import neutralise_formulas, publish_feed

D = date(2026, 11, 23)


def test_formula_cells_are_neutralised_but_negative_numbers_are_not():
    frame = pd.DataFrame({"name": ["=HYPERLINK(1)", "+44", "@SUM", "-x", "Paramedic"], "days": [-5, 1, 2, 3, 4]})
    safe = neutralise_formulas(frame)
    assert list(safe["name"]) == ["'=HYPERLINK(1)", "'+44", "'@SUM", "'-x", "Paramedic"]
    assert list(safe["days"]) == [-5, 1, 2, 3, 4]


def test_feed_has_files_and_a_manifest_with_row_counts_and_checksums(tmp_path):
    tables = {"compliance_person": pd.DataFrame({"a": [1, 2]}), "compliance_summary": pd.DataFrame({"b": [3]})}
    feed = publish_feed(tmp_path, D, tables, "run-1", [{"load_id": 1}])
    manifest = json.loads((feed.path / "manifest.json").read_text())
    assert manifest["as_of_date"] == "2026-11-23" and manifest["source_loads"] == [{"load_id": 1}]
    for name, entry in manifest["files"].items():
        body = (feed.path / name).read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
    assert manifest["files"]["compliance_person.csv"]["rows"] == 2


def test_republishing_a_date_swaps_the_feed_and_keeps_the_previous_version(tmp_path):
    first = publish_feed(tmp_path, D, {"compliance_person": pd.DataFrame({"a": [1]})}, "run-1", [])
    second = publish_feed(tmp_path, D, {"compliance_person": pd.DataFrame({"a": [1, 2]})}, "run-2", [])
    assert first.path == second.path and first.version_path != second.version_path
    assert first.version_path.exists()
    assert json.loads((second.path / "manifest.json").read_text())["run_id"] == "run-2"
    assert not list((tmp_path / ".versions").glob(".*partial"))


@pytest.mark.slow
def test_nightly_flow_ingests_builds_and_publishes_on_prefect(tmp_path, monkeypatch):
    from prefect.testing.utilities import prefect_test_harness

    from flows.nightly import nightly_flow

    landing = tmp_path / "landing"
    write_training_needs(landing, [("All", "", FIRE)])
    write_staff(landing, "20261122", "full", [staff_row("10000001"), staff_row("10000002")])
    write_competences(landing, "20261122", "full", [competence_row("10000001", FIRE, "30-Nov-2025")])
    (tmp_path / "learnscape.yaml").write_text("warehouse:\n  url: sqlite:///w.db\n", encoding="utf-8")
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    with prefect_test_harness():
        result = nightly_flow(
            config_file=str(tmp_path / "learnscape.yaml"), as_of=D.isoformat(), outbox=str(tmp_path / "outbox")
        )
    assert [load.status for load in result.loads] == ["loaded", "loaded", "loaded"]
    person = pd.read_csv(result.feed_path / "compliance_person.csv", dtype=str)
    assert dict(zip(person.employee_number, person.status, strict=True)) == {
        "10000001": "compliant",
        "10000002": "missing",
    }
    summary = pd.read_csv(result.feed_path / "compliance_summary.csv", dtype=str)
    trust = summary[(summary.dimension == "trust") & (summary.competency_name == "ALL")].iloc[0]
    assert (trust.required, trust.in_date, trust.rag) == ("2", "1", "red")
    assert (tmp_path / "reports" / "data_docs" / "index.html").exists()


def test_a_table_streamed_in_chunks_is_written_as_one_file_identical_to_the_whole(tmp_path):
    whole = pd.DataFrame({"name": ["=cmd", "Paramedic", "-x", "Call Handler", "+1"], "days": [1, 2, 3, 4, 5]})
    chunks = [whole.iloc[0:2], whole.iloc[2:4], whole.iloc[4:5]]
    first = publish_feed(tmp_path / "a", D, {"compliance_person": whole}, "run-1", [])
    second = publish_feed(tmp_path / "b", D, {"compliance_person": iter(chunks)}, "run-1", [])
    body = (second.path / "compliance_person.csv").read_text()
    assert body == (first.path / "compliance_person.csv").read_text()
    assert body.count("name,days") == 1 and "'=cmd" in body and "'+1" in body
    assert second.manifest["files"]["compliance_person.csv"]["rows"] == 5


def test_published_marts_are_read_in_chunks_with_whole_numbers_written_as_integers(
    tmp_path, warehouse_url, monkeypatch
):
    from flows.publish import publish_feed_task
    from tests.marts_support import all_marts
    from warehouse.engine import open_warehouse
    from warehouse.marts import replace_marts_for_date
    from warehouse.migrate import upgrade

    engine = open_warehouse(warehouse_url)
    upgrade(engine)
    marts = {name: frame for name, frame in all_marts().items() if name.startswith("compliance")}
    replace_marts_for_date(engine, D, marts)
    monkeypatch.setattr("warehouse.reads.CHUNK_ROWS", 3)  # four person rows: two chunks, the NULL in the second
    feed = publish_feed_task.fn(engine, tmp_path / "outbox", D, "run-1")
    engine.dispose()
    person = pd.read_csv(feed.path / "compliance_person.csv", dtype=str, keep_default_na=False)
    assert person["days_to_expiry"].tolist() == ["191", "27", "-22", ""]
    assert person["employee_number"].tolist() == ["10234567", "10234567", "20345678", "20345678"]
    assert feed.manifest["files"]["compliance_person.csv"]["rows"] == 4
