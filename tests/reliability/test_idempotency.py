"""Loading the same thing twice, or late, or in another order, must leave the published figures as they were.

The reference is the sample trust's files loaded once in the order the nightly run applies them, with every
mart built and the feed published. Marts are compared table by table on SHA-256 checksums over sorted rows
(`warehouse_state.py`), feeds on their manifests without run ids and timestamps.
"""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import delete, func, select

from flows.build import build_compliance_task
from flows.context import warehouse_engine
from flows.learners import match_learners_task
from flows.students import pull_students_task
from flows.totara import pull_totara_task
from learnscape.config import LearnscapeConfig
from sample_trust.students import plan_sample_students
from standins.student_system import run_student_standin
from standins.totara.seed import small_trust_seed
from standins.totara.server import run_totara_standin
from tests.esr_files import FIRE, competence_row, staff_row, write_competences, write_staff, write_training_needs
from tests.reliability.corpus.baseline import write_baseline
from tests.reliability.pipeline import (
    build_marts,
    ingest,
    landed_files,
    load_files,
    publish,
    sqlite_config,
    with_sources,
)
from tests.reliability.trust_files import AS_OF, TrustFiles, landing_with
from tests.reliability.warehouse_state import (
    FeedSnapshot,
    LayerSnapshot,
    assert_same_marts,
    comparable,
    layer_snapshot,
    mart_snapshot,
    read_feed,
)
from warehouse.models import compliance_person, source_watermark, student

RELOADED_ON = date(2026, 11, 24)


@dataclass(frozen=True)
class Reference:
    """A warehouse that loaded the files once, in order, and the marts and feed it published."""

    folder: Path
    files: TrustFiles
    marts: LayerSnapshot
    feed: FeedSnapshot


def load_build_publish(config: LearnscapeConfig, landing: Path, order: str = "as discovered"):
    """Load `landing` as the nightly run does (or file by file, newest first), build every mart and publish."""
    engine = warehouse_engine(config)
    try:
        if order == "as discovered":
            outcomes = ingest(engine, config, landing, AS_OF)
        else:
            outcomes = load_files(engine, config, landed_files(landing)[::-1], AS_OF)
        build_marts(engine, config, AS_OF)
        publish(engine, Path(config.base_dir) / "outbox", AS_OF)
        return outcomes, mart_snapshot(engine), read_feed(Path(config.base_dir) / "outbox", AS_OF)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def reference(sample_files, tmp_path_factory) -> Reference:
    folder = tmp_path_factory.mktemp("in-order")
    files = sample_files
    landing = landing_with(folder / "landing", files.all)
    outcomes, marts, feed = load_build_publish(sqlite_config(folder), landing)
    assert {o.status for o in outcomes} == {"loaded"}
    return Reference(folder, files, marts, feed)


def copy_of(reference: Reference, folder: Path) -> LearnscapeConfig:
    for path in reference.folder.glob("warehouse.db*"):
        shutil.copy(path, folder / path.name)
    shutil.copytree(reference.folder / "outbox", folder / "outbox", symlinks=True)
    return sqlite_config(folder)


def rebuild(config: LearnscapeConfig) -> tuple[LayerSnapshot, FeedSnapshot]:
    engine = warehouse_engine(config)
    try:
        build_marts(engine, config, AS_OF)
        publish(engine, Path(config.base_dir) / "outbox", AS_OF, run_id="rebuilt")
        return mart_snapshot(engine), read_feed(Path(config.base_dir) / "outbox", AS_OF)
    finally:
        engine.dispose()


def test_the_reference_covers_every_mart_the_feed_publishes(reference):
    counts = reference.marts.row_counts()
    assert len(reference.files.deltas) == 6 and len(reference.files.totara) == 3
    for mart in ("compliance_person", "compliance_summary", "skills_gap_person", "skills_log", "learner"):
        assert counts[mart] > 100, mart
    assert set(reference.feed.files) >= {"compliance_person.csv", "skills_gap_summary.csv"}


def test_loading_every_file_again_in_reversed_order_changes_no_mart_and_no_feed(reference, tmp_path):
    config = copy_of(reference, tmp_path)
    engine = warehouse_engine(config)
    try:
        files = landed_files(reference.folder / "landing")[::-1]
        outcomes = load_files(engine, config, files, RELOADED_ON, run_id="replay")
    finally:
        engine.dispose()
    assert {o.status for o in outcomes} == {"duplicate"} and len(outcomes) == len(reference.files.all)
    marts, feed = rebuild(config)
    assert_same_marts(marts, reference.marts, "after the same files were loaded again")
    assert comparable(feed) == comparable(reference.feed)


def _resaved_as_xlsx(source: Path, target: Path) -> None:
    with source.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle) if row]
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(target)


def _resaved_with_bom_and_rows_reversed(source: Path, target: Path) -> None:
    with source.open(encoding="utf-8", newline="") as handle:
        headings, *rows = [row for row in csv.reader(handle) if row]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headings)
    writer.writerows(rows[::-1])
    target.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def test_a_re_export_of_the_same_extract_in_another_shape_changes_nothing(reference, tmp_path):
    """Same rows, different bytes (so a different checksum): the staff file as a workbook, the competence file
    re-saved by Excel with a byte-order mark and its rows in another order. Nothing is new, so nothing changes."""
    config = copy_of(reference, tmp_path)
    staff, competences = reference.files.last_full
    (tmp_path / "resent" / "esr").mkdir(parents=True)
    _resaved_as_xlsx(staff, tmp_path / "resent" / "esr" / staff.name.replace(".csv", ".xlsx"))
    _resaved_with_bom_and_rows_reversed(competences, tmp_path / "resent" / "esr" / competences.name)
    engine = warehouse_engine(config)
    try:
        outcomes = ingest(engine, config, tmp_path / "resent", RELOADED_ON, run_id="resent")
    finally:
        engine.dispose()
    assert [(o.status, o.rows_rejected, o.rows_applied) for o in outcomes] == [("loaded", 0, 0)] * 2
    marts, feed = rebuild(config)
    assert_same_marts(marts, reference.marts, "after a re-export of the same extract")
    assert comparable(feed)[:3] == comparable(reference.feed)[:3]


def test_deltas_replayed_out_of_order_end_in_the_same_state_as_in_order(
    reference, loaded_history, warehouse_url, tmp_path
):
    """The reference here is `loaded_history`: the first full extract and the deltas after it, applied in
    extract-date order with no final full file to paper over a wrong order."""
    files = reference.files
    config = LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": warehouse_url})
    engine = warehouse_engine(config)
    try:
        in_order = landed_files(landing_with(tmp_path / "landing", files.rules + files.first_full + files.totara))
        deltas = landed_files(landing_with(tmp_path / "deltas", files.deltas))[::-1]
        outcomes = load_files(engine, config, in_order[:-3] + deltas + in_order[-3:], AS_OF)
        assert {o.status for o in outcomes} == {"loaded"}
        build_marts(engine, config, AS_OF)
        assert_same_marts(mart_snapshot(engine), loaded_history.marts, "with the deltas applied newest first")
    finally:
        engine.dispose()


def test_loading_every_file_one_at_a_time_in_reversed_order_gives_the_same_marts(reference, tmp_path):
    landing = landing_with(tmp_path / "landing", reference.files.all)
    outcomes, marts, _ = load_build_publish(sqlite_config(tmp_path), landing, order="reversed")
    assert {o.status for o in outcomes} <= {"loaded", "refused"}
    assert_same_marts(marts, reference.marts, "with every file loaded newest first")


def _people_on(engine, as_of: date) -> dict[str, set[str]]:
    with engine.connect() as connection:
        rows = connection.execute(select(compliance_person).where(compliance_person.c.as_of_date == as_of)).all()
    by_status: dict[str, set[str]] = {}
    for row in rows:
        by_status.setdefault(row.status, set()).add(row.employee_number)
    return by_status


def _in_post_after_loading(tmp_path, files_in_order) -> set[str]:
    config = sqlite_config(tmp_path)
    engine = warehouse_engine(config)
    try:
        load_files(engine, config, files_in_order, AS_OF)
        build_compliance_task.fn(engine, config, AS_OF)
        return set().union(*_people_on(engine, AS_OF).values())
    finally:
        engine.dispose()


STAFF = [f"1000001{n}" for n in range(10)]


def test_an_older_full_file_arriving_after_a_newer_one_brings_back_no_leaver(tmp_path):
    """The tenth person left between the two extracts: the newer full file no longer lists them."""
    landing = tmp_path / "landing"
    write_training_needs(landing, [("All", "", FIRE)])
    write_staff(landing, "20261101", "full", [staff_row(number) for number in STAFF])
    write_staff(landing, "20261122", "full", [staff_row(number) for number in STAFF[:-1]])
    rules, older, newer = landed_files(landing)
    assert _in_post_after_loading(tmp_path, [rules, newer, older]) == set(STAFF[:-1])


def test_a_delta_older_than_the_latest_full_file_brings_back_no_leaver(tmp_path):
    """The tenth person changed job on 10 November and left before the 22 November full extract, which no
    longer lists them. Loaded newest first, the warehouse has never held them when the delta with their change
    arrives (the 1 November full file comes last, and is refused as older than the full file applied)."""
    landing = tmp_path / "landing"
    write_training_needs(landing, [("All", "", FIRE)])
    write_staff(landing, "20261101", "full", [staff_row(number) for number in STAFF])
    write_staff(landing, "20261110", "delta", [staff_row(STAFF[-1], **{"Job Role": "Team Leader"})])
    write_staff(landing, "20261122", "full", [staff_row(number) for number in STAFF[:-1]])
    rules, first, delta, last = landed_files(landing)
    assert _in_post_after_loading(tmp_path / "in-order", [rules, first, delta, last]) == set(STAFF[:-1])
    assert _in_post_after_loading(tmp_path / "late", [rules, last, delta, first]) == set(STAFF[:-1])


def _statuses_on(tmp_path, name: str, files_in_order, as_of: date) -> dict[str, set[str]]:
    config = sqlite_config(tmp_path / name)
    engine = warehouse_engine(config)
    try:
        load_files(engine, config, files_in_order, AS_OF)
        build_compliance_task.fn(engine, config, as_of)
        return _people_on(engine, as_of)
    finally:
        engine.dispose()


def test_an_award_shown_only_by_a_late_arriving_older_delta_still_counts_on_past_dates(tmp_path):
    """A Fire Safety award of 1 December 2024 (in date until 1 December 2026) is shown by the 5 November delta;
    the 22 November full file shows its renewal of 15 November. On 10 November the 2024 award is the evidence,
    whichever of the two files the warehouse received first."""
    landing = tmp_path / "landing"
    write_training_needs(landing, [("All", "", FIRE)])
    write_staff(landing, "20261101", "full", [staff_row("10000001")])
    write_competences(landing, "20261105", "delta", [competence_row("10000001", FIRE, "01/12/2024")])
    write_competences(landing, "20261122", "full", [competence_row("10000001", FIRE, "15/11/2026")])
    rules, staff, older, newer = landed_files(landing)
    past = date(2026, 11, 10)
    assert _statuses_on(tmp_path, "in-order", [rules, staff, older, newer], past) == {"expiring": {"10000001"}}
    assert _statuses_on(tmp_path, "late", [rules, staff, newer, older], past) == {"expiring": {"10000001"}}


def test_an_award_shown_only_by_a_late_arriving_older_full_file_still_counts_on_past_dates(tmp_path):
    """As above, but the 2024 award comes in the 1 November full competence file, which arrives last."""
    landing = tmp_path / "landing"
    write_training_needs(landing, [("All", "", FIRE)])
    write_staff(landing, "20261101", "full", [staff_row("10000001")])
    write_competences(landing, "20261101", "full", [competence_row("10000001", FIRE, "01/12/2024")])
    write_competences(landing, "20261122", "full", [competence_row("10000001", FIRE, "15/11/2026")])
    rules, staff, older, newer = landed_files(landing)
    past = date(2026, 11, 10)
    assert _statuses_on(tmp_path, "in-order", [rules, staff, older, newer], past) == {"expiring": {"10000001"}}
    assert _statuses_on(tmp_path, "late", [rules, staff, newer, older], past) == {"expiring": {"10000001"}}


def test_a_delta_arriving_after_a_newer_delta_does_not_undo_the_newer_change(tmp_path):
    landing = tmp_path / "landing"
    write_training_needs(landing, [("All", "", FIRE), ("Job Role", "Team Leader", FIRE)])
    write_staff(landing, "20261101", "full", [staff_row("10000001"), staff_row("10000002")])
    write_staff(landing, "20261110", "delta", [staff_row("10000001", **{"Job Role": "Team Leader"})])
    write_staff(landing, "20261105", "delta", [staff_row("10000001", **{"Job Role": "Paramedic Practitioner"})])
    config = sqlite_config(tmp_path)
    engine = warehouse_engine(config)
    try:
        rules, full, older, newer = landed_files(landing)
        assert "20261105" in older.name
        load_files(engine, config, [rules, full, newer, older], AS_OF)
        build_compliance_task.fn(engine, config, AS_OF)
        with engine.connect() as connection:
            query = select(compliance_person.c.employee_number, compliance_person.c.job_role)
            roles = {number: role for number, role in connection.execute(query)}
        assert roles == {"10000001": "Team Leader", "10000002": "Paramedic"}
    finally:
        engine.dispose()


# --- the same API pages twice ---------------------------------------------------------------------------------

TOTARA_CLIENT = {"client_id": "learnscape", "client_secret": "idempotency-secret"}
STUDENT_KEY = "idempotency-student-key"


@pytest.fixture
def small_trust(tmp_path, monkeypatch):
    """The corpus's small trust (no surveys) loaded, with the API credentials in the environment."""
    monkeypatch.setenv("LEARNSCAPE_TOTARA_CLIENT_ID", TOTARA_CLIENT["client_id"])
    monkeypatch.setenv("LEARNSCAPE_TOTARA_CLIENT_SECRET", TOTARA_CLIENT["client_secret"])
    monkeypatch.setenv("LEARNSCAPE_STUDENT_API_KEY", STUDENT_KEY)
    write_baseline(tmp_path / "landing", surveys=False)
    config = sqlite_config(tmp_path)
    engine = warehouse_engine(config)
    ingest(engine, config, tmp_path / "landing", AS_OF)
    yield config, engine
    engine.dispose()


def test_the_same_totara_pages_pulled_twice_leave_every_mart_identical(small_trust):
    config, engine = small_trust
    with run_totara_standin(small_trust_seed(14), **TOTARA_CLIENT) as (base_url, _):
        config = with_sources(config, totara_url=base_url)
        first = pull_totara_task.fn(engine, config, AS_OF, "first")
        build_marts(engine, config, AS_OF)
        once = mart_snapshot(engine)
        second = pull_totara_task.fn(engine, config, AS_OF, "second")
    build_marts(engine, config, AS_OF)
    assert [o.status for o in first + second] == ["loaded"] * 4
    assert [o.message.split(",")[0] for o in second] == ["0 new", "0 new"]
    assert once.row_counts()["learner"] > 12
    assert_same_marts(mart_snapshot(engine), once, "after the same Totara pages were pulled again")


def test_the_same_student_pages_pulled_twice_leave_every_mart_and_record_identical(small_trust):
    config, engine = small_trust
    employees = [(f"1000000{n}", "Siân", "O'Brien-Jones", date(1989, 2, n), f"1000000{n}@nhs.net") for n in range(1, 9)]
    plan = plan_sample_students(employees, seed=5, as_of=AS_OF, students=40)
    with run_student_standin(records=plan.records, api_key=STUDENT_KEY) as (base_url, _):
        config = with_sources(config, student_url=base_url)
        first = pull_students_task.fn(engine, config, "first")
        match_learners_task.fn(engine, AS_OF)
        build_marts(engine, config, AS_OF)
        once_marts, once_core = mart_snapshot(engine), layer_snapshot(engine, "core", ignore_columns=("load_id",))
        with engine.begin() as connection:
            connection.execute(delete(source_watermark))
        second = pull_students_task.fn(engine, config, "second")
    build_marts(engine, config, AS_OF)
    assert sum(o.rows_in for o in first) == sum(o.rows_in for o in second) > 40
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(student)).scalar_one() > 0
    assert_same_marts(mart_snapshot(engine), once_marts, "after the same student pages were pulled again")
    core = layer_snapshot(engine, "core", ignore_columns=("load_id",))
    for table in ("student", "student_enrolment", "student_placement", "student_assessment", "student_module_result"):
        assert core.checksums[table] == once_core.checksums[table], table
