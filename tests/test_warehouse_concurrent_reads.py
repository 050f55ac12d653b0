"""A BI query running while a reporting date is republished sees the old rows or the new ones, never a mixture."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import Engine, event, func, select

from tests.marts_support import D, compliance_summary_rows, postgres_database
from warehouse.engine import open_warehouse
from warehouse.marts import replace_marts_for_date
from warehouse.migrate import upgrade
from warehouse.models import compliance_summary

OLD_ROWS, NEW_ROWS = 40, 65
SWAPS = 6
WAIT_SECONDS = 20

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_url(postgres_admin_url) -> Iterator[str]:
    yield from postgres_database(postgres_admin_url)


class MidSwapHandshake:
    """Holds the publishing transaction open at a point until the reader has counted once from another connection.

    The writer stops right after its DELETE and again just before COMMIT: both moments when a reader outside
    the transaction could see half a swap if publishing were not one transaction.
    """

    def __init__(self) -> None:
        self.writer_paused = threading.Event()
        self.reader_counted = threading.Event()
        self.timed_out = False

    def pause_writer(self, *_args, **_kwargs) -> None:
        self.writer_paused.set()
        if not self.reader_counted.wait(WAIT_SECONDS):
            self.timed_out = True
        self.reader_counted.clear()

    def after_delete(self, _conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("DELETE FROM MARTS.COMPLIANCE_SUMMARY"):
            self.pause_writer()


def _count(engine: Engine, as_of: date) -> int:
    with engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(compliance_summary).where(compliance_summary.c.as_of_date == as_of)
        ).scalar_one()


def test_reader_counts_only_the_old_or_the_new_summary_while_a_date_is_swapped(postgres_url):
    writer = open_warehouse(postgres_url)
    upgrade(writer)
    reader = open_warehouse(postgres_url)
    other_day = date(2026, 10, 31)
    replace_marts_for_date(writer, other_day, {"compliance_summary": compliance_summary_rows(other_day, 9)})
    replace_marts_for_date(writer, D, {"compliance_summary": compliance_summary_rows(D, OLD_ROWS)})
    contents = [compliance_summary_rows(D, NEW_ROWS if swap % 2 == 0 else OLD_ROWS) for swap in range(SWAPS)]

    handshake = MidSwapHandshake()
    finished = threading.Event()
    seen: list[int] = []
    seen_mid_swap: list[int] = []

    def read_repeatedly() -> None:
        while not finished.is_set():
            mid_swap = handshake.writer_paused.is_set()
            count = _count(reader, D)
            seen.append(count)
            if mid_swap:
                seen_mid_swap.append(count)
                handshake.writer_paused.clear()
                handshake.reader_counted.set()

    def publish_repeatedly() -> list[int]:
        before = []
        event.listen(writer, "after_cursor_execute", handshake.after_delete)
        event.listen(writer, "commit", handshake.pause_writer)
        try:
            for frame in contents:
                before.append(_count(writer, D))
                replace_marts_for_date(writer, D, {"compliance_summary": frame})
        finally:
            event.remove(writer, "after_cursor_execute", handshake.after_delete)
            event.remove(writer, "commit", handshake.pause_writer)
            finished.set()
        return before

    with ThreadPoolExecutor(max_workers=2) as pool:
        reading = pool.submit(read_repeatedly)
        counts_before_each_swap = pool.submit(publish_repeatedly).result(timeout=SWAPS * 2 * WAIT_SECONDS)
        reading.result(timeout=WAIT_SECONDS)

    assert not handshake.timed_out, "the reader never counted while the writer held a swap open"
    assert set(seen) == {OLD_ROWS, NEW_ROWS}, f"the reader saw a partial swap: {sorted(set(seen))}"
    assert seen_mid_swap == [count for count in counts_before_each_swap for _ in range(2)]
    assert _count(reader, D) == len(contents[-1]) and _count(reader, other_day) == 9
    writer.dispose()
    reader.dispose()
