"""Pulling every user and job assignment out of Totara, one cursor page at a time.

Each generator pages with `pagination {limit cursor}` sorted by `id` until Totara returns an empty
`next_cursor`, yielding typed records as they arrive. Totara's API never returns deleted users, so deletions
are found by comparing the ids of one full pull with the previous one (`detect_deleted_users`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from connectors.totara.client import ClientCounters, TotaraClient
from connectors.totara.errors import TotaraApiError
from connectors.totara.models import TotaraJobAssignment, TotaraUser, job_assignment_from_item, user_from_item
from connectors.totara.queries import JOB_ASSIGNMENTS_QUERY, USERS_QUERY, TotaraQuery, page_size_for

log = logging.getLogger(__name__)

RecordT = TypeVar("RecordT")


@dataclass
class PullStats:
    """What one pull took: pages fetched, records yielded, and the trouble met on the way.

    Pass one in to read it after the generator is exhausted. `token_refreshes` counts every token fetched after
    the first (renewed before expiry or after an expired-token error); `total_reported` is Totara's own count of
    records from the last page (it can differ from `records` when people are added or deleted during the pull).
    """

    pages: int = 0
    records: int = 0
    retries: int = 0
    token_refreshes: int = 0
    rate_limited: int = 0
    total_reported: int | None = None

    def add_client_activity(self, before: ClientCounters, after: ClientCounters) -> None:
        self.retries += after.retries - before.retries
        self.token_refreshes += after.token_refreshes - before.token_refreshes
        self.rate_limited += after.rate_limited - before.rate_limited


def iter_items(
    client: TotaraClient,
    query: TotaraQuery,
    page_size: int | None = None,
    *,
    stats: PullStats | None = None,
) -> Iterator[dict[str, Any]]:
    """Every raw item of a paginated query, in id order, each exactly once.

    Raises `TotaraApiError` if Totara hands back the same cursor twice or repeats a record, rather than loop
    or load duplicates.
    """
    stats = stats if stats is not None else PullStats()
    limit = page_size or page_size_for(query.fields)
    cursor = ""
    seen_ids: set[str] = set()
    while True:
        before = client.counters.snapshot()
        variables = {
            "query": {
                "pagination": {"limit": limit, "cursor": cursor},
                "sort": [{"column": "id", "direction": "ASC"}],
            }
        }
        data = client.execute(query.operation, query.document, variables)
        stats.add_client_activity(before, client.counters)
        result = data.get(query.operation)
        if not isinstance(result, dict) or not isinstance(result.get("items"), list):
            raise TotaraApiError(client.graphql_url, query.operation, f"the answer had no items list: {data!r}")
        stats.pages += 1
        stats.total_reported = result.get("total")
        for item in result["items"]:
            item_id = str(item.get("id"))
            if item_id in seen_ids:
                raise TotaraApiError(
                    client.graphql_url,
                    query.operation,
                    f"record id {item_id} came back twice while paging; the cursor is not advancing cleanly",
                )
            seen_ids.add(item_id)
            stats.records += 1
            yield item
        next_cursor = result.get("next_cursor") or ""
        if not next_cursor:
            break
        if next_cursor == cursor:
            raise TotaraApiError(
                client.graphql_url,
                query.operation,
                "the same next_cursor came back twice; stopping to avoid a loop",
            )
        cursor = next_cursor
    if stats.total_reported is not None and stats.total_reported != stats.records:
        log.warning(
            "Totara %s: pulled %d records but Totara reported a total of %s (changed during the pull?)",
            query.operation,
            stats.records,
            stats.total_reported,
        )


def _iter_records(
    client: TotaraClient,
    query: TotaraQuery,
    parse: Callable[[dict[str, Any], str], RecordT],
    page_size: int | None,
    stats: PullStats | None,
) -> Iterator[RecordT]:
    for item in iter_items(client, query, page_size, stats=stats):
        yield parse(item, query.operation)


def iter_users(
    client: TotaraClient,
    page_size: int | None = None,
    *,
    stats: PullStats | None = None,
    query: TotaraQuery = USERS_QUERY,
) -> Iterator[TotaraUser]:
    """Every Totara account the API returns (suspended, guest and admin included; deleted never)."""
    return _iter_records(client, query, user_from_item, page_size, stats)


def iter_job_assignments(
    client: TotaraClient,
    page_size: int | None = None,
    *,
    stats: PullStats | None = None,
    query: TotaraQuery = JOB_ASSIGNMENTS_QUERY,
) -> Iterator[TotaraJobAssignment]:
    """Every job assignment of every (non-deleted) Totara user."""
    return _iter_records(client, query, job_assignment_from_item, page_size, stats)


def detect_deleted_users(previous_ids: set[str], current_ids: set[str]) -> set[str]:
    """Ids present in the previous full pull of users and missing from this one: deleted in Totara since."""
    return previous_ids - current_ids
