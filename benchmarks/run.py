"""`python -m benchmarks.run --sizes 10000,100000`: the pipeline's speed and memory at trust, region and
national scale, against the floor of plain parsing and bulk loading.

For each size a sample trust is generated (timed apart: not a pipeline figure). With history (the default up to
10,000 staff) the year of extracts before the final one is loaded first as a backfill, and the *nightly* is the
final full ESR extract plus the Totara exports arriving at a warehouse that holds that year; without (the
default above) the nightly is the first load of one full extract into an empty warehouse. Then, on each
database: the nightly's ingest (parse, validate with Great Expectations' share apart, stage, merge), build and
publish, each stage in a fresh subprocess so its peak RSS is its own; BI queries on the marts; a delta touching
1% of rows the next day; and the floor. A table is printed and every measurement is written as JSON (`--keep
DIR` keeps the trusts, warehouses and feeds too). See docs/performance.md for the method and the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path

import yaml

from benchmarks import report
from benchmarks.postgres import create_database, postgres_bindir, terminate_backends, throwaway_cluster

REPO = Path(__file__).resolve().parent.parent
DEFAULT_AS_OF = date(2026, 11, 23)
DEFAULT_SEED = 457
#: Without --databases, PostgreSQL runs for sizes up to this many staff (SQLite always runs).
POSTGRES_DEFAULT_MAX_STAFF = 10_000
#: Without --history/--no-history, a year of history is generated and loaded for sizes up to this many staff;
#: above it the nightly is the first full extract (a year's backfill is a migration, not a nightly).
HISTORY_DEFAULT_MAX_STAFF = 10_000


class StageFailed(RuntimeError):
    """A stage subprocess exited with an error, or was stopped past the timeout or the memory limit.

    `partial` holds the progress lines it wrote before it stopped (files ingested, build tasks finished) and
    `seconds` and `peak_bytes` what the runner saw of it.
    """

    def __init__(self, name: str, reason: str, log: Path, partial: list[dict], seconds: float, peak_bytes: int) -> None:
        super().__init__(f"{name}: {reason} (log: {log})")
        self.name, self.reason, self.log = name, reason, log
        self.partial, self.seconds, self.peak_bytes = partial, seconds, peak_bytes

    def record(self) -> dict:
        return {
            "stage": self.name,
            "reason": self.reason,
            "log": str(self.log),
            "seconds": round(self.seconds, 2),
            "observed_peak_rss_bytes": self.peak_bytes,
            "partial": self.partial,
        }


@dataclass(frozen=True)
class BenchSettings:
    sizes: tuple[int, ...]
    databases: tuple[str, ...] | None
    history: bool | None
    seed: int
    as_of: date
    repetitions: int
    stage_timeout: float
    memory_limit_gib: float
    min_free_gib: float
    profile: bool
    work: Path
    keep: bool
    code: Path
    commit: str | None
    keep_going: bool
    readers_only: bool
    results: Path
    build_workers: int | None = None

    def history_for(self, staff: int) -> bool:
        return self.history if self.history is not None else staff <= HISTORY_DEFAULT_MAX_STAFF

    def databases_for(self, staff: int) -> tuple[str, ...]:
        if self.databases is not None:
            return self.databases
        return ("sqlite", "postgresql") if staff <= POSTGRES_DEFAULT_MAX_STAFF else ("sqlite",)


class StageRunner:
    """Runs stages as `python -m benchmarks.stages` subprocesses, with their logs and results on disk."""

    def __init__(self, folder: Path, settings: BenchSettings, on_stop: Callable[[], object] | None = None) -> None:
        self.folder = folder
        self.on_stop = on_stop
        self.timeout = settings.stage_timeout
        self.memory_limit = settings.memory_limit_gib * report.GIB
        self.min_free = settings.min_free_gib * report.GIB
        self.profile = settings.profile
        self.code = settings.code
        folder.mkdir(parents=True, exist_ok=True)

    def _watch(self, process: subprocess.Popen, started: float) -> tuple[int | None, str | None, int]:
        """Wait for the stage, stopping it past the timeout or the memory limit (the machine may be shared).

        Returns the exit code (None when stopped), why it was stopped, and the highest RSS seen.
        """
        observed = 0
        while True:
            try:
                return process.wait(timeout=0.5), None, observed
            except subprocess.TimeoutExpired:
                pass
            reason = None
            if time.perf_counter() - started > self.timeout:
                reason = f"did not finish within {self.timeout:.0f} s"
            rss = _process_rss_bytes(process.pid) or 0
            observed = max(observed, rss)
            if rss > self.memory_limit:
                reason = f"RSS {rss / report.GIB:.1f} GiB passed the {self.memory_limit / report.GIB:.0f} GiB limit"
            free = shutil.disk_usage(self.folder).free
            if free < self.min_free:
                reason = f"free disk space fell to {free / report.GIB:.1f} GiB (limit {self.min_free / report.GIB:.0f})"
            if reason:
                process.kill()
                process.wait()
                if self.on_stop is not None:
                    self.on_stop()
                return None, reason, observed

    def run(self, name: str, spec: dict) -> dict:
        spec_path = self.folder / f"{name}.spec.json"
        result_path = self.folder / f"{name}.result.json"
        log_path = self.folder / f"{name}.log"
        progress_path = self.folder / f"{name}.progress.jsonl"
        progress_path.unlink(missing_ok=True)
        spec = {**spec, "progress": str(progress_path)}
        if self.profile:
            spec = {**spec, "profile": str(self.folder / f"{name}.prof")}
        spec_path.write_text(json.dumps(spec, indent=2, default=str), encoding="utf-8")
        result_path.unlink(missing_ok=True)
        started = time.perf_counter()
        print(f"  {name:<24} ...", end="", flush=True)
        with log_path.open("w", encoding="utf-8") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.stages", str(spec_path), str(result_path)],
                cwd=self.code,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            code, stopped, observed = self._watch(process, started)
        if stopped or code != 0 or not result_path.exists():
            if not stopped:
                tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
                stopped = f"exit code {code}: {' | '.join(tail)}"
            print(f" stopped: {stopped[:200]}")
            partial = []
            if progress_path.exists():
                partial = [json.loads(line) for line in progress_path.read_text(encoding="utf-8").splitlines() if line]
            raise StageFailed(name, stopped, log_path, partial, time.perf_counter() - started, observed)
        result = json.loads(result_path.read_text(encoding="utf-8"))
        print(
            f" {result['wall_seconds']:8.2f} s  cpu {result['cpu_seconds']:7.1f} s  peak"
            f" {result['peak_rss_bytes'] / report.MIB:6.0f} MiB  load {result['load_average'][0]:.1f}"
            f"   (process {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        return result


def _process_rss_bytes(pid: int) -> int | None:
    """RSS of the stage process and every process under it (the build's part workers), from /proc."""
    own = _one_process_rss_bytes(pid)
    if own is None:
        return None
    return own + sum(_one_process_rss_bytes(child) or 0 for child in _descendants(pid))


def _one_process_rss_bytes(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return None


def _descendants(pid: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found.extend(children)
        frontier = children
    return found


def _head_commit() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()


def snapshot_code(target: Path, commit: str) -> Path:
    """`commit` exported to `target`, with this `benchmarks` folder as it stands laid over it: the stages then
    run one known version of the product even while the working tree is being edited."""
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=REPO, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    shutil.rmtree(target / "benchmarks", ignore_errors=True)
    shutil.copytree(REPO / "benchmarks", target / "benchmarks", ignore=shutil.ignore_patterns("__pycache__", "results"))
    return target


def _landing_links(target: Path, files: list[Path]) -> Path:
    """A landing folder holding exactly `files`, as hard links (no copy; the pipeline refuses symbolic links that
    lead out of its landing folder), or copies where the file system cannot link."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in files:
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)
    return target


@dataclass(frozen=True)
class Landings:
    """The landing folders one size's stages ingest, and the final full ESR extracts (the floor's files)."""

    nightly: Path
    backfill: Path | None
    final_esr: tuple[Path, ...]
    delta: Path


def _split_landing(trust_landing: Path, landings: Path, history: bool) -> Landings:
    """backfill: trust rules and every ESR extract before the final date; nightly: the final ESR extracts and the
    Totara exports (plus the trust rules when there is no backfill); delta: written later by the delta stage."""
    from connectors.esr.files import discover_esr_files

    esr_files = discover_esr_files(trust_landing)
    final_date = max(f.file_date for f in esr_files)
    final = [f.path for f in esr_files if f.file_date == final_date]
    earlier = [f.path for f in esr_files if f.file_date < final_date]
    rules = sorted((trust_landing / "trust").glob("*.csv"))
    totara = sorted((trust_landing / "totara").glob("*.csv"))
    backfill = None
    if history and earlier:
        backfill = _landing_links(landings / "backfill", rules + earlier)
        nightly = _landing_links(landings / "nightly", final + totara)
    else:
        nightly = _landing_links(landings / "nightly", rules + final + totara)
    delta = landings / "delta"
    shutil.rmtree(delta, ignore_errors=True)
    return Landings(nightly=nightly, backfill=backfill, final_esr=tuple(final), delta=delta)


def _write_config(folder: Path, url: str, build_workers: int | None = None) -> Path:
    """The run's learnscape.yaml: the product's defaults, except `build_worker_processes` when given.

    Only the settings the run sets are written, and the stages' code fills in its own defaults: with
    `--snapshot` the stages run the commit exported at the start, which may not know a setting this process's
    code (the working tree, imported when first needed) has since gained."""
    warehouse = {"url": url} if build_workers is None else {"url": url, "build_worker_processes": build_workers}
    settings = {
        "paths": {"landing": "landing", "outbox": "outbox", "reports": "reports", "state": ".learnscape"},
        "warehouse": warehouse,
    }
    path = folder / "learnscape.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return path


def _generate(settings: BenchSettings, staff: int, size_dir: Path, runner: StageRunner) -> dict:
    """Generate the sample trust, or reuse one a kept folder already holds for the same parameters."""
    trust_dir = size_dir / "sample-trust"
    marker = size_dir / "generated.json"
    params = {
        "staff": staff,
        "seed": settings.seed,
        "as_of": settings.as_of.isoformat(),
        "history": settings.history_for(staff),
    }
    if marker.exists():
        saved = json.loads(marker.read_text(encoding="utf-8"))
        if saved.get("params") == params:
            print(f"  {'generate':<24} reused {trust_dir}")
            return {**saved["result"], "reused": True}
    result = runner.run("generate", {"stage": "generate", "out_dir": str(trust_dir), **params})
    marker.write_text(json.dumps({"params": params, "result": result}, indent=2), encoding="utf-8")
    return result


def _database_url(database: str, folder: Path, admin_url: str | None, name: str) -> str:
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{folder / 'warehouse.db'}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{folder / 'warehouse.db'}"
    assert admin_url is not None
    return create_database(admin_url, name)


def _database_bytes(database: str, url: str, folder: Path) -> int | None:
    if database == "sqlite":
        return sum(p.stat().st_size for p in folder.glob("warehouse.db*"))
    from benchmarks.postgres import database_bytes

    return database_bytes(url)


def _run_database(
    settings: BenchSettings, staff: int, database: str, size_dir: Path, landings: Landings, admin_url: str | None
) -> dict:
    folder = size_dir / database
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    database_name = f"learnscape_{staff}"
    url = _database_url(database, folder, admin_url, database_name)
    floor_url = (
        f"sqlite:///{folder / 'floor.db'}" if database == "sqlite" else create_database(admin_url, f"floor_{staff}")
    )
    config = str(_write_config(folder, url, settings.build_workers))
    stop = (lambda: terminate_backends(admin_url, database_name)) if database == "postgresql" else None
    runner = StageRunner(folder / "stages", settings, on_stop=stop)
    as_of, received = settings.as_of, settings.as_of.isoformat()
    next_day = (as_of + timedelta(days=1)).isoformat()
    plan: list[tuple[str, dict]] = [("migrate", {"stage": "migrate", "config": config})]
    if landings.backfill is not None:
        plan.append(
            (
                "backfill_ingest",
                {"stage": "ingest", "config": config, "landing": str(landings.backfill), "received_on": received},
            )
        )
    plan += [
        (
            "nightly_ingest",
            {"stage": "ingest", "config": config, "landing": str(landings.nightly), "received_on": received},
        ),
        ("build", {"stage": "build", "config": config, "as_of": as_of.isoformat()}),
        ("publish", {"stage": "publish", "config": config, "as_of": as_of.isoformat()}),
        (
            "queries",
            {"stage": "queries", "config": config, "as_of": as_of.isoformat(), "repetitions": settings.repetitions},
        ),
        (
            "delta_ingest",
            {"stage": "ingest", "config": config, "landing": str(landings.delta), "received_on": next_day},
        ),
        ("delta_build", {"stage": "build", "config": config, "as_of": next_day}),
        ("delta_publish", {"stage": "publish", "config": config, "as_of": next_day}),
        ("floor", {"stage": "floor", "url": floor_url, "files": [str(p) for p in landings.final_esr]}),
    ]
    if settings.readers_only:
        plan = [step for step in plan if step[0] == "floor"]
    run: dict = {"database": database, "url": url, "stages": {}, "errors": []}
    print(f"{staff:,} staff on {database}")
    failed = False
    for name, spec in plan:
        # A stage needs its predecessors' output, so after a failure the rest are skipped unless --keep-going
        # (useful at national scale: the build still runs on what the ingest did load); the floor needs nothing.
        if failed and not settings.keep_going and name != "floor":
            continue
        try:
            run["stages"][name] = runner.run(name, spec)
        except StageFailed as failure:
            run["errors"].append(failure.record())
            failed = True
    run["warehouse_bytes"] = _database_bytes(database, url, folder)
    run["summary"] = report.summarise(run)
    return run


def _machine() -> dict:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = round(total_kib / 1024 / 1024, 1)
    versions = {}
    for package in ("pandas", "pyarrow", "sqlalchemy", "great_expectations", "prefect", "psycopg", "numpy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    bindir = postgres_bindir()
    postgres = None
    if bindir is not None:
        postgres = subprocess.run([bindir / "postgres", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres,
        "packages": versions,
    }


def _git(settings: BenchSettings) -> dict:
    """The product version measured: the snapshot's commit, or HEAD plus the working tree's uncommitted files."""
    if settings.commit is not None:
        return {"commit": settings.commit, "snapshot": True, "uncommitted_files": []}
    status = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    changed = [line[3:] for line in status.splitlines()]
    return {"commit": _head_commit(), "snapshot": False, "uncommitted_files": changed[:50]}


def _run_matching(runner: StageRunner, size_dir: Path, landings: Landings, errors: list) -> dict:
    """Learner matching over the trust's ESR people and Totara users: the candidates read from the files, then
    the first night and the next night with the first night's crosswalk (see `benchmarks.stages`)."""
    users = size_dir / "sample-trust" / "standins" / "totara" / "users.jsonl"
    staff_in_post = [path for path in landings.final_esr if "staff_in_post" in path.name]
    if not users.exists() or not staff_in_post:
        return {}
    candidates, crosswalk = size_dir / "matching-candidates.parquet", size_dir / "matching-crosswalk.parquet"
    stages = {}
    try:
        stages["candidates"] = runner.run(
            "matching_candidates",
            {
                "stage": "matching_candidates",
                "staff_in_post": str(staff_in_post[0]),
                "totara_users": str(users),
                "candidates": str(candidates),
            },
        )
        spec = {"stage": "matching", "candidates": str(candidates)}
        stages["first"] = runner.run("matching_first", {**spec, "crosswalk_out": str(crosswalk)})
        stages["next"] = runner.run("matching_next", {**spec, "crosswalk_in": str(crosswalk)})
    except StageFailed as failure:
        errors.append(failure.record())
    finally:
        candidates.unlink(missing_ok=True)
        crosswalk.unlink(missing_ok=True)
    return stages


def _print_size(size: dict) -> None:
    matching = size.get("matching", {})
    if "candidates" in matching:
        rows = matching["candidates"]["rows"]
        print(f"   learner matching over {rows['esr_people']:,} ESR people and {rows['totara_users']:,} Totara users:")
    for night in ("first", "next"):
        if night in matching:
            stage = matching[night]
            print(
                f"     {night} night: {stage['rows']['records']:,} records into {stage['rows']['learners']:,} learners "
                f"in {stage['labels']['matching/match']:.1f} s, peak {stage['peak_rss_bytes'] / report.MIB:,.0f} MiB"
            )
    for error in size.get("errors", []):
        print(f"!! {size['staff']:,} staff: {error['stage']}: {error['reason']}")
    for run in size["runs"]:
        print()
        mode = (
            "history: nightly = final full extract onto a year's warehouse"
            if size["history"]
            else ("no history: nightly = first full extract into an empty warehouse")
        )
        print(f"== {size['staff']:,} staff · {run['database']} · {mode}")
        print(report.render_lines(report.stage_lines(run, size.get("parse"))))
        summary = run["summary"]
        notes = []
        if "gx_share_of_ingest" in summary:
            notes.append(f"GX share of nightly ingest {summary['gx_share_of_ingest']:.1%}")
        if "esr_ingest_vs_floor" in summary:
            notes.append(f"ESR ingest {summary['esr_ingest_vs_floor']:.1f}x floor")
        if "nightly_vs_floor" in summary:
            notes.append(f"nightly {summary['nightly_vs_floor']:.1f}x floor")
        if "delta_share" in summary:
            notes.append(
                f"1% delta = {summary['delta_share']:.1%} of the full nightly "
                f"(its ingest {summary['delta_ingest_share']:.1%} of the full ingest)"
            )
        if run.get("warehouse_bytes"):
            notes.append(f"warehouse {run['warehouse_bytes'] / report.MIB:,.0f} MiB")
        print("  " + "; ".join(notes))
        queries = report.render_queries(run)
        if queries:
            print(queries)
        for error in run["errors"]:
            print(f"  !! {error['stage']}: {error['reason']}")
        missing = sorted({name for stage in run["stages"].values() for name in stage.get("missing_hooks", [])})
        if missing:
            print(f"  (not timed separately, renamed in the product: {', '.join(missing)})")


def run_benchmarks(settings: BenchSettings) -> dict:
    """Run every size on every database; returns the results (also written to `settings.results`)."""
    results: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m benchmarks.run", *sys.argv[1:]]),
        "machine": _machine(),
        "git": _git(settings),
        "settings": {
            "sizes": list(settings.sizes),
            "history": settings.history,
            "seed": settings.seed,
            "as_of": settings.as_of.isoformat(),
            "repetitions": settings.repetitions,
            "stage_timeout": settings.stage_timeout,
            "memory_limit_gib": settings.memory_limit_gib,
            "min_free_gib": settings.min_free_gib,
            "keep_going": settings.keep_going,
            "readers_only": settings.readers_only,
            "build_workers": settings.build_workers,
            "profile": settings.profile,
            "code": str(settings.code),
        },
        "sizes": [],
    }
    needs_postgres = any("postgresql" in settings.databases_for(staff) for staff in settings.sizes)
    with throwaway_cluster() if needs_postgres else contextlib.nullcontext() as admin_url:
        for staff in settings.sizes:
            history = settings.history_for(staff)
            size_dir = settings.work / f"trust-{staff}-{'history' if history else 'final-only'}"
            size_dir.mkdir(parents=True, exist_ok=True)
            runner = StageRunner(size_dir / "stages", settings)
            print(f"{staff:,} staff: sample trust")
            size: dict = {"staff": staff, "history": history, "runs": [], "errors": []}
            results["sizes"].append(size)
            try:
                size["generate"] = _generate(settings, staff, size_dir, runner)
                trust_landing = size_dir / "sample-trust" / "landing"
                landings = _split_landing(trust_landing, size_dir / "landings", history)
                if not settings.readers_only:
                    size["delta_files"] = runner.run(
                        "delta",
                        {
                            "stage": "delta",
                            "full_files": [str(p) for p in landings.final_esr],
                            "out_dir": str(landings.delta),
                            "delta_date": settings.as_of.isoformat(),
                        },
                    )
            except StageFailed as failure:
                size["errors"].append(failure.record())
                continue
            # The readers need the config's reader settings, not a warehouse: this database is never opened.
            config = str(_write_config(size_dir, f"sqlite:///{size_dir / 'readers-only.db'}"))
            try:
                size["parse"] = runner.run(
                    "parse",
                    {
                        "stage": "parse",
                        "config": config,
                        "esr_files": [str(p) for p in landings.final_esr],
                        "landing": str(landings.nightly),
                    },
                )
            except StageFailed as failure:
                size["errors"].append(failure.record())
            size["matching"] = _run_matching(runner, size_dir, landings, size["errors"])
            for database in settings.databases_for(staff):
                size["runs"].append(_run_database(settings, staff, database, size_dir, landings, admin_url))
            _print_size(size)
            _save(results, settings.results)
    results["targets"] = report.evaluate_targets(results["sizes"])
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    _save(results, settings.results)
    print()
    print(report.render_targets(results["targets"]))
    print(f"\nResults: {settings.results}")
    return results


def _save(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


def parse_arguments(argv: list[str]) -> BenchSettings:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="staff counts, comma-separated (default 10000,100000)")
    parser.add_argument(
        "--databases",
        default=None,
        help=f"sqlite, postgresql or both, comma-separated (default: both up to {POSTGRES_DEFAULT_MAX_STAFF:,} "
        "staff, SQLite only above)",
    )
    parser.add_argument(
        "--history",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="load a year of extracts before the nightly, or (--no-history) only the final full extract "
        f"(default: history up to {HISTORY_DEFAULT_MAX_STAFF:,} staff, none above)",
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep trusts, warehouses, feeds and results here")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF, help="reporting date")
    parser.add_argument("--repetitions", type=int, default=7, help="timed runs of each BI query (median reported)")
    parser.add_argument(
        "--stage-timeout", type=float, default=600.0, help="seconds before a stage is stopped (default 600)"
    )
    parser.add_argument(
        "--memory-limit-gib",
        type=float,
        default=12.0,
        help="stop a stage whose RSS passes this many GiB, to protect a shared machine (default 12)",
    )
    parser.add_argument(
        "--min-free-gib",
        type=float,
        default=5.0,
        help="stop a stage when free disk space under the work folder falls below this (default 5)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="run every stage under cProfile (<stage>.prof beside its log)"
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="run the later stages even after one fails or is stopped (they work on what it did load)",
    )
    parser.add_argument(
        "--readers-only",
        action="store_true",
        help="only generate, run the product's readers and the floor (no warehouse stages): parsing speed and "
        "memory at a size whose warehouse would not fit on the disk",
    )
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="run the stages on the last commit (HEAD) exported at the start, not on the working tree",
    )
    parser.add_argument("--results", type=Path, default=None, help="where to write the JSON results")
    parser.add_argument(
        "--build-workers",
        type=int,
        default=None,
        help="warehouse.build_worker_processes for the build (default: the product's, 1); 0 builds in one process",
    )
    args = parser.parse_args(argv)
    sizes = tuple(int(part.replace("_", "")) for part in args.sizes.split(",") if part.strip())
    databases = None
    if args.databases:
        databases = tuple(part.strip() for part in args.databases.split(",") if part.strip())
        unknown = set(databases) - {"sqlite", "postgresql"}
        if unknown:
            parser.error(f"unknown database(s) {', '.join(sorted(unknown))}: use sqlite and/or postgresql")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="learnscape-bench-"))
    results = args.results or (
        (work / "results" / f"{stamp}.json")
        if args.keep
        else Path(tempfile.gettempdir()) / "learnscape-bench" / f"{stamp}.json"
    )
    commit = _head_commit() if args.snapshot else None
    code = snapshot_code(work / "code" / stamp, commit) if commit else REPO
    return BenchSettings(
        sizes=sizes,
        databases=databases,
        history=args.history,
        seed=args.seed,
        as_of=args.as_of,
        repetitions=args.repetitions,
        stage_timeout=args.stage_timeout,
        memory_limit_gib=args.memory_limit_gib,
        min_free_gib=args.min_free_gib,
        profile=args.profile,
        work=work,
        keep=args.keep is not None,
        code=code,
        commit=commit,
        keep_going=args.keep_going,
        readers_only=args.readers_only,
        results=results.resolve(),
        build_workers=args.build_workers,
    )


def print_saved(path: Path) -> None:
    """Print the tables of a results file written by an earlier run."""
    results = json.loads(path.read_text(encoding="utf-8"))
    machine = results["machine"]
    print(f"{results['command']}  ({results['started_at']}, {machine['cpu']}, {machine['cores']} cores)")
    for size in results["sizes"]:
        for run in size["runs"]:
            run["summary"] = report.summarise(run)
        _print_size(size)
    print()
    print(report.render_targets(report.evaluate_targets(results["sizes"])))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--report"]:
        if len(argv) != 2:
            print("usage: python -m benchmarks.run --report RESULTS.json", file=sys.stderr)
            return 2
        print_saved(Path(argv[1]))
        return 0
    settings = parse_arguments(argv)
    try:
        results = run_benchmarks(settings)
    finally:
        if not settings.keep:
            shutil.rmtree(settings.work, ignore_errors=True)
    failed = any(run["errors"] for size in results["sizes"] for run in size["runs"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
