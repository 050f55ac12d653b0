"""What every flow starts from: the trust's config (with run-time overrides) and an up-to-date warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from learnscape.config import LearnscapeConfig, load_config, parse_as_of
from warehouse.engine import open_warehouse
from warehouse.migrate import upgrade


@dataclass(frozen=True)
class RunSettings:
    """A flow's parameters resolved: the config, the reporting date and the folders to use."""

    config: LearnscapeConfig
    as_of: date
    landing: Path
    outbox: Path


def resolve_run(
    config_file: str | None = None,
    landing: str | None = None,
    as_of: str | None = None,
    outbox: str | None = None,
) -> RunSettings:
    config = load_config(Path(config_file) if config_file else None)
    return RunSettings(
        config=config,
        as_of=parse_as_of(as_of),
        landing=Path(landing).resolve() if landing else config.landing_dir,
        outbox=Path(outbox).resolve() if outbox else config.outbox_dir,
    )


def warehouse_engine(config: LearnscapeConfig) -> Engine:
    """The warehouse, migrated to the current schema (a no-op when it already is)."""
    engine = open_warehouse(config.warehouse_url())
    upgrade(engine)
    return engine
