"""The Totara stand-in speaks Totara's documented protocol over real HTTP, quirks included."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from standins.totara import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    ComplexityLimits,
    ManualClock,
    TotaraStandin,
    run_totara_standin,
    small_trust_seed,
    write_seed,
)
from standins.totara.seed import SeedError, load_seed, many_users

USERS_DOCUMENT = """
query users($query: core_user_users_query) {
  core_user_users(query: $query) { items { %s } total next_cursor }
}
"""
JOB_ASSIGNMENTS_DOCUMENT = """
query jas($query: totara_job_job_assignments_query) {
  totara_job_job_assignments(query: $query) { items { %s } total next_cursor }
}
"""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def site(clock: ManualClock) -> Iterator[tuple[str, TotaraStandin]]:
    with run_totara_standin(small_trust_seed(10), clock=clock) as running:
        yield running


def token_for(base_url: str) -> str:
    response = requests.post(
        f"{base_url}/totara/oauth2/token.php",
        data={
            "grant_type": "client_credentials",
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
        },
        timeout=5,
    )
    return response.json()["access_token"]


def graphql(base_url: str, token: str, document: str, variables: dict | None = None) -> requests.Response:
    return requests.post(
        f"{base_url}/api/graphql.php",
        json={"query": document, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


def page(limit: int, cursor: str = "", direction: str = "ASC") -> dict:
    return {
        "query": {"pagination": {"limit": limit, "cursor": cursor}, "sort": [{"column": "id", "direction": direction}]}
    }


def test_token_endpoint_issues_a_bearer_token_with_the_configured_lifetime():
    with run_totara_standin(small_trust_seed(2), token_lifetime=900) as (base_url, _):
        response = requests.post(
            f"{base_url}/totara/oauth2/token.php",
            data={
                "grant_type": "client_credentials",
                "client_id": "learnscape",
                "client_secret": DEFAULT_CLIENT_SECRET,
            },
            timeout=5,
        )
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert len(body["access_token"]) > 30


def test_wrong_client_secret_is_refused_with_http_200_and_an_oauth_error_body(site):
    base_url, standin = site
    response = requests.post(
        f"{base_url}/totara/oauth2/token.php",
        data={"grant_type": "client_credentials", "client_id": DEFAULT_CLIENT_ID, "client_secret": "guess"},
        timeout=5,
    )
    assert response.status_code == 200
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed",
        "message": "Client authentication failed",
    }
    assert standin.counters().token_refusals == 1


def test_graphql_endpoint_answers_anything_but_post_with_http_400(site):
    base_url, _ = site
    response = requests.get(f"{base_url}/api/graphql.php", timeout=5)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Invalid webapi request, only POST method is allowed"


def test_missing_token_is_an_http_200_error_with_debug_message_under_extensions(site):
    base_url, standin = site
    response = graphql(base_url, "not-a-token", USERS_DOCUMENT % "id", page(5))
    error = response.json()["errors"][0]
    assert response.status_code == 200
    assert error["message"] == "Internal server error"
    assert error["extensions"]["debugMessage"].startswith("Missing, expired or invalid access token.")
    assert "debugMessage" not in error
    assert standin.counters().token_rejections == 1


def test_old_site_puts_debug_message_directly_on_the_error(site):
    base_url, standin = site
    standin.old_site = True
    error = graphql(base_url, "not-a-token", USERS_DOCUMENT % "id", page(5)).json()["errors"][0]
    assert error["debugMessage"].startswith("Missing, expired or invalid access token.")
    assert "extensions" not in error


def test_a_token_stops_working_once_its_lifetime_has_passed():
    clock = ManualClock()
    with run_totara_standin(small_trust_seed(2), clock=clock, token_lifetime=300) as (base_url, _):
        token = token_for(base_url)
        clock.advance(299)
        assert "data" in graphql(base_url, token, USERS_DOCUMENT % "id", page(5)).json()
        clock.advance(1)
        assert "errors" in graphql(base_url, token, USERS_DOCUMENT % "id", page(5)).json()


def test_only_the_selected_fields_come_back_with_totara_scalars(site):
    base_url, _ = site
    token = token_for(base_url)
    body = graphql(base_url, token, USERS_DOCUMENT % "id username suspended lastaccess", page(50)).json()
    items = body["data"]["core_user_users"]["items"]
    assert items[0] == {"id": "1", "username": "guest", "suspended": False, "lastaccess": None}
    assert {key for item in items for key in item} == {"id", "username", "suspended", "lastaccess"}
    assert all(item["lastaccess"] is None or item["lastaccess"].isdigit() for item in items)


def test_users_include_guest_admin_and_suspended_but_never_deleted(site):
    base_url, _ = site
    body = graphql(base_url, token_for(base_url), USERS_DOCUMENT % "id username suspended", page(50)).json()
    result = body["data"]["core_user_users"]
    usernames = {item["username"] for item in result["items"]}
    assert {"guest", "admin"} <= usernames
    assert [item["username"] for item in result["items"] if item["suspended"]] == ["dylan.shah3"]
    assert "farah.begum5" not in usernames
    assert result["total"] == 11


def test_job_assignments_resolve_nested_position_organisation_and_manager(site):
    base_url, _ = site
    fields = "id idnumber userid startdate enddate position { idnumber fullname } managerja { user { idnumber } }"
    body = graphql(base_url, token_for(base_url), JOB_ASSIGNMENTS_DOCUMENT % fields, page(3)).json()
    second = body["data"]["totara_job_job_assignments"]["items"][1]
    assert second == {
        "id": "2",
        "idnumber": "20007919",
        "userid": "4",
        "startdate": second["startdate"],
        "enddate": None,
        "position": {"idnumber": "POS-EMT", "fullname": "Emergency Medical Technician"},
        "managerja": {"user": {"idnumber": "20000000"}},
    }
    assert second["startdate"].isdigit()


def test_cursor_is_base64_json_and_paging_walks_every_record_once_in_either_direction(site):
    base_url, _ = site
    token = token_for(base_url)
    for direction in ("ASC", "DESC"):
        seen: list[str] = []
        cursor = ""
        while True:
            result = graphql(base_url, token, USERS_DOCUMENT % "id", page(4, cursor, direction)).json()
            result = result["data"]["core_user_users"]
            seen.extend(item["id"] for item in result["items"])
            cursor = result["next_cursor"]
            if not cursor:
                break
            assert json.loads(base64.b64decode(cursor))["columns"]["id"] == seen[-1]
        ordered = sorted(seen, key=int, reverse=direction == "DESC")
        assert seen == ordered
        assert len(seen) == len(set(seen)) == 11


def test_sorting_by_two_columns_or_by_a_column_other_than_id_is_refused(site):
    base_url, _ = site
    token = token_for(base_url)
    two = {"query": {"sort": [{"column": "id", "direction": "ASC"}, {"column": "id", "direction": "DESC"}]}}
    by_name = {"query": {"sort": [{"column": "username", "direction": "ASC"}]}}
    assert "more than one column" in graphql(base_url, token, USERS_DOCUMENT % "id", two).json()["error"]
    assert "username" in graphql(base_url, token, USERS_DOCUMENT % "id", by_name).json()["error"]


def test_unknown_field_and_unknown_operation_get_graphql_errors(site):
    base_url, standin = site
    token = token_for(base_url)
    unknown_field = graphql(base_url, token, USERS_DOCUMENT % "id shoe_size").json()
    unknown_operation = graphql(base_url, token, "{ core_course_courses { items { id } } }").json()
    mutation = graphql(base_url, token, 'mutation { core_user_delete_user(id: "3") { id } }').json()
    assert unknown_field["errors"][0]["message"] == 'Cannot query field "shoe_size" on type "core_user".'
    assert unknown_operation["errors"][0]["message"] == 'Cannot query field "core_course_courses" on type "Query".'
    assert mutation["errors"][0]["message"] == 'Cannot query field "core_user_delete_user" on type "Mutation".'
    assert "data" not in unknown_field
    assert standin.counters().graphql_errors == 3


def test_an_object_field_without_a_selection_is_an_error(site):
    base_url, _ = site
    body = graphql(base_url, token_for(base_url), JOB_ASSIGNMENTS_DOCUMENT % "id position").json()
    assert body["errors"][0]["message"] == (
        'Field "position" of type "totara_hierarchy_position" must have a sub selection.'
    )


def test_a_page_whose_cost_passes_6000_points_gets_the_complexity_error():
    with run_totara_standin(users=many_users(520)) as (base_url, standin):
        token = token_for(base_url)
        # 12 leaves a record: 5 + 12 x 499 = 5,993 is allowed; 5 + 12 x 500 = 6,005 is not.
        fields = (
            "id idnumber username firstname lastname email suspended timezone lastaccess "
            "custom_fields { shortname data data_type }"
        )
        allowed = graphql(base_url, token, USERS_DOCUMENT % fields, page(499)).json()
        refused = graphql(base_url, token, USERS_DOCUMENT % fields, page(500)).json()
    assert len(allowed["data"]["core_user_users"]["items"]) == 499
    assert refused["errors"][0]["message"] == "Query complexity exceeded maximum allowed complexity of 6000."
    assert standin.counters().complexity_rejections == 1


def test_rate_limit_counts_five_per_query_plus_one_per_leaf_per_record_and_answers_429_without_retry_after():
    clock = ManualClock()
    # id + position{idnumber fullname} = 3 leaves; 10 records => 5 + 30 = 35 points a query.
    limits = ComplexityLimits(per_client_per_window=105, window_seconds=60)
    document = JOB_ASSIGNMENTS_DOCUMENT % "id position { idnumber fullname }"
    with run_totara_standin(small_trust_seed(10), clock=clock, limits=limits) as (base_url, standin):
        token = token_for(base_url)
        answers = [graphql(base_url, token, document, page(10)) for _ in range(4)]
        assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
        assert answers[3].json() == {"errors": [{"message": "Too many requests"}], "error": "Too many requests"}
        assert "Retry-After" not in answers[3].headers
        clock.advance(59)
        assert graphql(base_url, token, document, page(10)).status_code == 429
        clock.advance(1.5)
        assert graphql(base_url, token, document, page(10)).status_code == 200
        assert standin.counters().rate_limited == 2


def test_the_query_that_crosses_the_limit_still_runs_because_cost_is_added_afterwards():
    clock = ManualClock()
    limits = ComplexityLimits(per_client_per_window=36)
    document = JOB_ASSIGNMENTS_DOCUMENT % "id position { idnumber fullname }"
    with run_totara_standin(small_trust_seed(10), clock=clock, limits=limits) as (base_url, _):
        token = token_for(base_url)
        assert graphql(base_url, token, document, page(10)).status_code == 200  # 35 points, under 36
        assert graphql(base_url, token, document, page(10)).status_code == 200  # runs, taking it to 70
        assert graphql(base_url, token, document, page(10)).status_code == 429


def test_site_wide_limit_applies_across_clients():
    limits = ComplexityLimits(per_client_per_window=1_000, site_per_window=40)
    with run_totara_standin(small_trust_seed(10), limits=limits, clock=ManualClock()) as (base_url, _):
        token = token_for(base_url)
        document = JOB_ASSIGNMENTS_DOCUMENT % "id position { idnumber fullname }"
        assert graphql(base_url, token, document, page(10)).status_code == 200
        assert graphql(base_url, token, document, page(10)).status_code == 200
        assert graphql(base_url, token, document, page(10)).status_code == 429


def test_faults_can_be_switched_on_over_http_while_running(site):
    base_url, _ = site
    token = token_for(base_url)
    switched = requests.post(f"{base_url}/__standin__/faults", json={"server_errors": 1, "html_pages": 1}, timeout=5)
    assert switched.json()["server_errors"] == 1
    first = graphql(base_url, token, USERS_DOCUMENT % "id", page(5))
    second = graphql(base_url, token, USERS_DOCUMENT % "id", page(5))
    third = graphql(base_url, token, USERS_DOCUMENT % "id", page(5))
    assert first.status_code == 500
    assert second.status_code == 200 and second.headers["Content-Type"].startswith("text/html")
    assert third.json()["data"]["core_user_users"]["items"]
    counters = requests.get(f"{base_url}/__standin__/counters", timeout=5).json()
    assert counters["injected_server_errors"] == 1
    assert counters["injected_html_pages"] == 1
    assert counters["queries_answered"] == 1


def test_unknown_fault_names_are_refused(site):
    base_url, _ = site
    response = requests.post(f"{base_url}/__standin__/faults", json={"flood": 3}, timeout=5)
    assert response.status_code == 400
    assert "flood" in response.json()["error"]


def test_malformed_json_fault_sends_truncated_json(site):
    base_url, standin = site
    standin.set_faults(malformed_json=1)
    response = graphql(base_url, token_for(base_url), USERS_DOCUMENT % "id", page(5))
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_connection_reset_fault_drops_the_connection_without_an_answer(site):
    base_url, standin = site
    standin.set_faults(connection_resets=1)
    with pytest.raises(requests.ConnectionError):
        graphql(base_url, "any", USERS_DOCUMENT % "id")
    assert standin.counters().injected_connection_resets == 1


def test_token_expiry_fault_invalidates_tokens_after_k_answered_queries(site):
    base_url, standin = site
    standin.set_faults(expire_token_after_queries=2)
    token = token_for(base_url)
    answers = [graphql(base_url, token, USERS_DOCUMENT % "id", page(5)).json() for _ in range(3)]
    assert "data" in answers[0] and "data" in answers[1]
    assert "invalid access token" in answers[2]["errors"][0]["extensions"]["debugMessage"]
    assert "data" in graphql(base_url, token_for(base_url), USERS_DOCUMENT % "id", page(5)).json()


def test_seed_folder_round_trips_and_a_bad_line_names_file_and_line(tmp_path: Path):
    seed = small_trust_seed(4)
    write_seed(tmp_path, seed)
    assert load_seed(tmp_path) == seed
    (tmp_path / "users.jsonl").write_text('{"id": "1", "username": "guest"}\n{"id": \n', encoding="utf-8")
    with pytest.raises(SeedError, match=r"users\.jsonl, line 2: not valid JSON"):
        load_seed(tmp_path)


def test_command_line_serves_a_seed_folder(tmp_path: Path):
    write_seed(tmp_path, small_trust_seed(3))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "standins.totara",
            "--data",
            str(tmp_path),
            "--port",
            "0",
            "--client-id",
            "cli-client",
            "--client-secret",
            "cli-secret",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        base_url = line.split(" at ")[1].split(" ")[0]
        response = requests.post(
            f"{base_url}/totara/oauth2/token.php",
            data={"grant_type": "client_credentials", "client_id": "cli-client", "client_secret": "cli-secret"},
            timeout=5,
        )
        assert response.json()["token_type"] == "Bearer"
    finally:
        process.terminate()
        process.wait(timeout=5)
