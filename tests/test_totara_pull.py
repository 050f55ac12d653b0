"""Pulling all users and job assignments: every record exactly once, typed, within Totara's complexity limits."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from connectors.totara.client import TotaraClient
from connectors.totara.errors import TotaraApiError, TotaraRecordError
from connectors.totara.models import job_assignment_from_item, local_date, user_from_item
from connectors.totara.pull import PullStats, detect_deleted_users, iter_job_assignments, iter_users
from connectors.totara.queries import (
    JOB_ASSIGNMENT_FIELDS,
    JOB_ASSIGNMENTS_QUERY,
    USER_FIELDS,
    USERS_QUERY,
    count_leaf_fields,
    page_size_for,
)
from standins.totara import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    ComplexityLimits,
    ManualClock,
    run_totara_standin,
    small_trust_seed,
)
from standins.totara.seed import many_users


def client_for(base_url: str, **options) -> TotaraClient:
    options.setdefault("sleep", lambda seconds: None)
    options.setdefault("rng", random.Random(3))
    return TotaraClient(base_url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, **options)


def test_leaf_fields_count_each_leaf_of_a_nested_selection():
    assert count_leaf_fields(["id", "position { idnumber fullname }"]) == 3
    assert count_leaf_fields(["managerja{user{idnumber}}"]) == 1
    assert count_leaf_fields(USER_FIELDS) == 12
    assert count_leaf_fields(JOB_ASSIGNMENT_FIELDS) == 11


def test_page_size_keeps_five_plus_fields_times_limit_ten_percent_under_the_cap():
    # 5,400 - 5 = 5,395 points for records: 5,395 // 12 = 449 users, 5,395 // 11 = 490 job assignments.
    assert page_size_for(USER_FIELDS) == 449
    assert page_size_for(JOB_ASSIGNMENT_FIELDS) == 490
    assert 5 + 12 * page_size_for(USER_FIELDS) <= 6_000 * 0.9
    assert page_size_for(["id"], cap=100, margin=0) == 95


def test_a_cap_too_small_for_one_record_is_refused():
    with pytest.raises(ValueError, match="cannot afford even one record"):
        page_size_for(USER_FIELDS, cap=16)


def test_full_pull_loses_and_repeats_nothing_across_a_token_expiry_and_a_rate_limit():
    clock = ManualClock()
    # 12 leaves x 5 users + 5 = 65 points a page: the fourth page takes the client past 200 points a minute.
    limits = ComplexityLimits(per_client_per_window=200, window_seconds=60)
    seed = small_trust_seed(40)
    with run_totara_standin(seed, clock=clock, limits=limits) as (base_url, standin):
        standin.set_faults(expire_token_after_queries=2)
        client = client_for(base_url, clock=clock, sleep=clock.advance)
        stats = PullStats()
        users = list(iter_users(client, page_size=5, stats=stats))
        counters = standin.counters()

    expected = sorted((str(u["id"]) for u in seed.users if not u["deleted"]), key=int)
    assert [user.id for user in users] == expected
    assert len(expected) == 41
    assert stats.pages == 9 and stats.records == 41 and stats.total_reported == 41
    assert stats.token_refreshes == 1
    assert stats.rate_limited >= 1
    assert stats.retries == stats.rate_limited
    assert counters.tokens_expired_by_fault == 1 and counters.token_rejections == 1
    assert counters.rate_limited == stats.rate_limited
    assert counters.queries_answered == 9


def test_the_chosen_page_size_stays_under_the_complexity_cap_and_an_oversized_page_is_refused():
    with run_totara_standin(users=many_users(1_000)) as (base_url, standin):
        client = client_for(base_url)
        stats = PullStats()
        users = list(iter_users(client, stats=stats))
        assert len(users) == 1_000
        assert stats.pages == 3  # 449 + 449 + 102
        assert standin.counters().complexity_rejections == 0

        with pytest.raises(TotaraApiError) as raised:
            list(iter_users(client, page_size=500))
        assert "Query complexity exceeded maximum allowed complexity of 6000." in str(raised.value)
        assert raised.value.operation == "core_user_users"
        assert client.counters.retries == 0


def test_deleted_users_are_omitted_and_found_by_comparing_two_pulls():
    seed = small_trust_seed(10)
    with run_totara_standin(seed) as (base_url, standin):
        client = client_for(base_url)
        first_ids = {user.id for user in iter_users(client)}
        standin.mark_user_deleted("7")
        second_ids = {user.id for user in iter_users(client)}
    already_deleted = next(u["id"] for u in seed.users if u["deleted"])
    assert already_deleted not in first_ids
    assert detect_deleted_users(first_ids, second_ids) == {"7"}
    assert detect_deleted_users(second_ids, first_ids) == set()


def test_suspended_users_guest_and_admin_are_all_pulled_with_parsed_types():
    with run_totara_standin(small_trust_seed(6)) as (base_url, _):
        users = {user.username: user for user in iter_users(client_for(base_url))}
    assert users["guest"].id == "1" and users["admin"].id == "2"
    assert users["guest"].last_access_at is None
    assert users["admin"].last_access_at == datetime(2025, 11, 20, 0, 0, tzinfo=UTC)
    assert users["dylan.shah3"].suspended is True
    assert users["amara.okafor0"].suspended is False
    assert users["amara.okafor0"].idnumber == "20000000"
    assert users["amara.okafor0"].custom_field("staffgroup") == "Allied Health"
    assert users["amara.okafor0"].key("custom_field:staffgroup") == "Allied Health"
    assert users["admin"].key("idnumber") is None


def test_job_assignments_are_pulled_with_esr_assignment_numbers_and_local_start_dates():
    with run_totara_standin(small_trust_seed(6)) as (base_url, _):
        stats = PullStats()
        assignments = list(iter_job_assignments(client_for(base_url), page_size=3, stats=stats))
    by_number = {ja.idnumber: ja for ja in assignments}
    # Person index 2 holds a second assignment; person index 5 is deleted, so theirs never appear.
    assert set(by_number) == {"20000000", "20007919", "20015838", "20015838-2", "20023757", "20031676"}
    second = by_number["20015838-2"]
    assert second.user_id == "5"
    assert second.manager_idnumber == "20000000"
    assert second.ends_at == datetime(2026, 3, 30, 23, 0, tzinfo=UTC)  # midnight 31 March, London summer time
    assert local_date(second.ends_at).isoformat() == "2026-03-31"
    assert by_number["20000000"].manager_idnumber is None
    assert stats.pages == 2


def test_epoch_dates_of_zero_or_null_mean_never_and_garbage_names_the_record_and_field():
    item = {"id": "9", "username": "x", "suspended": False, "lastaccess": "0"}
    assert user_from_item(item).last_access_at is None
    with pytest.raises(TotaraRecordError, match=r"record id '9': field 'lastaccess' value 'yesterday'"):
        user_from_item({**item, "lastaccess": "yesterday"})
    with pytest.raises(TotaraRecordError, match="'suspended' value 'no'"):
        user_from_item({**item, "suspended": "no"})
    with pytest.raises(TotaraRecordError, match="'userid'"):
        job_assignment_from_item({"id": "4", "userid": None})


def test_queries_are_sent_with_the_configured_fields_only():
    narrow = USERS_QUERY.with_fields(["id", "idnumber"])
    with run_totara_standin(small_trust_seed(3)) as (base_url, standin):
        users = list(iter_users(client_for(base_url), query=narrow))
        # 5 users, 2 leaves each: a page size from page_size_for(2 leaves) fetches them in one page.
        assert standin.counters().queries_answered == 1
    assert users[2].idnumber == "20000000"
    assert users[2].email is None
    assert "items {" in JOB_ASSIGNMENTS_QUERY.document and "$query: totara_job_job_assignments_query" in (
        JOB_ASSIGNMENTS_QUERY.document
    )
