"""Bad inputs from every source: the run never crashes, every bad file is refused (saying why) or has its bad
rows quarantined by file, row, field and reason, no row goes uncounted, and a refused batch changes no mart and
no published feed.

Each case is dropped into a copy of the same small trust (see `corpus/baseline.py`) and loaded on its own.
A refused case must leave the core tables the marts are built from exactly as they were; and every refused
file, loaded together into one copy, must leave the rebuilt marts and the republished feed unchanged.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connectors.student_system.client import StudentSystemClient
from connectors.student_system.errors import StudentSystemError
from connectors.totara.client import TotaraClient
from connectors.totara.errors import TotaraApiError
from connectors.totara.pull import iter_job_assignments, iter_users
from flows.context import warehouse_engine
from flows.students import load_collection
from flows.totara import job_assignments_frame, store_pull, users_frame
from learnscape.config import LearnscapeConfig
from standins.student_system import Fault, run_student_standin
from standins.totara.seed import small_trust_seed
from standins.totara.server import run_totara_standin
from tests.reliability.corpus import FILE_CASES, BadFile
from tests.reliability.corpus.baseline import AS_OF, write_baseline
from tests.reliability.pipeline import (
    build_marts,
    ingest,
    landed_files,
    load_files,
    publish,
    sqlite_config,
    with_sources,
)
from tests.reliability.warehouse_state import (
    FeedSnapshot,
    LayerSnapshot,
    comparable,
    layer_snapshot,
    mart_snapshot,
    read_feed,
)
from tests.student_system_support import seven_students, student
from warehouse.models import load_log, rejected_row, source_watermark, totara_user


@dataclass(frozen=True)
class Baseline:
    """The small trust loaded, built and published once; each case starts from a copy of it."""

    folder: Path
    core: LayerSnapshot
    marts: LayerSnapshot
    feed: FeedSnapshot
    last_load_id: int


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Baseline:
    folder = tmp_path_factory.mktemp("corpus-baseline")
    config = sqlite_config(folder)
    engine = warehouse_engine(config)
    write_baseline(folder / "landing")
    outcomes = ingest(engine, config, folder / "landing", AS_OF)
    assert {o.status for o in outcomes} == {"loaded"}, [o for o in outcomes if o.status != "loaded"]
    build_marts(engine, config, AS_OF)
    publish(engine, folder / "outbox", AS_OF)
    with engine.connect() as connection:
        last_load_id = connection.execute(select(func.max(load_log.c.load_id))).scalar_one()
    state = Baseline(
        folder,
        layer_snapshot(engine, "core"),
        mart_snapshot(engine),
        read_feed(folder / "outbox", AS_OF),
        last_load_id,
    )
    engine.dispose()
    return state


def copy_of(baseline: Baseline, folder: Path) -> LearnscapeConfig:
    for path in baseline.folder.glob("warehouse.db*"):
        shutil.copy(path, folder / path.name)
    shutil.copytree(baseline.folder / "outbox", folder / "outbox", symlinks=True)
    return sqlite_config(folder)


def land(case: BadFile, landing: Path) -> Path:
    path = landing / case.path
    path.parent.mkdir(parents=True)
    path.write_bytes(case.make())
    return path


def test_the_corpus_covers_every_file_source_with_at_least_forty_inputs():
    sources = {case.source for case in FILE_CASES}
    assert len(FILE_CASES) >= 40 and len({case.name for case in FILE_CASES}) == len(FILE_CASES)
    assert {"esr_staff_in_post", "esr_competences", "totara_course", "totara_certification"} <= sources
    assert {"training_needs_analysis", "skills_framework", "role_skill_profiles", "survey_responses"} <= sources
    assert {case.expected.status for case in FILE_CASES} == {"refused", "loaded"}


def test_the_baseline_every_case_starts_from_has_published_figures(baseline):
    assert baseline.feed is not None and baseline.feed.files["compliance_person.csv"][0] == 24
    assert baseline.marts.row_counts()["learning_engagement"] > 0


@pytest.mark.parametrize("case", FILE_CASES, ids=[case.name for case in FILE_CASES])
def test_a_bad_file_is_refused_or_quarantined_and_no_row_goes_uncounted(case: BadFile, baseline, tmp_path):
    config = copy_of(baseline, tmp_path)
    engine = warehouse_engine(config)
    try:
        landed = land(case, tmp_path / "landing")
        outcomes = ingest(engine, config, tmp_path / "landing", AS_OF)

        assert [o.source_file for o in outcomes] == [landed.name]
        outcome = outcomes[0]
        assert outcome.status == case.expected.status, outcome.message
        with engine.connect() as connection:
            logged = connection.execute(select(load_log).where(load_log.c.load_id == outcome.load_id)).one()
            quarantine = connection.execute(
                select(rejected_row).where(rejected_row.c.load_id > baseline.last_load_id)
            ).all()
        assert (logged.source_file, logged.status) == (landed.name, case.expected.status)
        assert logged.rows_accepted + logged.rows_rejected == logged.rows_in, "a row went uncounted"
        for row in quarantine:
            assert row.source_file == landed.name and row.field and row.reason and row.row_number is not None
        assert case.expected.quarantined <= {(row.row_number, row.field) for row in quarantine}
        if outcome.status == "loaded":
            assert logged.rows_in == case.rows, f"the file holds {case.rows} rows, the load log says {logged.rows_in}"
        else:
            assert logged.message and all(m in logged.message for m in case.expected.mentions), logged.message
            after = layer_snapshot(engine, "core")
            assert after.checksums == baseline.core.checksums, after.differences(baseline.core)
    finally:
        engine.dispose()


def test_refused_files_change_no_mart_and_no_published_feed(baseline, tmp_path):
    """Every refused file of the corpus, loaded one after another; then the marts are rebuilt and the feed
    republished, and both must be exactly the baseline's."""
    refusals = [case for case in FILE_CASES if case.expected.status == "refused"]
    config = copy_of(baseline, tmp_path)
    engine = warehouse_engine(config)
    try:
        for number, case in enumerate(refusals):
            landing = tmp_path / f"landing-{number}"
            land(case, landing)
            outcomes = ingest(engine, config, landing, AS_OF)
            assert [o.status for o in outcomes] == ["refused"], case.name
        build_marts(engine, config, AS_OF)
        publish(engine, tmp_path / "outbox", AS_OF, run_id="after-refusals")
        after = mart_snapshot(engine)
        assert after.checksums == baseline.marts.checksums, after.differences(baseline.marts)
        assert comparable(read_feed(tmp_path / "outbox", AS_OF)) == comparable(baseline.feed)
        assert len(refusals) >= 20
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_100k_character_field_is_quarantined_on_postgresql_rather_than_stopping_the_run(tmp_path, postgres_url):
    case = next(case for case in FILE_CASES if case.name == "esr-field-of-100k-characters")
    config = LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": postgres_url})
    engine = warehouse_engine(config)
    try:
        write_baseline(tmp_path / "baseline")
        files = [path for path in landed_files(tmp_path / "baseline") if path.parent.name in {"esr", "trust"}]
        load_files(engine, config, files, AS_OF)
        landed = tmp_path / "landing" / case.path
        landed.parent.mkdir(parents=True)
        landed.write_bytes(case.make())
        try:
            outcome = ingest(engine, config, tmp_path / "landing", AS_OF)[0]
        except Exception as error:
            pytest.fail(f"the run stopped: {type(error).__name__}: {str(error)[:200]}")
        assert outcome.status == "loaded" and outcome.rows_rejected == 1
    finally:
        engine.dispose()


# --- the API stand-ins ---------------------------------------------------------------------------------------

STUDENT_KEY = "corpus-student-key"
TOTARA_CLIENT = {"client_id": "learnscape", "client_secret": "corpus-totara-secret"}


def _no_wait(_seconds: float) -> None:
    """Back-off sleeps of the clients built here: the stand-ins answer at once, so waiting proves nothing."""


@pytest.fixture
def api_warehouse(tmp_path):
    config = sqlite_config(tmp_path)
    engine = warehouse_engine(config)
    yield config, engine
    engine.dispose()


def test_student_records_of_the_wrong_type_are_quarantined_by_record_and_field(api_warehouse):
    config, engine = api_warehouse
    stamps = [f"2026-11-20T08:{minute:02d}:00Z" for minute in range(12)]
    records = [student(f"S{n + 1:07d}", stamp) for n, stamp in enumerate(stamps)]
    records[2] = student("S0000003", stamps[2], date_of_birth=20010314)
    records[4] = student("S0000005", stamps[4], esr_employee_number=["10000001"])
    records[5] = student("S0000006", stamps[5], forenames={"first": "Grace"})
    with run_student_standin(records={"students": records}, api_key=STUDENT_KEY) as (base_url, _):
        client = StudentSystemClient(base_url, STUDENT_KEY, sleep=_no_wait)
        with client:
            outcome = load_collection(engine, with_sources(config, student_url=base_url), client, "students", "t")
    with engine.connect() as connection:
        logged = connection.execute(select(load_log).where(load_log.c.load_id == outcome.load_id)).one()
        quarantine = connection.execute(select(rejected_row).where(rejected_row.c.load_id == outcome.load_id)).all()
    assert outcome.status == "loaded"
    assert (logged.rows_in, logged.rows_accepted, logged.rows_rejected) == (12, 9, 3)
    assert {(row.source_file, row.field) for row in quarantine} == {
        (f"{base_url}/students", "date_of_birth"),
        (f"{base_url}/students", "esr_employee_number"),
        (f"{base_url}/students", "forenames"),
    }
    assert all(row.reason and row.record_json for row in quarantine)
    assert not any("20010314" in (row.value or "") + row.record_json for row in quarantine)


def test_an_html_error_page_from_the_student_system_fails_the_pull_cleanly_and_moves_no_watermark(api_warehouse):
    config, engine = api_warehouse
    page = Fault("html_error", status=200, count=10)
    with run_student_standin(records={"students": seven_students()}, api_key=STUDENT_KEY, faults=[page]) as (
        base_url,
        _,
    ):
        client = StudentSystemClient(base_url, STUDENT_KEY, max_retries=2, sleep=_no_wait)
        with client, pytest.raises(StudentSystemError) as raised:
            load_collection(engine, with_sources(config, student_url=base_url), client, "students", "corpus")
    assert f"{base_url}/students" in str(raised.value) and "text/html" in str(raised.value)
    with engine.connect() as connection:
        assert connection.execute(select(source_watermark)).all() == []
        assert connection.execute(select(func.count()).select_from(load_log)).scalar_one() == 0


def _pull_totara(engine, config, client) -> list:
    """What `flows.totara.pull_totara_task` does, with a client the test builds (short waits, few retries)."""
    endpoint = f"{client.base_url}/api/graphql.php"
    users = users_frame(iter_users(client))
    outcomes = [store_pull(engine, config, "users", users, AS_OF, "corpus", f"{endpoint}#core_user_users")]
    jobs = job_assignments_frame(iter_job_assignments(client), "Europe/London")
    outcomes.append(store_pull(engine, config, "job_assignments", jobs, AS_OF, "corpus", endpoint))
    return outcomes


def test_an_html_error_page_from_totara_fails_the_pull_cleanly_naming_the_endpoint(api_warehouse):
    config, engine = api_warehouse
    with run_totara_standin(small_trust_seed(6), **TOTARA_CLIENT) as (base_url, standin):
        standin.set_faults(html_pages=10)
        client = TotaraClient(base_url, **TOTARA_CLIENT, max_retries=2, sleep=_no_wait)
        with client, pytest.raises(TotaraApiError) as raised:
            _pull_totara(engine, config, client)
    assert f"{base_url}/api/graphql.php" in str(raised.value) and "HTML" in str(raised.value)
    assert TOTARA_CLIENT["client_secret"] not in str(raised.value)
    with engine.connect() as connection:
        assert connection.execute(select(totara_user)).all() == []


def test_truncated_json_from_totara_fails_the_pull_cleanly_naming_the_endpoint(api_warehouse):
    config, engine = api_warehouse
    with run_totara_standin(small_trust_seed(6), **TOTARA_CLIENT) as (base_url, standin):
        standin.set_faults(malformed_json=10)
        client = TotaraClient(base_url, **TOTARA_CLIENT, max_retries=2, sleep=_no_wait)
        with client, pytest.raises(TotaraApiError) as raised:
            _pull_totara(engine, config, client)
    assert f"{base_url}/api/graphql.php" in str(raised.value) and "malformed JSON" in str(raised.value)
    with engine.connect() as connection:
        assert connection.execute(select(totara_user)).all() == []
        assert connection.execute(select(func.count()).select_from(load_log)).scalar_one() == 0
