"""Faulty source systems: rate limits, server errors, timeouts, dropped connections, error pages, cut-off JSON,
partial pages and a token expiring mid-run are survived within the clients' bounded retries; a fault that
outlasts them fails the run cleanly, and the next run completes it with no gap and no duplicate.

Both sources are the local stand-ins over real HTTP, misbehaving through their fault switches. The clients are
built as the flows build them, with short timeouts (so a slow answer trips the read timeout in seconds, not
thirty) and without sleeping between retries (the back-off schedule is the clients' own tests' business).
What the warehouse holds afterwards is compared with a fault-free pull of the same source.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from connectors.student_system.client import StudentSystemClient
from connectors.student_system.constants import COLLECTIONS
from connectors.student_system.errors import StudentSystemError
from connectors.totara.client import TotaraClient
from connectors.totara.errors import TotaraApiError
from connectors.totara.pull import iter_job_assignments, iter_users
from flows.context import warehouse_engine
from flows.students import load_collection, pull_students_task
from flows.totara import job_assignments_frame, store_pull, users_frame
from sample_trust.students import plan_sample_students
from standins.student_system import Fault, run_student_standin
from standins.totara.seed import small_trust_seed
from standins.totara.server import run_totara_standin
from tests.reliability.pipeline import sqlite_config, with_sources
from tests.reliability.trust_files import AS_OF
from tests.reliability.warehouse_state import LayerSnapshot, layer_snapshot
from warehouse.models import load_log, source_watermark

STUDENT_KEY = "faults-student-key"
TOTARA_CLIENT = {"client_id": "learnscape", "client_secret": "faults-totara-secret"}
STUDENT_TABLES = ("student", "student_enrolment", "student_module_result", "student_placement", "student_assessment")
TOTARA_TABLES = ("totara_user", "totara_job_assignment")
#: The read timeout is short so a slow answer trips it quickly, but long enough that an ordinary answer from a
#: stand-in on a busy CI machine (PostgreSQL and the suite sharing two cores) never does: a spurious timeout
#: would be one retry more than the faults injected.
TIMEOUT = (2.0, 1.5)
SLOW = 3.0
PAGE_SIZE = 7


def _no_wait(_seconds: float) -> None:
    """The clients' back-off sleeps: the stand-ins are ready at once, so waiting would only slow the tests."""


def held(engine, tables: tuple[str, ...]) -> dict[str, str]:
    """Checksums of the core tables a source fills, leaving out which load wrote each row."""
    snapshot: LayerSnapshot = layer_snapshot(engine, "core", ignore_columns=("load_id",))
    return {table: snapshot.checksums[table] for table in tables}


@pytest.fixture
def warehouse(tmp_path):
    config = sqlite_config(tmp_path)
    engine = warehouse_engine(config)
    yield config, engine
    engine.dispose()


@pytest.fixture(scope="module")
def student_records() -> dict:
    employees = [(f"2000000{n}", "Grace", f"Okafor{n}", date(1990, 1, 1 + n), f"g{n}@nhs.net") for n in range(8)]
    return plan_sample_students(employees, seed=3, as_of=AS_OF, students=24).records


# --- the student system ----------------------------------------------------------------------------------------


def pull_students(engine, config, client, run_id: str = "faults") -> list:
    """What `flows.students.pull_students_task` does, with a client the test builds."""
    with client:
        return [load_collection(engine, config, client, collection, run_id) for collection in COLLECTIONS]


def reported(outcomes, what: str) -> int:
    """The retries (or rate-limited answers) the pulls reported in their load-log messages."""
    return sum(int(re.search(rf"(\d+) {what}", outcome.message).group(1)) for outcome in outcomes)


def student_client(base_url: str, **options) -> StudentSystemClient:
    return StudentSystemClient(base_url, STUDENT_KEY, page_size=PAGE_SIZE, timeout=TIMEOUT, sleep=_no_wait, **options)


@pytest.fixture(scope="module")
def fault_free_students(student_records, tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("students-fault-free")
    config = sqlite_config(folder)
    engine = warehouse_engine(config)
    try:
        with run_student_standin(records=student_records, api_key=STUDENT_KEY) as (base_url, _):
            outcomes = pull_students(engine, with_sources(config, student_url=base_url), student_client(base_url))
        assert {o.status for o in outcomes} == {"loaded"} and sum(o.rows_in for o in outcomes) > 100
        return held(engine, STUDENT_TABLES)
    finally:
        engine.dispose()


#: Faults queue up and strike request after request (`after` lets that many through first), spread so that no one
#: page needs more than the client's five retries.
STUDENT_FAULTS = {
    "429s-5xx-read-timeouts-and-connection-resets": [
        Fault("rate_limit", count=2, retry_after=0),
        Fault("server_error", count=2, after=1),
        Fault("server_error", status=502, after=2),
        Fault("slow", delay=SLOW, count=2, after=1),
        Fault("connection_reset", count=2, after=2),
        Fault("rate_limit", retry_after=0, after=3),
    ],
    "partial-pages-html-error-pages-and-cut-off-json": [
        Fault("partial_page", drop=3, after=1),
        Fault("html_error", status=200, after=1),
        Fault("malformed_json", after=2),
        Fault("partial_page", after=2),
        Fault("html_error", status=502, after=1),
    ],
}


@pytest.mark.parametrize("faults", STUDENT_FAULTS.values(), ids=STUDENT_FAULTS.keys())
def test_the_student_system_misbehaving_within_the_retry_budget_loses_and_doubles_nothing(
    faults, student_records, fault_free_students, warehouse
):
    config, engine = warehouse
    with run_student_standin(records=student_records, api_key=STUDENT_KEY, faults=faults) as (base_url, standin):
        outcomes = pull_students(engine, with_sources(config, student_url=base_url), student_client(base_url))
        assert standin.faults.pending() == [], "every fault queued was suffered"
    assert {o.status for o in outcomes} == {"loaded"}
    assert reported(outcomes, "retries") == sum(fault.count for fault in faults)
    assert reported(outcomes, "rate-limited") == sum(fault.count for fault in faults if fault.kind == "rate_limit")
    assert held(engine, STUDENT_TABLES) == fault_free_students


def test_a_student_pull_that_outlasts_its_retries_fails_cleanly_and_the_next_run_resumes_from_its_watermark(
    student_records, fault_free_students, warehouse, monkeypatch
):
    config, engine = warehouse
    monkeypatch.setenv("LEARNSCAPE_STUDENT_API_KEY", STUDENT_KEY)
    outage = Fault("server_error", count=50, after=6)
    with run_student_standin(records=student_records, api_key=STUDENT_KEY, faults=[outage]) as (base_url, standin):
        config = with_sources(config, student_url=base_url)
        with pytest.raises(StudentSystemError) as raised:
            pull_students(engine, config, student_client(base_url, max_retries=3))
        assert "gave up after 3 retries" in str(raised.value) and base_url in str(raised.value)
        with engine.connect() as connection:
            watermarks = {name for (name,) in connection.execute(select(source_watermark.c.collection))}
            loads = connection.execute(select(load_log.c.source, load_log.c.status)).all()
        assert watermarks == {"students"} and loads == [("student_students", "loaded")]
        standin.faults.clear()
        config = config.model_copy(
            update={
                "sources": config.sources.model_copy(
                    update={"student_system": config.sources.student_system.model_copy(update={"page_size": 5})}
                )
            }
        )
        resumed = pull_students_task.fn(engine, config, "resumed")
    assert [o.rows_in for o in resumed][0] == 0, "students were loaded before the outage and not pulled again"
    assert {o.status for o in resumed} == {"loaded"}
    assert held(engine, STUDENT_TABLES) == fault_free_students


# --- Totara --------------------------------------------------------------------------------------------------


def pull_totara(engine, config, client) -> list:
    """What `flows.totara.pull_totara_task` does, with a client the test builds and small pages."""
    endpoint = f"{client.base_url}/api/graphql.php"
    with client:
        users = users_frame(iter_users(client, page_size=PAGE_SIZE))
        outcomes = [store_pull(engine, config, "users", users, AS_OF, "faults", f"{endpoint}#core_user_users")]
        jobs = job_assignments_frame(iter_job_assignments(client, page_size=PAGE_SIZE), "Europe/London")
        outcomes.append(store_pull(engine, config, "job_assignments", jobs, AS_OF, "faults", endpoint))
    return outcomes


def totara_client(base_url: str, **options) -> TotaraClient:
    return TotaraClient(base_url, **TOTARA_CLIENT, timeout=TIMEOUT, sleep=_no_wait, **options)


@pytest.fixture(scope="module")
def totara_seed():
    return small_trust_seed(30)


@pytest.fixture(scope="module")
def fault_free_totara(totara_seed, tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("totara-fault-free")
    config = sqlite_config(folder)
    engine = warehouse_engine(config)
    try:
        with run_totara_standin(totara_seed, **TOTARA_CLIENT) as (base_url, _):
            outcomes = pull_totara(engine, with_sources(config, totara_url=base_url), totara_client(base_url))
        assert [o.status for o in outcomes] == ["loaded", "loaded"]
        return held(engine, TOTARA_TABLES)
    finally:
        engine.dispose()


#: Totara's fault switches strike the next GraphQL answers one after another, so each set stays within the five
#: retries one query may take.
TOTARA_FAULTS = {
    "429s-without-retry-after-and-5xx": {"rate_limits": 2, "server_errors": 2},
    "read-timeouts-connection-resets-and-an-html-error-page": {
        "slow_responses": 1,
        "delay_seconds": SLOW,
        "connection_resets": 2,
        "html_pages": 1,
    },
    "cut-off-json-and-a-token-expiring-mid-pagination": {"malformed_json": 2, "expire_token_after_queries": 3},
}


@pytest.mark.parametrize("faults", TOTARA_FAULTS.values(), ids=TOTARA_FAULTS.keys())
def test_totara_misbehaving_within_the_retry_budget_loses_and_doubles_nothing(
    faults, totara_seed, fault_free_totara, warehouse
):
    config, engine = warehouse
    with run_totara_standin(totara_seed, **TOTARA_CLIENT) as (base_url, standin):
        standin.set_faults(**faults)
        client = totara_client(base_url)
        outcomes = pull_totara(engine, with_sources(config, totara_url=base_url), client)
        counters = standin.counters()
    transient = sum(v for k, v in faults.items() if k not in {"delay_seconds", "expire_token_after_queries"})
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    assert client.counters.retries == transient and counters.requests_served > transient
    assert client.counters.token_refreshes == (1 if "expire_token_after_queries" in faults else 0)
    assert held(engine, TOTARA_TABLES) == fault_free_totara


def test_a_totara_pull_that_outlasts_its_retries_fails_cleanly_and_the_next_pull_completes(
    totara_seed, fault_free_totara, warehouse
):
    """Users are pulled and stored; the site then fails for longer than the client retries while the job
    assignments are paged through. Nothing of the failed list is stored; the next full pull completes it."""
    config, engine = warehouse
    with run_totara_standin(totara_seed, **TOTARA_CLIENT) as (base_url, standin):
        config = with_sources(config, totara_url=base_url)
        endpoint = f"{base_url}/api/graphql.php"
        with totara_client(base_url, max_retries=3) as client:
            users = users_frame(iter_users(client, page_size=PAGE_SIZE))
            store_pull(engine, config, "users", users, AS_OF, "outage", f"{endpoint}#core_user_users")
            standin.set_faults(server_errors=40)
            with pytest.raises(TotaraApiError) as raised:
                job_assignments_frame(iter_job_assignments(client, page_size=PAGE_SIZE), "Europe/London")
        assert endpoint in str(raised.value) and "gave up after 4 attempts" in str(raised.value)
        with engine.connect() as connection:
            assert connection.execute(select(load_log.c.source)).scalars().all() == ["totara_users"]
        standin.set_faults(server_errors=0)
        outcomes = pull_totara(engine, config, totara_client(base_url))
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    assert outcomes[0].message.startswith("0 new, 0 no longer listed")
    assert held(engine, TOTARA_TABLES) == fault_free_totara
