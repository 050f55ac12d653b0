"""Shared fixtures: warehouses on both databases, a quiet Prefect, and small realistic trust files."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.postgres_server import fresh_database, postgres_server

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str | None]:
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse_url(request, tmp_path, postgres_admin_url) -> Iterator[str]:
    """A fresh, empty warehouse URL: every test that takes it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warehouse.db'}"
        return
    if postgres_admin_url is None:
        if os.environ.get("LEARNSCAPE_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (LEARNSCAPE_REQUIRE_POSTGRES) but no server could be started")
        pytest.skip("no PostgreSQL server available on this machine")
    with fresh_database(postgres_admin_url) as url:
        yield url


@pytest.fixture
def trust(tmp_path, warehouse_url):
    """An empty warehouse, its config, and a landing folder holding a training needs analysis.

    Everyone needs Fire Safety; Allied Health Professionals also need Resuscitation level 2.
    """
    from flows.context import warehouse_engine
    from learnscape.config import LearnscapeConfig
    from tests.esr_files import FIRE, RESUS, write_training_needs

    config = LearnscapeConfig(base_dir=str(tmp_path), warehouse={"url": warehouse_url})
    engine = warehouse_engine(config)
    landing = tmp_path / "landing"
    write_training_needs(landing, [("All", "", FIRE), ("Staff Group", "allied health professionals", RESUS)])
    yield config, engine, landing
    engine.dispose()
