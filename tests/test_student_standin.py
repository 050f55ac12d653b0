"""The student system stand-in speaks the documented API: auth, paging, `updated_since`, errors and faults."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from standins.student_system import Fault, StudentRecordStore, run_student_standin
from tests.student_system_support import API_KEY, StepClock, seven_students, student

AUTH = {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture
def standin():
    clock = StepClock(datetime(2026, 11, 21, 9, 0, tzinfo=UTC))
    with run_student_standin(records={"students": seven_students()}, api_key=API_KEY, clock=clock) as running:
        yield running


def ids(response: requests.Response) -> list[str]:
    return [record["student_id"] for record in response.json()["data"]]


def test_pages_carry_meta_and_a_next_link_until_the_last_page(standin):
    base_url, _ = standin
    first = requests.get(f"{base_url}/students", params={"page_size": 3}, headers=AUTH, timeout=5)
    assert first.status_code == 200
    assert first.json()["meta"] == {"page": 1, "page_size": 3, "total": 7}
    assert ids(first) == ["S0000001", "S0000002", "S0000003"]
    third = requests.get(f"{base_url}/students?page=3&page_size=3", headers=AUTH, timeout=5)
    assert ids(third) == ["S0000007"]
    assert third.json()["links"]["next"] is None
    second = requests.get(first.json()["links"]["next"], headers=AUTH, timeout=5)
    assert ids(second) == ["S0000004", "S0000005", "S0000006"]


def test_updated_since_is_strictly_after_so_the_watermark_record_is_not_returned_again(standin):
    base_url, _ = standin
    response = requests.get(
        f"{base_url}/students", params={"updated_since": "2026-11-20T08:04:00Z"}, headers=AUTH, timeout=5
    )
    assert ids(response) == ["S0000006", "S0000007"]
    assert response.json()["meta"]["total"] == 2


def test_next_link_keeps_the_updated_since_filter(standin):
    base_url, _ = standin
    first = requests.get(
        f"{base_url}/students",
        params={"updated_since": "2026-11-20T08:01:00+00:00", "page_size": 2},
        headers=AUTH,
        timeout=5,
    )
    second = requests.get(first.json()["links"]["next"], headers=AUTH, timeout=5)
    assert ids(first) + ids(second) == ["S0000003", "S0000004", "S0000005", "S0000006"]


def test_records_with_equal_updated_at_come_in_key_order():
    stamp = "2026-11-20T08:00:00Z"
    records = [student("S0000009", stamp), student("S0000002", stamp), student("S0000005", stamp)]
    with run_student_standin(records={"students": records}, api_key=API_KEY) as (base_url, _):
        response = requests.get(f"{base_url}/students", headers=AUTH, timeout=5)
    assert ids(response) == ["S0000002", "S0000005", "S0000009"]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing Authorization header; send 'Authorization: Bearer <key>'"),
        ({"Authorization": "Bearer not-the-key"}, "Invalid API key"),
        ({"Authorization": f"Basic {API_KEY}"}, "Invalid API key"),
    ],
)
def test_missing_or_wrong_key_is_a_401_json_error(standin, headers, message):
    base_url, _ = standin
    response = requests.get(f"{base_url}/students", headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "unauthorized", "message": message}}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("updated_since=2026-11-20T08:00:00", "updated_since: timestamp '2026-11-20T08:00:00' has no timezone"),
        ("page_size=0", "page_size must be at least 1 and at most 5000, got 0"),
        ("page=two", "page must be a whole number, got 'two'"),
    ],
)
def test_bad_parameters_are_400_errors_that_say_what_is_wrong(standin, query, message):
    base_url, _ = standin
    response = requests.get(f"{base_url}/students?{query}", headers=AUTH, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"
    assert response.json()["error"]["message"].startswith(message)


def test_unknown_collection_is_404(standin):
    base_url, _ = standin
    response = requests.get(f"{base_url}/module_results", headers=AUTH, timeout=5)
    assert response.status_code == 404
    assert "module-results" in response.json()["error"]["message"]


def test_update_and_delete_restamp_records_from_the_injected_clock(standin):
    base_url, controller = standin
    controller.update("students", "S0000002", email="grace.okafor@nhs.net")
    controller.delete("students", "S0000004")
    response = requests.get(
        f"{base_url}/students", params={"updated_since": "2026-11-20T08:05:30Z"}, headers=AUTH, timeout=5
    )
    changed = {record["student_id"]: record for record in response.json()["data"]}
    assert list(changed) == ["S0000007", "S0000002", "S0000004"]
    assert changed["S0000002"]["updated_at"] == "2026-11-21T09:00:00Z"
    assert changed["S0000002"]["email"] == "grace.okafor@nhs.net"
    tombstone = changed["S0000004"]
    assert (tombstone["deleted"], tombstone["updated_at"]) == (True, "2026-11-21T09:00:01Z")
    assert tombstone["surname"] == "Okafor"


def test_a_deleted_record_can_be_put_back_and_is_live_again(standin):
    _, controller = standin
    tombstone = controller.delete("students", "S0000001")
    restored = controller.put("students", tombstone)
    assert "deleted" not in restored
    assert restored["updated_at"] == "2026-11-21T09:00:01Z"


def test_rate_limit_fault_answers_429_with_retry_after_then_recovers(standin):
    base_url, controller = standin
    controller.inject(Fault("rate_limit", count=2, retry_after=7))
    statuses = [requests.get(f"{base_url}/students", headers=AUTH, timeout=5) for _ in range(3)]
    assert [response.status_code for response in statuses] == [429, 429, 200]
    assert statuses[0].headers["Retry-After"] == "7"
    assert statuses[0].json()["error"]["code"] == "rate_limited"


def test_faults_posted_over_http_apply_in_order_after_the_requests_they_skip(standin):
    base_url, controller = standin
    posted = requests.post(
        f"{controller.root_url}/__standin__/faults",
        json={"faults": [{"kind": "server_error", "after": 1, "status": 502}, {"kind": "html_error"}]},
        timeout=5,
    )
    assert posted.json()["queued"] == 2
    responses = [requests.get(f"{base_url}/students", headers=AUTH, timeout=5) for _ in range(4)]
    assert [response.status_code for response in responses] == [200, 502, 502, 200]
    assert responses[1].json()["error"]["code"] == "server_error"
    assert responses[2].headers["Content-Type"].startswith("text/html")
    assert requests.get(f"{controller.root_url}/__standin__/faults", timeout=5).json() == {"pending": []}


def test_a_fault_with_an_unknown_option_is_refused(standin):
    _, controller = standin
    response = requests.post(
        f"{controller.root_url}/__standin__/faults", json={"kind": "slow", "seconds": 3}, timeout=5
    )
    assert response.status_code == 400
    assert "unknown fault option(s) ['seconds']" in response.json()["error"]["message"]


def test_malformed_json_fault_sends_a_truncated_body(standin):
    base_url, controller = standin
    controller.inject(Fault("malformed_json"))
    response = requests.get(f"{base_url}/students", headers=AUTH, timeout=5)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_connection_reset_fault_drops_the_connection(standin):
    base_url, controller = standin
    controller.inject(Fault("connection_reset"))
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base_url}/students", headers=AUTH, timeout=5)
    assert controller.requests[-1].status == 0


def test_partial_page_fault_drops_records_but_not_the_meta_and_later_pages_are_whole(standin):
    base_url, controller = standin
    controller.inject(Fault("partial_page", drop=2))
    short = requests.get(f"{base_url}/students?page_size=3", headers=AUTH, timeout=5)
    assert ids(short) == ["S0000001"]
    assert short.json()["meta"] == {"page": 1, "page_size": 3, "total": 7}
    following = requests.get(short.json()["links"]["next"], headers=AUTH, timeout=5)
    assert ids(following) == ["S0000004", "S0000005", "S0000006"]


def test_seed_folder_loads_jsonl_per_collection(tmp_path):
    rows = seven_students()
    (tmp_path / "students.jsonl").write_text("\n".join(json.dumps(row) for row in rows) + "\n\n")
    store = StudentRecordStore.from_folder(tmp_path)
    assert store.counts() == {
        "students": 7,
        "enrolments": 0,
        "module-results": 0,
        "placements": 0,
        "assessments": 0,
    }


def test_seed_file_with_a_misspelt_collection_name_is_refused(tmp_path):
    (tmp_path / "module_results.jsonl").write_text("")
    with pytest.raises(ValueError, match=r"module_results.jsonl: no collection called 'module_results'"):
        StudentRecordStore.from_folder(tmp_path)


def test_seed_record_without_updated_at_names_the_file_and_line(tmp_path):
    good, bad = seven_students()[:2]
    del bad["updated_at"]
    (tmp_path / "students.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(ValueError, match=r"students.jsonl line 2: field updated_at is None"):
        StudentRecordStore.from_folder(tmp_path)


def test_runs_from_the_command_line(tmp_path):
    (tmp_path / "students.jsonl").write_text(json.dumps(seven_students()[0]) + "\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "standins.student_system", "--data", str(tmp_path), "--api-key", API_KEY],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        base_url = banner.split()[4]
        response = requests.get(f"{base_url}/students", headers=AUTH, timeout=5)
        assert ids(response) == ["S0000001"]
    finally:
        process.terminate()
        process.wait(timeout=5)
        process.stdout.close()


def test_faults_can_be_set_when_the_stand_in_starts():
    with run_student_standin(api_key=API_KEY, faults=[Fault("rate_limit", retry_after=2)]) as (base_url, _):
        first = requests.get(f"{base_url}/students", headers=AUTH, timeout=5)
        second = requests.get(f"{base_url}/students", headers=AUTH, timeout=5)
    assert (first.status_code, first.headers["Retry-After"], second.status_code) == (429, "2", 200)
