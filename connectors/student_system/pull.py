"""Pulling a collection page by page, and the watermark that makes the next pull incremental.

A pull asks for records changed strictly after the collection's watermark and follows `links.next` to the end.
The new watermark is the greatest `updated_at` seen; the caller commits it only after the pulled records are
safely loaded, so a failed load repeats the pull rather than losing changes. Loads upsert by record key, which
makes seeing a record twice harmless: a caller worried about records changing while a pull pages through
(offset paging can skip a record that moves to the end) may pull from a little before the watermark.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from connectors.student_system.client import Page, StudentSystemClient
from connectors.student_system.errors import StudentSystemError
from connectors.student_system.timestamps import format_updated_since, parse_updated_at


def iter_collection(
    client: StudentSystemClient, collection: str, updated_since: datetime | None = None
) -> Iterator[Page]:
    """Every page of `collection` changed strictly after `updated_since` (None: everything), first to last."""
    page = client.fetch_page(collection, updated_since=updated_since)
    seen = {page.url}
    yield page
    while page.next_url is not None:
        if page.next_url in seen:
            raise StudentSystemError(page.url, f"links.next points back to {page.next_url}; the paging never ends")
        page = client.fetch_url(page.next_url)
        seen.add(page.url)
        yield page


@dataclass(frozen=True)
class Watermark:
    """How far a collection has been loaded: the greatest `updated_at` loaded so far (None: never)."""

    collection: str
    updated_at: datetime | None = None

    def advanced_by(self, records: Iterable[Mapping[str, Any]]) -> Watermark:
        """The watermark after also loading `records`; never moves backwards.

        A record whose `updated_at` cannot be read does not move it (records.py reports that record).
        """
        newest = self.updated_at
        for record in records:
            stamp = record.get("updated_at")
            if not isinstance(stamp, str):
                continue
            try:
                moment = parse_updated_at(stamp)
            except ValueError:
                continue
            if newest is None or moment > newest:
                newest = moment
        return self if newest == self.updated_at else replace(self, updated_at=newest)

    def as_query_value(self) -> str | None:
        """The `updated_since` text this watermark asks with, e.g. `2026-11-20T08:15:00Z`."""
        return format_updated_since(self.updated_at) if self.updated_at is not None else None


@dataclass(frozen=True)
class PullStats:
    """What one pull of one collection cost and found; `deleted` counts tombstones among `records`."""

    collection: str
    pages: int = 0
    records: int = 0
    deleted: int = 0
    retries: int = 0
    rate_limited: int = 0

    def add(self, page: Page) -> PullStats:
        return replace(
            self,
            pages=self.pages + 1,
            records=self.records + len(page.records),
            deleted=self.deleted + sum(1 for record in page.records if record.get("deleted") is True),
            retries=self.retries + page.retries,
            rate_limited=self.rate_limited + page.rate_limited,
        )


@dataclass(frozen=True)
class PullResult:
    """One collection's changes since `since`, and the watermark to commit once they are loaded."""

    collection: str
    since: Watermark
    watermark: Watermark
    records: tuple[Mapping[str, Any], ...]
    stats: PullStats


def pull_collection(
    client: StudentSystemClient, collection: str, since: Watermark | datetime | None = None
) -> PullResult:
    """Every change to `collection` after `since`, in memory, with the watermark to commit afterwards."""
    start = since if isinstance(since, Watermark) else Watermark(collection, since)
    if start.collection != collection:
        raise ValueError(f"watermark belongs to {start.collection!r}, not {collection!r}")
    watermark = start
    stats = PullStats(collection)
    records: list[Mapping[str, Any]] = []
    for page in iter_collection(client, collection, start.updated_at):
        records.extend(page.records)
        watermark = watermark.advanced_by(page.records)
        stats = stats.add(page)
    return PullResult(collection, start, watermark, tuple(records), stats)
