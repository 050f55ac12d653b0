"""The student system client survives what a real API and its proxies do, and says clearly when it cannot."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.student_system.client import StudentSystemClient
from connectors.student_system.errors import StudentSystemError
from standins.student_system import Fault, run_student_standin
from tests.student_system_support import API_KEY, seven_students


@pytest.fixture
def standin():
    with run_student_standin(records={"students": seven_students()}, api_key=API_KEY) as running:
        yield running


def client_for(base_url: str, sleeps: list[float], **options) -> StudentSystemClient:
    options.setdefault("page_size", 3)
    return StudentSystemClient(base_url, options.pop("api_key", API_KEY), sleep=sleeps.append, **options)


def student_ids(page) -> list[str]:
    return [record["student_id"] for record in page.records]


def test_a_429_is_retried_after_the_seconds_retry_after_asks_for(standin):
    base_url, controller = standin
    controller.inject(Fault("rate_limit", count=2, retry_after=3))
    sleeps: list[float] = []
    page = client_for(base_url, sleeps).fetch_page("students")
    assert sleeps == [3, 3]
    assert (page.retries, page.rate_limited) == (2, 2)
    assert student_ids(page) == ["S0000001", "S0000002", "S0000003"]


def test_server_errors_are_retried_with_growing_backoff(standin):
    base_url, controller = standin
    controller.inject(Fault("server_error", count=3, status=503))
    sleeps: list[float] = []
    page = client_for(base_url, sleeps).fetch_page("students")
    # urllib3's backoff: nothing before the first retry, then backoff_factor 0.5 doubled per failure.
    assert sleeps == [1.0, 2.0]
    assert page.retries == 3
    assert len(page.records) == 3


def test_server_errors_beyond_the_retry_budget_raise_an_error_naming_the_url_but_not_the_key(standin):
    base_url, controller = standin
    controller.inject(Fault("server_error", count=10, status=502))
    with pytest.raises(StudentSystemError) as raised:
        client_for(base_url, [], max_retries=2).fetch_page("students")
    error = raised.value
    assert str(error).startswith(f"{base_url}/students?page=1&page_size=3: the student system is failing")
    assert "gave up after 2 retries (HTTP 502 server_error" in str(error)
    assert error.status == 502
    assert API_KEY not in str(error)
    assert len(controller.requests) == 3


def test_a_wrong_key_fails_at_once_with_advice(standin):
    base_url, controller = standin
    with pytest.raises(StudentSystemError) as raised:
        client_for(base_url, [], api_key="expired-key").fetch_page("students")
    assert raised.value.status == 401
    assert raised.value.code == "unauthorized"
    assert "the API key was refused; check the key configured for the student system" in str(raised.value)
    assert "expired-key" not in str(raised.value)
    assert len(controller.requests) == 1


def test_a_read_timeout_is_retried(standin):
    base_url, controller = standin
    # A read timeout an ordinary answer never trips on a busy machine, so the one retry is the slow answer's.
    controller.inject(Fault("slow", delay=2.0))
    sleeps: list[float] = []
    page = client_for(base_url, sleeps, timeout=(2, 0.8)).fetch_page("students")
    assert page.retries == 1
    assert len(page.records) == 3


def test_timeouts_beyond_the_retry_budget_are_reported_as_such(standin):
    base_url, controller = standin
    controller.inject(Fault("slow", delay=0.3, count=5))
    with pytest.raises(StudentSystemError, match=r"no usable answer after 1 retry: ReadTimeoutError"):
        client_for(base_url, [], timeout=(2, 0.1), max_retries=1).fetch_page("students")


def test_a_connection_reset_is_retried(standin):
    base_url, controller = standin
    controller.inject(Fault("connection_reset", count=2))
    page = client_for(base_url, []).fetch_page("students")
    assert page.retries == 2
    assert student_ids(page) == ["S0000001", "S0000002", "S0000003"]


def test_malformed_json_is_asked_for_again(standin):
    base_url, controller = standin
    controller.inject(Fault("malformed_json"))
    sleeps: list[float] = []
    page = client_for(base_url, sleeps).fetch_page("students")
    assert sleeps == [0.5]
    assert page.retries == 1
    assert len(page.records) == 3


def test_malformed_json_every_time_is_reported_with_the_url(standin):
    base_url, controller = standin
    controller.inject(Fault("malformed_json", count=3))
    with pytest.raises(StudentSystemError) as raised:
        client_for(base_url, [], max_retries=2).fetch_page("students")
    message = str(raised.value)
    assert message.startswith(f"{base_url}/students?page=1&page_size=3: response is not valid JSON")
    assert message.endswith("(still so after 2 retries)")


def test_an_html_error_page_from_a_proxy_is_retried_like_the_5xx_it_is(standin):
    base_url, controller = standin
    controller.inject(Fault("html_error", status=504))
    page = client_for(base_url, []).fetch_page("students")
    assert page.retries == 1


def test_html_error_pages_beyond_the_retry_budget_are_quoted_in_the_error(standin):
    base_url, controller = standin
    controller.inject(Fault("html_error", status=502, count=10))
    with pytest.raises(StudentSystemError) as raised:
        client_for(base_url, [], max_retries=1).fetch_page("students")
    assert "HTTP 502: text/html; charset=utf-8 body starting '<!DOCTYPE html>" in str(raised.value)


def test_an_html_page_with_status_200_is_not_taken_for_data(standin):
    base_url, controller = standin
    controller.inject(Fault("html_error", status=200, count=10))
    with pytest.raises(StudentSystemError) as raised:
        client_for(base_url, [], max_retries=1).fetch_page("students")
    assert "expected JSON but got text/html; charset=utf-8 starting '<!DOCTYPE html>" in str(raised.value)
    assert raised.value.status == 200


def test_a_partial_page_is_fetched_again_until_it_is_whole(standin):
    base_url, controller = standin
    controller.inject(Fault("partial_page", drop=1))
    sleeps: list[float] = []
    page = client_for(base_url, sleeps).fetch_page("students")
    assert student_ids(page) == ["S0000001", "S0000002", "S0000003"]
    assert page.retries == 1


def test_a_page_that_stays_partial_is_reported_with_what_meta_promised(standin):
    base_url, controller = standin
    controller.inject(Fault("partial_page", drop=2, count=4))
    with pytest.raises(StudentSystemError, match=r"partial page: 1 records where meta \(page 1, page_size 3, "):
        client_for(base_url, [], max_retries=3).fetch_page("students")


def test_a_next_link_to_another_host_is_refused_so_the_key_stays_home(standin):
    base_url, _ = standin
    with pytest.raises(StudentSystemError, match="refusing to follow a link outside the configured API"):
        client_for(base_url, []).fetch_url("https://elsewhere.example.com/api/v1/students?page=2")


def test_updated_since_must_say_its_timezone(standin):
    base_url, _ = standin
    client = client_for(base_url, [])
    with pytest.raises(ValueError, match="has no timezone"):
        client.fetch_page("students", updated_since=datetime(2026, 11, 20, 8, 0))
    url = client.collection_url("students", updated_since=datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
    assert url.endswith("/students?page=1&page_size=3&updated_since=2026-11-20T08%3A00%3A00Z")


def test_unknown_collection_is_refused_before_any_request(standin):
    base_url, controller = standin
    with pytest.raises(ValueError, match="unknown collection 'students_all'"):
        client_for(base_url, []).fetch_page("students_all")
    assert controller.requests == []


def test_an_unreachable_server_is_reported_with_its_url():
    with run_student_standin(api_key=API_KEY) as (base_url, _):
        closed = base_url
    with pytest.raises(StudentSystemError) as raised:
        client_for(closed, [], max_retries=1, timeout=(0.5, 0.5)).fetch_page("students")
    assert str(raised.value).startswith(f"{closed}/students?page=1")
    assert "no usable answer after 1 retry: NewConnectionError" in str(raised.value)
    assert "Connection refused" in str(raised.value)


def test_rate_limiting_beyond_the_retry_budget_is_reported_with_the_last_retry_after(standin):
    base_url, controller = standin
    controller.inject(Fault("rate_limit", count=10, retry_after=30))
    sleeps: list[float] = []
    with pytest.raises(StudentSystemError) as raised:
        client_for(base_url, sleeps, max_retries=2).fetch_page("students")
    assert sleeps == [30, 30]
    assert raised.value.status == 429
    assert "still rate limited after 2 retries (last Retry-After: 30)" in str(raised.value)
