"""The warehouse schema is created and removed by Alembic migrations on both databases."""

from sqlalchemy import inspect

from warehouse.engine import is_sqlite, open_warehouse
from warehouse.migrate import current_revision, downgrade, head_revision, upgrade
from warehouse.models import PUBLISHED_TABLES, SCHEMAS, metadata


def _tables(engine) -> set[str]:
    inspector = inspect(engine)
    if is_sqlite(engine):
        return set(inspector.get_table_names()) - {"alembic_version"}
    return {f"{schema}.{name}" for schema in SCHEMAS for name in inspector.get_table_names(schema=schema)} - {
        "audit.alembic_version"
    }


def test_upgrade_creates_every_modelled_table_and_downgrade_removes_them(warehouse_url):
    engine = open_warehouse(warehouse_url)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    expected = {t.name if is_sqlite(engine) else f"{t.schema}.{t.name}" for t in metadata.sorted_tables}
    assert _tables(engine) == expected
    downgrade(engine, "base")
    assert _tables(engine) == set()
    assert current_revision(engine) is None
    engine.dispose()


def test_published_tables_live_in_the_marts_schema_on_postgresql(warehouse_url):
    engine = open_warehouse(warehouse_url)
    upgrade(engine)
    inspector = inspect(engine)
    names = inspector.get_table_names() if is_sqlite(engine) else inspector.get_table_names(schema="marts")
    assert set(PUBLISHED_TABLES) <= set(names)
    engine.dispose()


def test_upgrade_twice_is_harmless(warehouse_url):
    engine = open_warehouse(warehouse_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()
