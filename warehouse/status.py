"""A quick look at the warehouse for `learnscape status`: schema revision, recent loads and feeds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect, select

from warehouse.engine import is_sqlite, open_warehouse
from warehouse.migrate import current_revision
from warehouse.models import feed_log, load_log


@dataclass(frozen=True)
class WarehouseStatus:
    revision: str | None
    loads: list
    feeds: list


def warehouse_status(url: str, limit: int = 20) -> WarehouseStatus:
    engine = open_warehouse(url)
    try:
        revision = current_revision(engine)
        inspector = inspect(engine)
        has_log = inspector.has_table("load_log", schema=None if is_sqlite(engine) else "audit")
        if revision is None or not has_log:
            return WarehouseStatus(revision, [], [])
        with engine.connect() as connection:
            loads = connection.execute(select(load_log).order_by(load_log.c.load_id.desc()).limit(limit)).all()
            feeds = connection.execute(select(feed_log).order_by(feed_log.c.feed_id.desc()).limit(5)).all()
        return WarehouseStatus(revision, loads, feeds)
    finally:
        engine.dispose()
