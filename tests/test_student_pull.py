"""Pulling collections page by page: to the end, incrementally from a watermark, and through faults."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.student_system.client import StudentSystemClient
from connectors.student_system.pull import PullStats, Watermark, iter_collection, pull_collection
from standins.student_system import Fault, run_student_standin
from tests.student_system_support import API_KEY, StepClock, seven_students, student


@pytest.fixture
def standin():
    clock = StepClock(datetime(2026, 11, 21, 9, 0, tzinfo=UTC))
    with run_student_standin(records={"students": seven_students()}, api_key=API_KEY, clock=clock) as running:
        yield running


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(standin, sleeps):
    base_url, _ = standin
    with StudentSystemClient(base_url, API_KEY, page_size=3, sleep=sleeps.append) as opened:
        yield opened


def keys(records) -> list[str]:
    return [record["student_id"] for record in records]


def test_paging_follows_next_links_to_the_last_page(client):
    pages = list(iter_collection(client, "students"))
    assert [page.page for page in pages] == [1, 2, 3]
    assert [len(page.records) for page in pages] == [3, 3, 1]
    assert pages[-1].next_url is None


def test_a_full_pull_returns_everything_and_the_newest_updated_at_as_watermark(client):
    result = pull_collection(client, "students")
    assert keys(result.records) == [f"S{number:07d}" for number in range(1, 8)]
    assert result.since == Watermark("students", None)
    assert result.watermark == Watermark("students", datetime(2026, 11, 20, 8, 6, tzinfo=UTC))
    assert result.stats == PullStats("students", pages=3, records=7, deleted=0, retries=0, rate_limited=0)


def test_a_second_pull_from_the_watermark_returns_only_what_changed_since(standin, client):
    _, controller = standin
    first = pull_collection(client, "students")
    controller.update("students", "S0000003", surname="Okafor-Reid")
    controller.delete("students", "S0000005")
    controller.put("students", student("S0000008", "2026-11-21T09:00:00Z", forenames="Rhys"))

    second = pull_collection(client, "students", first.watermark)

    assert keys(second.records) == ["S0000003", "S0000005", "S0000008"]
    assert second.records[0]["surname"] == "Okafor-Reid"
    assert second.records[1]["deleted"] is True
    assert second.stats.deleted == 1
    assert second.watermark.updated_at == datetime(2026, 11, 21, 9, 0, 2, tzinfo=UTC)


def test_a_pull_with_nothing_new_keeps_the_watermark_where_it_was(client):
    first = pull_collection(client, "students")
    again = pull_collection(client, "students", first.watermark)
    assert again.records == ()
    assert again.watermark == first.watermark
    assert again.stats.pages == 1


def test_an_uncommitted_watermark_means_the_changes_come_again(standin, client):
    """The caller commits the watermark only after loading; a failed load simply pulls the same changes."""
    _, controller = standin
    committed = pull_collection(client, "students").watermark
    controller.update("students", "S0000001", email="grace.okafor@nhs.net")
    pulled_but_not_loaded = pull_collection(client, "students", committed)
    retried = pull_collection(client, "students", committed)
    assert keys(pulled_but_not_loaded.records) == keys(retried.records) == ["S0000001"]


def test_rate_limits_and_retries_are_counted_across_pages(standin, client, sleeps):
    _, controller = standin
    controller.inject(Fault("rate_limit", after=1, count=2, retry_after=4), Fault("server_error"))
    result = pull_collection(client, "students")
    assert len(result.records) == 7
    assert (result.stats.retries, result.stats.rate_limited) == (3, 2)
    assert sleeps[:2] == [4, 4]


def test_a_partial_second_page_is_refetched_so_no_record_is_lost_or_doubled(standin, client):
    _, controller = standin
    controller.inject(Fault("partial_page", after=1, drop=2))
    result = pull_collection(client, "students")
    assert keys(result.records) == [f"S{number:07d}" for number in range(1, 8)]
    assert result.stats.retries == 1


def test_a_watermark_for_another_collection_is_refused(client):
    with pytest.raises(ValueError, match="watermark belongs to 'students', not 'placements'"):
        pull_collection(client, "placements", Watermark("students", datetime(2026, 11, 20, tzinfo=UTC)))


def test_watermark_ignores_unreadable_timestamps_and_never_moves_back():
    mark = Watermark("students", datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
    moved = mark.advanced_by(
        [
            {"updated_at": "2026-11-19T23:59:59Z"},
            {"updated_at": "20/11/2026 09:00"},
            {"updated_at": None},
            {"updated_at": "2026-11-20T08:00:00.250000Z"},
        ]
    )
    assert moved.updated_at == datetime(2026, 11, 20, 8, 0, 0, 250000, tzinfo=UTC)
    assert moved.as_query_value() == "2026-11-20T08:00:00.250000Z"
