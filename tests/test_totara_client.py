"""The Totara API client survives each way a real site misbehaves, within bounded retries, or says clearly why not.

Every test talks real HTTP to the local stand-in; sleeps are recorded instead of slept.
"""

from __future__ import annotations

import logging
import random
import socket
from collections.abc import Iterator

import pytest

from connectors.totara.client import TotaraClient
from connectors.totara.errors import TotaraApiError, TotaraAuthError, TotaraUnavailableError
from connectors.totara.queries import USERS_QUERY
from standins.totara import (
    ALWAYS,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    ManualClock,
    TotaraStandin,
    run_totara_standin,
    small_trust_seed,
)

FIRST_PAGE = {"query": {"pagination": {"limit": 5, "cursor": ""}, "sort": [{"column": "id", "direction": "ASC"}]}}


class RecordedSleep:
    """Stands in for time.sleep: remembers each requested wait instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def site() -> Iterator[tuple[str, TotaraStandin]]:
    with run_totara_standin(small_trust_seed(6)) as running:
        yield running


def client_for(base_url: str, **options) -> TotaraClient:
    options.setdefault("sleep", RecordedSleep())
    options.setdefault("rng", random.Random(7))
    return TotaraClient(base_url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, **options)


def first_page_ids(client: TotaraClient) -> list[str]:
    data = client.execute(USERS_QUERY.operation, USERS_QUERY.document, FIRST_PAGE)
    return [item["id"] for item in data["core_user_users"]["items"]]


@pytest.mark.parametrize(
    ("fault", "counter"),
    [
        ("server_errors", "injected_server_errors"),
        ("malformed_json", "injected_malformed_json"),
        ("html_pages", "injected_html_pages"),
        ("connection_resets", "injected_connection_resets"),
        ("rate_limits", "injected_rate_limits"),
    ],
)
def test_two_transient_failures_in_a_row_are_retried_and_the_page_arrives(site, fault, counter):
    base_url, standin = site
    standin.set_faults(**{fault: 2})
    sleep = RecordedSleep()
    client = client_for(base_url, sleep=sleep)
    assert first_page_ids(client) == ["1", "2", "3", "4", "5"]
    assert client.counters.retries == 2
    assert len(sleep.waits) == 2
    assert getattr(standin.counters(), counter) == 2
    assert standin.counters().queries_answered == 1


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("server_errors", "HTTP 500"),
        ("malformed_json", "malformed JSON"),
        ("html_pages", "HTML page"),
        ("connection_resets", "connection dropped"),
        ("rate_limits", "HTTP 429"),
    ],
)
def test_a_fault_that_outlasts_the_retry_budget_is_reported_with_endpoint_operation_and_reason(site, fault, reason):
    base_url, standin = site
    standin.set_faults(**{fault: ALWAYS})
    client = client_for(base_url, max_retries=3)
    with pytest.raises(TotaraApiError) as raised:
        first_page_ids(client)
    message = str(raised.value)
    assert f"{base_url}/api/graphql.php" in message
    assert "core_user_users" in message
    assert reason in message
    assert "gave up after 4 attempts" in message
    assert client.counters.retries == 3


def test_backoff_grows_exponentially_with_bounded_jitter(site):
    base_url, standin = site
    standin.set_faults(server_errors=4)
    sleep = RecordedSleep()
    client = client_for(base_url, sleep=sleep, backoff_base=1.0, backoff_cap=5.0)
    first_page_ids(client)
    steps = [1.0, 2.0, 4.0, 5.0]
    assert all(step / 2 <= wait <= step for wait, step in zip(sleep.waits, steps, strict=True))


def test_rate_limited_backoff_waits_long_enough_for_the_minute_window_to_slide(site):
    base_url, standin = site
    standin.set_faults(rate_limits=5)
    sleep = RecordedSleep()
    client = client_for(base_url, sleep=sleep)
    first_page_ids(client)
    assert client.counters.rate_limited == 5
    assert sum(sleep.waits) > 60


def test_a_slow_answer_beyond_the_read_timeout_is_retried():
    with run_totara_standin(small_trust_seed(6)) as (base_url, standin):
        # A read timeout an ordinary answer never trips on a busy machine, so the one retry is the slow answer's.
        standin.set_faults(delay_seconds=2.5, slow_responses=1)
        client = client_for(base_url, timeout=(2, 1.0))
        assert first_page_ids(client) == ["1", "2", "3", "4", "5"]
        assert client.counters.retries == 1


def test_a_site_that_never_answers_in_time_is_reported_naming_the_read_timeout():
    with run_totara_standin(small_trust_seed(6)) as (base_url, standin):
        standin.set_faults(delay_seconds=0.6, slow_responses=ALWAYS)
        client = client_for(base_url, timeout=(2, 0.2), max_retries=1)
        with pytest.raises(TotaraApiError, match=r"no answer within the 0\.2 s read timeout; gave up after 2"):
            first_page_ids(client)


def test_an_unreachable_site_raises_unavailable_naming_the_url_after_bounded_retries():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleep = RecordedSleep()
    client = client_for(f"http://127.0.0.1:{port}", sleep=sleep, max_retries=2)
    with pytest.raises(TotaraUnavailableError) as raised:
        first_page_ids(client)
    assert raised.value.url == f"http://127.0.0.1:{port}/totara/oauth2/token.php"
    assert f"127.0.0.1:{port}" in str(raised.value)
    assert len(sleep.waits) == 2


def test_wrong_credentials_raise_auth_error_naming_endpoint_and_description_but_never_the_secret(site):
    base_url, standin = site
    secret = "s3cret-that-must-not-leak"
    client = TotaraClient(base_url, DEFAULT_CLIENT_ID, secret, sleep=RecordedSleep())
    with pytest.raises(TotaraAuthError) as raised:
        first_page_ids(client)
    message = str(raised.value)
    assert f"{base_url}/totara/oauth2/token.php" in message
    assert "Client authentication failed" in message
    assert raised.value.error == "invalid_client"
    assert secret not in message and secret not in repr(client)
    assert standin.counters().token_requests == 1


@pytest.mark.parametrize("old_site", [False, True])
def test_an_expired_token_is_replaced_once_and_the_query_retried_wherever_the_debug_message_sits(old_site):
    with run_totara_standin(small_trust_seed(6), old_site=old_site) as (base_url, standin):
        client = client_for(base_url)
        first_page_ids(client)
        standin.expire_tokens()
        assert first_page_ids(client) == ["1", "2", "3", "4", "5"]
        assert client.counters.token_refreshes == 1
        assert standin.counters().tokens_issued == 2
        assert standin.counters().token_rejections == 1


def test_a_fresh_token_rejected_too_is_an_auth_error_not_a_loop():
    with run_totara_standin(small_trust_seed(3), token_lifetime=0) as (base_url, standin):
        client = client_for(base_url)
        with pytest.raises(TotaraAuthError, match="newly issued access token was rejected"):
            first_page_ids(client)
        assert standin.counters().tokens_issued == 2


def test_token_is_reused_until_shortly_before_expires_in_then_renewed_without_an_error():
    clock = ManualClock()
    with run_totara_standin(small_trust_seed(3), clock=clock, token_lifetime=120) as (base_url, standin):
        client = client_for(base_url, clock=clock)
        first_page_ids(client)
        clock.advance(100)
        first_page_ids(client)
        assert standin.counters().tokens_issued == 1
        clock.advance(9)  # 109 s: inside the 10 % renewal margin of a 120 s token
        first_page_ids(client)
        assert standin.counters().tokens_issued == 2
        assert standin.counters().token_rejections == 0


def test_graphql_errors_in_an_http_200_body_raise_api_error_with_the_message(site):
    base_url, _ = site
    client = client_for(base_url)
    with pytest.raises(TotaraApiError) as raised:
        client.execute("shoe_sizes", "{ core_user_users { items { shoe_size } } }")
    assert raised.value.operation == "shoe_sizes"
    assert 'Cannot query field "shoe_size" on type "core_user".' in str(raised.value)
    assert client.counters.retries == 0


def test_on_an_old_site_the_debug_message_is_read_from_the_error_itself():
    with run_totara_standin(small_trust_seed(3), token_lifetime=0, old_site=True) as (base_url, _):
        client = client_for(base_url)
        with pytest.raises(TotaraAuthError) as raised:
            first_page_ids(client)
    assert "Internal server error: Missing, expired or invalid access token." in str(raised.value)


def test_neither_the_secret_nor_any_token_is_ever_logged(site, caplog):
    base_url, standin = site
    standin.set_faults(server_errors=1, malformed_json=1, connection_resets=1)
    caplog.set_level(logging.DEBUG)
    client = client_for(base_url)
    first_page_ids(client)
    standin.expire_tokens()
    first_page_ids(client)
    assert client.counters.retries == 3 and client.counters.token_refreshes == 1
    assert "retry 1 of 5" in caplog.text
    assert DEFAULT_CLIENT_SECRET not in caplog.text
    assert client._token is not None and client._token not in caplog.text
    assert "Bearer" not in caplog.text
