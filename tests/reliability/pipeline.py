"""The nightly pipeline's steps as plain functions (no Prefect server), for the reliability specifications.

Every file goes through `flows.ingest.ingest_landing`, the nightly run's own ingest, so whatever it does with a
landing folder (discovery, order, refusals) is what these specifications see. `ingest` loads a whole landing
folder; `load_files` loads files one at a time in the order given, each alone in a landing folder of its own,
exactly as if it were the only file that night. Both run Great Expectations without its Data Docs site (the
verdicts are the same; the HTML report costs 0.4 s a batch and is not what these tests are about).

`run_night` is what `flows.nightly.nightly_flow` does with the API pulls switched off: record the run, ingest
the landing folder, build every mart for the reporting date, publish the feed. It runs Great Expectations
exactly as the nightly run does, Data Docs included.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy import Engine

import flows.ingest
from flows.build import BuildResult, build_compliance_task, build_skills_task, build_surveys_task
from flows.context import warehouse_engine
from flows.learners import build_student_pipeline_task, match_learners_task
from flows.outcomes import LoadOutcome
from flows.publish import publish_feed_task
from learnscape.config import LearnscapeConfig
from transforms.validation.gx_runner import GxValidator
from warehouse.feeds import PublishedFeed
from warehouse.load_log import finish_run, start_run

RULE_FILES = ("training_needs_analysis.csv", "skills_framework.csv", "role_skill_profiles.csv", "steward_decisions.csv")
ESR_NAME = re.compile(r"^esr_(staff_in_post|competences)_[a-z0-9]{3}_(\d{8})_(full|delta)\.(csv|xlsx)$", re.I)
TOTARA_NAME = re.compile(r"^totara_(course_completion|certification_completion|competency_status)_(\d{8})\.csv$", re.I)


def sqlite_config(folder: Path, **settings) -> LearnscapeConfig:
    """A config whose SQLite warehouse is `warehouse.db` in `folder` (created if need be; the config's other
    folders are under it too)."""
    folder.mkdir(parents=True, exist_ok=True)
    return LearnscapeConfig(base_dir=str(folder), warehouse={"url": f"sqlite:///{folder / 'warehouse.db'}"}, **settings)


def with_sources(
    config: LearnscapeConfig, *, totara_url: str | None = None, student_url: str | None = None
) -> LearnscapeConfig:
    """The config with the Totara API and/or the student system switched on at the given base URLs."""
    sources = config.sources
    if totara_url is not None:
        sources = sources.model_copy(
            update={"totara": sources.totara.model_copy(update={"base_url": totara_url, "enabled": True})}
        )
    if student_url is not None:
        student_system = sources.student_system.model_copy(update={"base_url": student_url, "enabled": True})
        sources = sources.model_copy(update={"student_system": student_system})
    return config.model_copy(update={"sources": sources})


@cache
def quiet_validator() -> GxValidator:
    """One Great Expectations validator for the process, without a Data Docs site."""
    return GxValidator(None)


@contextmanager
def data_docs_off() -> Iterator[None]:
    """While the block runs, the nightly ingest validates with `quiet_validator` (no Data Docs site)."""
    original = flows.ingest.shared_validator
    flows.ingest.shared_validator = lambda docs_dir: quiet_validator()
    try:
        yield
    finally:
        flows.ingest.shared_validator = original


def ingest(
    engine: Engine, config: LearnscapeConfig, landing: Path, received_on: date, run_id: str = "reliability"
) -> list[LoadOutcome]:
    """Everything in `landing`, loaded by the nightly run's ingest in its own order."""
    with data_docs_off():
        return flows.ingest.ingest_landing(engine, config, landing, run_id, received_on, as_tasks=False)


def _application_order(path: Path) -> tuple:
    """Where the nightly ingest applies a file: trust rules, then ESR by extract date (staff in post before
    competences, full before delta), then Totara exports by date, then survey files, then anything else."""
    if path.name in RULE_FILES:
        return (0, RULE_FILES.index(path.name))
    if match := ESR_NAME.match(path.name):
        return (1, match[2], match[1].lower() != "staff_in_post", match[3].lower() != "full", path.name)
    if match := TOTARA_NAME.match(path.name):
        return (2, match[2], match[1].lower(), path.name)
    if path.parent.name == "surveys":
        return (3, path.name)
    return (4, path.name)


def landed_files(landing: Path) -> list[Path]:
    """Every file (or link) under `landing`, in the order the nightly ingest applies them."""
    found = [path for path in Path(landing).rglob("*") if path.is_file() or path.is_symlink()]
    return sorted(found, key=_application_order)


def load_files(
    engine: Engine,
    config: LearnscapeConfig,
    files: Sequence[Path],
    received_on: date,
    run_id: str = "reliability",
) -> list[LoadOutcome]:
    """Load `files` one at a time in the order given, each alone in a landing folder of its own (under the
    config's folder, in the subfolder it came from) and ingested by the nightly run's ingest."""
    outcomes = []
    scratch = Path(config.base_dir) / "one-at-a-time"
    start = len(list(scratch.glob("*"))) if scratch.exists() else 0
    for number, path in enumerate(files, start=start):
        landing = scratch / f"{number:04d}"
        (landing / path.parent.name).mkdir(parents=True)
        shutil.copy2(path, landing / path.parent.name / path.name, follow_symlinks=False)
        outcomes += ingest(engine, config, landing, received_on, run_id)
    return outcomes


def build_marts(engine: Engine, config: LearnscapeConfig, as_of: date) -> BuildResult:
    """Every mart for the reporting date, built the way the nightly run builds them, in its order."""
    return (
        match_learners_task.fn(engine, as_of)
        .merged_with(build_compliance_task.fn(engine, config, as_of))
        .merged_with(build_skills_task.fn(engine, config, as_of))
        .merged_with(build_surveys_task.fn(engine, config))
        .merged_with(build_student_pipeline_task.fn(engine, as_of))
    )


def publish(engine: Engine, outbox: Path, as_of: date, run_id: str = "reliability") -> PublishedFeed:
    return publish_feed_task.fn(engine, outbox, as_of, run_id)


@dataclass(frozen=True)
class NightResult:
    loads: list[LoadOutcome]
    build: BuildResult
    feed: PublishedFeed


def run_night(config: LearnscapeConfig, landing: Path, as_of: date, outbox: Path, run_id: str) -> NightResult:
    """One nightly run on the config's warehouse: ingest `landing`, build for `as_of`, publish into `outbox`."""
    engine = warehouse_engine(config)
    try:
        start_run(engine, run_id, as_of)
        try:
            loads = flows.ingest.ingest_landing(engine, config, landing, run_id, as_of, as_tasks=False)
            build = build_marts(engine, config, as_of)
            feed = publish(engine, outbox, as_of, run_id)
        except Exception as error:
            finish_run(engine, run_id, "failed", f"{type(error).__name__}: {error}")
            raise
        refused = [load.source_file for load in loads if load.refused]
        finish_run(engine, run_id, "succeeded", f"refused: {', '.join(refused)}" if refused else None)
        return NightResult(loads=loads, build=build, feed=feed)
    finally:
        engine.dispose()
