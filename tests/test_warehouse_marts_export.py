"""On SQLite the access control is the file itself: BI users get a marts-only copy with no personal-data layers."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy import select

from tests.marts_support import D, all_marts, compliance_summary_rows
from warehouse.access import create_bi_role
from warehouse.engine import open_warehouse
from warehouse.marts import replace_marts_for_date
from warehouse.marts_export import MartsExportError, export_marts_sqlite, published_tables
from warehouse.migrate import upgrade
from warehouse.models import compliance_person, metadata

COMPLIANCE_MARTS = {"compliance_person", "compliance_summary", "compliance_reconciliation"}


@pytest.fixture
def warehouse(warehouse_url):
    engine = open_warehouse(warehouse_url)
    upgrade(engine)
    replace_marts_for_date(engine, D, all_marts())
    replace_marts_for_date(
        engine, date(2026, 10, 31), {"compliance_summary": compliance_summary_rows(date(2026, 10, 31), 5)}
    )
    yield engine
    engine.dispose()


def _tables_in(path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_copy_holds_every_published_table_and_no_staging_core_quarantine_or_audit_table(warehouse, tmp_path):
    export = export_marts_sqlite(warehouse, tmp_path / "bi" / "learnscape-marts.db")
    published = {table.name for table in metadata.sorted_tables if table.schema == "marts"}
    assert published >= COMPLIANCE_MARTS
    assert {table.name for table in published_tables()} == published
    assert _tables_in(export.path) == published
    private = {table.name for table in metadata.sorted_tables if table.schema != "marts"}
    assert {"person", "stg_esr_staff_in_post", "rejected_row", "load_log"} <= private
    assert not private & _tables_in(export.path)
    assert {name: rows for name, rows in export.rows.items() if rows} == {
        "compliance_person": 4,
        "compliance_summary": 26,
        "compliance_reconciliation": 1,
        "skills_gap_summary": 2,
    }


def test_copy_reads_back_with_the_same_values_and_types_as_the_warehouse(warehouse, tmp_path):
    export = export_marts_sqlite(warehouse, tmp_path / "learnscape-marts.db")
    copy = open_warehouse(f"sqlite:///{export.path}")
    query = select(compliance_person).order_by(compliance_person.c.employee_number, compliance_person.c.status)
    with warehouse.connect() as source, copy.connect() as copied:
        assert copied.execute(query).all() == source.execute(query).all()
        expired = copied.execute(query.where(compliance_person.c.status == "expired")).one()
    assert expired.expires_on == date(2026, 11, 1) and expired.days_to_expiry == -22
    copy.dispose()


def test_summary_only_copy_has_no_row_per_person(warehouse, tmp_path):
    export = export_marts_sqlite(warehouse, tmp_path / "summary.db", tables=["compliance_summary"])
    assert _tables_in(export.path) == {"compliance_summary"}
    with sqlite3.connect(export.path) as connection:
        dates = connection.execute(
            "SELECT as_of_date, count(*) FROM compliance_summary GROUP BY as_of_date ORDER BY 1"
        ).fetchall()
    assert dates == [("2026-10-31", 5), ("2026-11-23", 21)]


def test_asking_for_a_table_that_is_not_published_is_refused_naming_the_marts(warehouse, tmp_path):
    with pytest.raises(MartsExportError, match="Not published tables: person; the marts are .*compliance_person"):
        export_marts_sqlite(warehouse, tmp_path / "leak.db", tables=["compliance_summary", "person"])
    assert not (tmp_path / "leak.db").exists()


def test_exporting_again_replaces_the_copy_whole_and_leaves_no_partial_file(warehouse, tmp_path):
    target = tmp_path / "published" / "learnscape-marts.db"
    export_marts_sqlite(warehouse, target)
    replace_marts_for_date(warehouse, D, {"compliance_summary": compliance_summary_rows(D, 7)})
    second = export_marts_sqlite(warehouse, target)
    assert second.rows["compliance_summary"] == 12
    with sqlite3.connect(target) as connection:
        assert connection.execute("SELECT count(*) FROM compliance_summary").fetchone() == (12,)
    assert sorted(path.name for path in target.parent.iterdir()) == ["learnscape-marts.db"]


def test_on_sqlite_the_bi_role_advice_is_file_permissions_and_a_marts_only_copy(tmp_path, monkeypatch):
    monkeypatch.delenv("LEARNSCAPE_BI_PASSWORD", raising=False)
    engine = open_warehouse(f"sqlite:///{tmp_path / 'warehouse.db'}")
    access = create_bi_role(engine)
    engine.dispose()
    assert access.backend == "sqlite" and access.role is None and access.readable_tables == ()
    assert "file permissions are the only access control" in access.message
    assert "chmod 600" in access.message
    assert "export_marts_sqlite" in access.message
