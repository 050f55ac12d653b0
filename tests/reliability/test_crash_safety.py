"""A nightly run killed with SIGKILL at any step leaves nothing half-done: the feed folder for the reporting date
is never seen half-written, and the next, uninterrupted run ends exactly where a run that was never killed ends.

Every SQLite scenario starts from a copy of the same warehouse (the sample trust's first year loaded, built and
published) and runs the same night: the final full ESR extracts, the competence file with one bad row and read
in two chunks. Each night runs in its own process (see `crash_run.py`), killed at its step; then the night is
run again to the end. The reference is the same night run once without a kill.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from flows.context import warehouse_engine
from learnscape.config import LearnscapeConfig
from tests.postgres_server import fresh_database
from tests.reliability.corpus.baseline import write_baseline
from tests.reliability.crash_run import KillPoint, Night
from tests.reliability.trust_files import AS_OF, landing_with
from tests.reliability.warehouse_state import (
    FeedSnapshot,
    HalfWrittenFeed,
    LayerSnapshot,
    assert_same_marts,
    comparable,
    mart_snapshot,
    read_feed,
)
from warehouse.models import load_log, rejected_row, run_log

REPO = Path(__file__).resolve().parents[2]
CHUNK_ROWS = 2_500

#: Where each run dies. Calls count from the start of the night: the staff file stages one chunk (call 1),
#: the competence file two (calls 2 and 3); the staff file merges people then assignments (calls 1 and 2),
#: the competence file its records (call 3); the compliance marts are five inserts, so the seventh is the
#: second skills mart; the feed has five files.
KILL_POINTS = {
    "mid-file": KillPoint("stage", 3),
    "mid-merge": KillPoint("merge", 3),
    "mid-build": KillPoint("build", 7),
    "mid-publish": KillPoint("publish-files", 3),
    "before-the-feed-swap": KillPoint("publish-swap", 1),
    "after-the-feed-swap": KillPoint("publish-log", 1),
}
#: Kill points at which the new feed is already visible (all others must still show the previous one).
NEW_FEED_VISIBLE = {"after-the-feed-swap"}
#: The database matters most mid-merge: PostgreSQL must roll back what a dead client left uncommitted. That
#: night starts from an empty warehouse (the small trust's files), so its reference is the same files run once
#: to the end on SQLite: the marts must also agree across the two databases.
POSTGRES_SCENARIO = "mid-merge-on-postgresql"
POSTGRES_KILL = KillPoint("merge", 3)
BAD_ROW_EMPLOYEE = "99999999"


class CrashServer:
    """The `crash_run --serve` process: nights handed to it run in forked children, together."""

    def __init__(self, log: Path) -> None:
        env = dict(
            os.environ,
            PREFECT_HOME=str(log.parent / "prefect"),
            PREFECT_LOGGING_LEVEL="WARNING",
            GX_ANALYTICS_ENABLED="False",
            OPENBLAS_NUM_THREADS="1",
            OMP_NUM_THREADS="1",
            JE_ARROW_MALLOC_CONF="background_thread:false",
        )
        self._log = log.open("w")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_run", "--serve"],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        assert self._process.stdout.readline().strip() == "ready", log.read_text()

    def run(self, nights: list[Path]) -> list[int | str]:
        self._process.stdin.write(json.dumps([str(night) for night in nights]) + "\n")
        self._process.stdin.flush()
        return json.loads(self._process.stdout.readline())

    def close(self) -> None:
        self._process.stdin.close()
        self._process.wait(timeout=30)
        self._log.close()


@dataclass(frozen=True)
class Plan:
    """Where a night runs: its folder (warehouse unless `warehouse_url` says otherwise, outbox, logs), the
    landing folder it reads, and which uninterrupted night it must end up equal to."""

    folder: Path
    landing: Path
    reference: str
    warehouse_url: str | None = None

    @property
    def url(self) -> str:
        return self.warehouse_url or f"sqlite:///{self.folder / 'warehouse.db'}"

    def night(self, run_id: str, kill_at: KillPoint | None = None) -> Path:
        night = Night(
            base_dir=str(self.folder),
            warehouse_url=self.url,
            landing=str(self.landing),
            outbox=str(self.folder / "outbox"),
            as_of=AS_OF.isoformat(),
            run_id=run_id,
            chunk_rows=CHUNK_ROWS,
            kill_at=kill_at,
            marker=str(self.folder / "marker") if kill_at else None,
        )
        return night.write(self.folder / f"{run_id}.json")

    def engine(self):
        return warehouse_engine(LearnscapeConfig(base_dir=str(self.folder), warehouse={"url": self.url}))


@dataclass(frozen=True)
class Scenario:
    """One night killed at a step, and what was found after the kill and after the night was run again."""

    name: str
    kill_at: KillPoint
    plan: Plan
    killed_exit: int | str
    marker: str | None
    feed_after_kill: FeedSnapshot | None
    half_written: str | None
    run_status_after_kill: str | None
    resumed_exit: int | str
    marts: LayerSnapshot
    feed: FeedSnapshot | None

    def log(self, run: str) -> str:
        path = self.plan.folder / f"{run}.log"
        return path.read_text()[-3000:] if path.exists() else ""


@dataclass(frozen=True)
class Reference:
    """A night run once to the end, and the feed that was visible before it ran."""

    marts: LayerSnapshot
    feed: FeedSnapshot | None
    previous_feed: FeedSnapshot | None


def _night_landing(folder: Path, files) -> Path:
    """The final full extracts, with one bad competence row (quarantined) at the top of the first chunk."""
    landing = landing_with(folder, files.last_full)
    competences = next(landing.glob("esr/esr_competences_*.csv"))
    with competences.open(encoding="utf-8", newline="") as handle:
        headings, *rows = [row for row in csv.reader(handle) if row]
    bad = dict.fromkeys(headings, "")
    bad.update({"Employee Number": BAD_ROW_EMPLOYEE, "VPD": "457", "Compliance Status": "PURPLE"})
    bad["Competency Name"] = rows[0][headings.index("Competency Name")]
    with competences.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows([headings, [bad[h] for h in headings], *rows])
    return landing


def _copy_history(history, folder: Path) -> None:
    folder.mkdir(parents=True)
    for path in history.folder.glob("warehouse.db*"):
        shutil.copy(path, folder / path.name)
    shutil.copytree(history.folder / "outbox", folder / "outbox", symlinks=True)


def _feed_or_problem(outbox: Path) -> tuple[FeedSnapshot | None, str | None]:
    try:
        return read_feed(outbox, AS_OF), None
    except HalfWrittenFeed as problem:
        return None, str(problem)


def _run_status(plan: Plan, run_id: str) -> str | None:
    engine = plan.engine()
    try:
        with engine.connect() as connection:
            return connection.execute(select(run_log.c.status).where(run_log.c.run_id == run_id)).scalar()
    finally:
        engine.dispose()


def _marts(plan: Plan) -> LayerSnapshot:
    engine = plan.engine()
    try:
        return mart_snapshot(engine)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Nights:
    references: dict[str, Reference]
    scenarios: dict[str, Scenario]


@pytest.fixture(scope="module")
def nights(loaded_history, sample_files, postgres_admin_url, tmp_path_factory) -> Nights:
    """Every scenario's night killed (all together, beside the uninterrupted references), then run again."""
    root = tmp_path_factory.mktemp("crashes")
    with contextlib.ExitStack() as stack:
        night_landing = _night_landing(root / "night-landing", sample_files)
        small_landing = root / "small-trust"
        write_baseline(small_landing, surveys=False)
        plans, references = {}, {}
        for name in KILL_POINTS:
            _copy_history(loaded_history, root / name)
            plans[name] = Plan(root / name, night_landing, "after a year of history")
        _copy_history(loaded_history, root / "reference")
        references["after a year of history"] = Plan(root / "reference", night_landing, "")
        references["from an empty warehouse"] = Plan(root / "reference-empty", small_landing, "")
        (root / "reference-empty").mkdir()
        if postgres_admin_url is not None:
            url = stack.enter_context(fresh_database(postgres_admin_url))
            (root / POSTGRES_SCENARIO).mkdir()
            plans[POSTGRES_SCENARIO] = Plan(root / POSTGRES_SCENARIO, small_landing, "from an empty warehouse", url)
        kills = {name: (POSTGRES_KILL if name == POSTGRES_SCENARIO else KILL_POINTS[name]) for name in plans}
        previous = {key: _feed_or_problem(plan.folder / "outbox")[0] for key, plan in references.items()}

        server = CrashServer(root / "server.log")
        try:
            first = [plan.night("night") for plan in references.values()]
            first += [plan.night("killed", kills[name]) for name, plan in plans.items()]
            exits = dict(zip([*references, *plans], server.run(first), strict=True))
            for key, plan in references.items():
                assert exits[key] == 0, (plan.folder / "night.log").read_text()[-3000:]
            after_kill = {}
            for name, plan in plans.items():
                feed, problem = _feed_or_problem(plan.folder / "outbox")
                marker = (plan.folder / "marker").read_text().strip() if (plan.folder / "marker").exists() else None
                after_kill[name] = (exits[name], marker, feed, problem, _run_status(plan, "killed"))
            resumed = dict(zip(plans, server.run([plan.night("resumed") for plan in plans.values()]), strict=True))
        finally:
            server.close()

        scenarios = {
            name: Scenario(
                name,
                kills[name],
                plan,
                *after_kill[name],
                resumed[name],
                _marts(plan),
                _feed_or_problem(plan.folder / "outbox")[0],
            )
            for name, plan in plans.items()
        }
        outcome = {
            key: Reference(_marts(plan), read_feed(plan.folder / "outbox", AS_OF), previous[key])
            for key, plan in references.items()
        }
        return Nights(outcome, scenarios)


SCENARIOS = [*KILL_POINTS, pytest.param(POSTGRES_SCENARIO, marks=pytest.mark.postgres)]


def _scenario(nights: Nights, name: str) -> Scenario:
    if name not in nights.scenarios:
        pytest.skip("no PostgreSQL server available on this machine")
    return nights.scenarios[name]


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_night_dies_at_the_step_it_was_told_to(nights, name):
    scenario = _scenario(nights, name)
    assert scenario.killed_exit == -9, scenario.log("killed")
    assert scenario.marker == f"{scenario.kill_at.step} {scenario.kill_at.call}"
    assert scenario.run_status_after_kill == "running"


@pytest.mark.parametrize("name", SCENARIOS)
def test_after_the_kill_the_feed_for_the_date_is_whole_never_half_written(nights, name):
    scenario = _scenario(nights, name)
    reference = nights.references[scenario.plan.reference]
    assert scenario.half_written is None, scenario.half_written
    expected = reference.feed if name in NEW_FEED_VISIBLE else reference.previous_feed
    assert comparable(scenario.feed_after_kill) == comparable(expected)


@pytest.mark.parametrize("name", SCENARIOS)
def test_running_the_night_again_ends_exactly_as_a_night_never_killed(nights, name):
    scenario = _scenario(nights, name)
    reference = nights.references[scenario.plan.reference]
    assert scenario.resumed_exit == 0, scenario.log("resumed")
    assert_same_marts(scenario.marts, reference.marts, f"after a kill {name} and a second run")
    assert comparable(scenario.feed) == comparable(reference.feed)
    assert not list((scenario.plan.folder / "outbox" / ".versions").glob(".*.partial"))


def test_the_reference_nights_published_new_figures(nights, loaded_history):
    history = nights.references["after a year of history"]
    assert comparable(history.feed) != comparable(history.previous_feed) == comparable(loaded_history.feed)
    assert history.marts.checksums["compliance_person"] != loaded_history.marts.checksums["compliance_person"]
    empty = nights.references["from an empty warehouse"]
    assert empty.previous_feed is None and empty.feed.files["compliance_person.csv"][0] > 0


def test_a_load_killed_mid_file_leaves_no_second_copy_of_its_quarantine_and_no_load_stuck_in_staging(nights):
    engine = nights.scenarios["mid-file"].plan.engine()
    try:
        with engine.connect() as connection:
            quarantined = connection.execute(
                select(rejected_row.c.row_number).where(rejected_row.c.record_json.like(f"%{BAD_ROW_EMPLOYEE}%"))
            ).all()
            stuck = connection.execute(select(load_log.c.source_file).where(load_log.c.status == "staging")).all()
    finally:
        engine.dispose()
    assert (len(quarantined), stuck) == (1, [])
