"""Fixtures shared by the reliability specifications: one generated sample trust per session, its first year
loaded into a warehouse, and PostgreSQL databases for the tests where the database itself matters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.context import warehouse_engine
from sample_trust import SampleTrustSummary, generate_sample_trust
from tests.marts_support import postgres_database
from tests.reliability.pipeline import build_marts, ingest, publish, sqlite_config
from tests.reliability.trust_files import AS_OF, TrustFiles, landing_with, trust_files
from tests.reliability.warehouse_state import FeedSnapshot, LayerSnapshot, mart_snapshot, read_feed


@pytest.fixture(scope="session")
def sample_trust(tmp_path_factory) -> SampleTrustSummary:
    """A 300-staff sample trust with a year of ESR history up to 22 November 2026, generated once."""
    return generate_sample_trust(tmp_path_factory.mktemp("sample-trust"), staff=300, as_of=AS_OF)


@pytest.fixture(scope="session")
def sample_files(sample_trust) -> TrustFiles:
    return trust_files(sample_trust)


@dataclass(frozen=True)
class LoadedHistory:
    """A SQLite warehouse (`warehouse.db` in `folder`, feed in `folder/outbox`) that loaded the trust rules, the
    first full extract, the deltas after it and the Totara exports, in order, then built and published."""

    folder: Path
    marts: LayerSnapshot
    feed: FeedSnapshot


@pytest.fixture(scope="session")
def loaded_history(sample_files, tmp_path_factory) -> LoadedHistory:
    folder = tmp_path_factory.mktemp("loaded-history")
    files = sample_files
    landing = landing_with(folder / "landing", files.rules + files.first_full + files.deltas + files.totara)
    config = sqlite_config(folder)
    engine = warehouse_engine(config)
    try:
        outcomes = ingest(engine, config, landing, AS_OF)
        assert {o.status for o in outcomes} == {"loaded"}
        build_marts(engine, config, AS_OF)
        publish(engine, folder / "outbox", AS_OF, run_id="history")
        return LoadedHistory(folder, mart_snapshot(engine), read_feed(folder / "outbox", AS_OF))
    finally:
        engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin_url) -> Iterator[str]:
    """A fresh PostgreSQL warehouse URL, for a test that only makes sense on PostgreSQL."""
    yield from postgres_database(postgres_admin_url)
