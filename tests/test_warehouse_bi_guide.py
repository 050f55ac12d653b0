"""The dashboard queries in the BI guide run as written, on the warehouse and on a marts-only SQLite copy."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from sqlalchemy import text

from tests.marts_support import D, all_marts
from warehouse.engine import is_sqlite, open_warehouse
from warehouse.marts import replace_marts_for_date
from warehouse.marts_export import export_marts_sqlite
from warehouse.migrate import upgrade

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "bi-guide.md"
QUERIES = re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_guide_has_its_seven_dashboard_queries():
    assert len(QUERIES) == 7


def test_every_dashboard_query_finds_the_published_date_in_the_warehouse_and_in_the_copy(warehouse_url, tmp_path):
    engine = open_warehouse(warehouse_url)
    upgrade(engine)
    replace_marts_for_date(engine, D, all_marts())
    copy = export_marts_sqlite(engine, tmp_path / "copy" / "learnscape-marts.db")
    for query in QUERIES:
        with engine.connect() as connection:
            rows = connection.execute(text(query.replace("marts.", "") if is_sqlite(engine) else query)).all()
        with sqlite3.connect(copy.path) as connection:
            copied_rows = connection.execute(query.replace("marts.", "")).fetchall()
        assert rows, f"found nothing in a warehouse holding {D}:\n{query}"
        assert len(copied_rows) == len(rows), query
    engine.dispose()
