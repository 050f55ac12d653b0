"""ESR exports from the landing folder to compliance marts, on SQLite and PostgreSQL: full and delta semantics,
refusals that leave the warehouse as it was, quarantine, history and point-in-time figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from flows.context import warehouse_engine
from learnscape.config import LearnscapeConfig
from tests.esr_files import (
    COMPETENCE_HEADINGS,
    FIRE,
    RESUS,
    STAFF_HEADINGS,
    competence_row,
    staff_row,
    write_competences,
    write_csv,
    write_staff,
    write_training_needs,
)
from tests.pipeline_support import ingest, person_rows, statuses
from warehouse.models import assignment, load_log, rejected_row


def three_staff(landing: Path, stamp: str = "20261101") -> None:
    write_staff(landing, stamp, "full", [staff_row("10000001"), staff_row("10000002"), staff_row("10000003")])
    write_competences(
        landing,
        stamp,
        "full",
        [
            competence_row("10000001", FIRE, "30-Nov-2025", "30-Nov-2027"),
            competence_row("10000001", RESUS, "2026/01/05 00:00:00"),
            competence_row("10000002", FIRE, "02/12/2024", "No Expiry"),
            competence_row("10000003", FIRE, "2024-12-01", "2026-12-01", rag="GREEN"),
        ],
    )


def test_full_files_load_and_count_each_status(trust):
    three_staff(trust[2])
    outcomes = ingest(trust)
    assert {o.status for o in outcomes.values()} == {"loaded"}
    rows = statuses(person_rows(trust))
    assert rows == {
        ("10000001", FIRE): "compliant",
        ("10000001", RESUS): "expiring",  # 5 Jan 2026 + 1 year = 5 Jan 2027, 43 days ahead
        ("10000002", FIRE): "compliant",  # No Expiry
        ("10000002", RESUS): "missing",
        ("10000003", FIRE): "expiring",
        ("10000003", RESUS): "missing",
    }


def test_loading_the_same_files_again_changes_nothing(trust):
    three_staff(trust[2])
    ingest(trust)
    first = person_rows(trust)
    again = ingest(trust)
    assert {o.status for o in again.values()} == {"duplicate"}
    pd.testing.assert_frame_equal(first, person_rows(trust))


def test_bad_rows_are_quarantined_with_file_row_field_and_reason(trust):
    landing = trust[2]
    rows = [staff_row(f"1000000{i}") for i in range(1, 9)]
    rows[2] = staff_row("1000003", **{"Assignment Number": "1000003"})
    write_staff(landing, "20261101", "full", rows)
    outcome = ingest(trust)["esr_staff_in_post_457_20261101_full.csv"]
    assert (outcome.status, outcome.rows_in, outcome.rows_accepted, outcome.rows_rejected) == (
        "loaded",
        8,
        7,
        1,
    )
    with trust[1].connect() as connection:
        rejected = connection.execute(select(rejected_row)).all()
    fields = {(r.source_file, r.row_number, r.field) for r in rejected}
    assert ("esr_staff_in_post_457_20261101_full.csv", 4, "Employee Number") in fields
    assert all(r.reason for r in rejected) and all("1000003" in r.record_json for r in rejected)


def test_expiry_before_award_is_quarantined(trust):
    landing = trust[2]
    write_staff(landing, "20261101", "full", [staff_row(f"1000000{i}") for i in range(1, 6)])
    good = [competence_row(f"1000000{i}", FIRE, "01/06/2025") for i in range(1, 5)]
    write_competences(
        landing, "20261101", "full", [*good, competence_row("10000005", FIRE, "01/06/2025", "01/06/2024")]
    )
    outcome = ingest(trust)["esr_competences_457_20261101_full.csv"]
    assert (outcome.status, outcome.rows_rejected) == ("loaded", 1)
    assert statuses(person_rows(trust))[("10000005", FIRE)] == "missing"


def test_file_missing_a_required_heading_is_refused_and_leaves_the_warehouse_as_it_was(trust):
    config, engine, landing = trust
    three_staff(landing)
    ingest(trust)
    before = person_rows(trust)
    bad = landing / "esr" / "esr_staff_in_post_457_20261108_delta.csv"
    bad.write_text("Employee Number,Assignment Number,VPD\n10000001,10000001,457\n", encoding="utf-8")
    outcome = ingest(trust)[bad.name]
    assert outcome.status == "refused"
    assert "Staff Group" in outcome.message and "headings found" in outcome.message
    pd.testing.assert_frame_equal(before, person_rows(trust))


def test_truncated_full_file_that_would_end_most_assignments_is_refused(trust):
    config, engine, landing = trust
    write_staff(landing, "20261101", "full", [staff_row(f"1{i:07d}") for i in range(20)])
    ingest(trust)
    write_staff(landing, "20261108", "full", [staff_row(f"1{i:07d}") for i in range(10)])
    outcome = ingest(trust)["esr_staff_in_post_457_20261108_full.csv"]
    assert outcome.status == "refused" and "truncated" in outcome.message
    with engine.connect() as connection:
        current = connection.execute(select(assignment).where(assignment.c.valid_to.is_(None))).all()
    assert len(current) == 20


def test_full_file_ends_what_it_no_longer_holds_and_history_keeps_the_past(trust):
    config, engine, landing = trust
    write_staff(landing, "20261001", "full", [staff_row(f"1{i:07d}") for i in range(10)])
    write_staff(landing, "20261101", "full", [staff_row(f"1{i:07d}") for i in range(9)])
    ingest(trust)
    people_now = set(person_rows(trust).employee_number)
    people_then = set(person_rows(trust, date(2026, 10, 15)).employee_number)
    assert "10000009" in people_then and "10000009" not in people_now
    assert len(people_now) == 9


def test_delta_changes_only_the_rows_it_holds(trust):
    config, engine, landing = trust
    three_staff(landing)
    write_staff(
        landing,
        "20261108",
        "delta",
        [
            staff_row("10000003", **{"Assignment Status": "Maternity & Adoption"}),
        ],
    )
    ingest(trust)
    rows = person_rows(trust)
    assert set(rows.employee_number) == {"10000001", "10000002"}
    assert set(person_rows(trust, date(2026, 11, 5)).employee_number) == {"10000001", "10000002", "10000003"}


def test_renewal_in_a_delta_updates_the_award_and_the_past_keeps_the_old_one(trust):
    config, engine, landing = trust
    three_staff(landing)
    write_competences(
        landing,
        "20261115",
        "delta",
        [
            competence_row("10000003", FIRE, "14-Nov-2026", "14-Nov-2028"),
        ],
    )
    ingest(trust)
    assert statuses(person_rows(trust))[("10000003", FIRE)] == "compliant"
    assert statuses(person_rows(trust, date(2026, 11, 10)))[("10000003", FIRE)] == "expiring"


def test_deltas_applied_out_of_order_end_as_in_order(trust_pair):
    in_order, out_of_order = trust_pair
    results = []
    for fixture, order in ((in_order, ["20261108", "20261115"]), (out_of_order, ["20261115", "20261108"])):
        landing = fixture[2]
        three_staff(landing)
        ingest(fixture)
        for stamp in order:
            status = "Career Break" if stamp == "20261108" else "Active Assignment"
            write_staff(landing, stamp, "delta", [staff_row("10000002", **{"Assignment Status": status})])
            ingest(fixture)
        results.append(person_rows(fixture))
    pd.testing.assert_frame_equal(results[0], results[1])
    assert "10000002" in set(results[0].employee_number)


@pytest.fixture
def trust_pair(tmp_path, warehouse_url):
    if not warehouse_url.startswith("sqlite"):
        pytest.skip("order independence is a property of the merge rules, checked once on SQLite here")
    made = []
    for name in ("in_order", "out_of_order"):
        folder = tmp_path / name
        folder.mkdir()
        config = LearnscapeConfig(base_dir=str(folder), warehouse={"url": f"sqlite:///{folder / 'w.db'}"})
        landing = folder / "landing"
        write_training_needs(landing, [("All", "", FIRE)])
        made.append((config, warehouse_engine(config), landing))
    yield made
    for _, engine, _ in made:
        engine.dispose()


def test_windows_1252_and_bom_files_load(trust):
    config, engine, landing = trust
    write_staff(landing, "20261101", "full", [staff_row("10000001"), staff_row("10000002")], encoding="utf-8-sig")
    write_competences(
        landing,
        "20261101",
        "full",
        [competence_row("10000001", FIRE, "30-Nov-2025", Description="Évacuation drill – ground floor")],
        encoding="cp1252",
    )
    outcomes = ingest(trust)
    assert {o.status for o in outcomes.values()} == {"loaded"}
    with engine.connect() as connection:
        logged = {r.source_file: r.encoding for r in connection.execute(select(load_log)).all()}
    assert logged["esr_staff_in_post_457_20261101_full.csv"] == "utf-8-sig"
    assert logged["esr_competences_457_20261101_full.csv"] == "cp1252"


def test_staging_keeps_only_the_newest_loads_of_each_kind(trust):
    config, engine, landing = trust
    for day in ("20261101", "20261108", "20261115"):
        write_staff(
            landing, day, "delta", [staff_row("10000001", **{"Last Updated": f"{day[:4]}/{day[4:6]}/{day[6:]}"})]
        )
    ingest(trust)
    from warehouse.models import stg_esr_staff_in_post

    with engine.connect() as connection:
        staged_loads = set(connection.execute(select(stg_esr_staff_in_post.c.load_id).distinct()).scalars())
    assert len(staged_loads) == config.warehouse.staging_loads_kept


def test_renamed_headings_are_mapped_through_the_config(tmp_path, warehouse_url):
    config = LearnscapeConfig(
        base_dir=str(tmp_path),
        warehouse={"url": warehouse_url},
        sources={"esr": {"headings": {"staff_in_post": {"job_role": ["Role"]}}}},
    )
    engine = warehouse_engine(config)
    landing = tmp_path / "landing"
    write_training_needs(landing, [("Job Role", "Paramedic", FIRE)])
    rows = [{("Role" if k == "Job Role" else k): v for k, v in staff_row("10000001").items()}]
    headings = ["Role" if h == "Job Role" else h for h in STAFF_HEADINGS]
    write_csv(landing / "esr" / "esr_staff_in_post_457_20261101_full.csv", headings, rows)
    outcomes = ingest((config, engine, landing))
    assert outcomes["esr_staff_in_post_457_20261101_full.csv"].status == "loaded"
    assert statuses(person_rows((config, engine, landing))) == {("10000001", FIRE): "missing"}
    engine.dispose()


def test_xlsx_exports_load_like_csv(trust):
    from openpyxl import Workbook

    config, engine, landing = trust
    for kind, headings, rows in (
        ("staff_in_post", STAFF_HEADINGS, [staff_row("10000001"), staff_row("10000002")]),
        ("competences", COMPETENCE_HEADINGS, [competence_row("10000001", FIRE, "30-Nov-2025", "30-Nov-2027")]),
    ):
        book = Workbook()
        sheet = book.active
        sheet.append(headings)
        for row in rows:
            sheet.append([row[h] for h in headings])
        (landing / "esr").mkdir(parents=True, exist_ok=True)
        book.save(landing / "esr" / f"esr_{kind}_457_20261101_full.xlsx")
    outcomes = ingest(trust)
    assert {o.status for o in outcomes.values()} == {"loaded"}
    rows = statuses(person_rows(trust))
    assert rows[("10000001", FIRE)] == "compliant" and rows[("10000002", FIRE)] == "missing"
