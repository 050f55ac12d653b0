"""One benchmark stage in a fresh subprocess: `python -m benchmarks.stages SPEC.json RESULT.json`.

Each stage runs the product's plain functions (no Prefect run), timed by the hooks in `benchmarks.hooks`, and
writes a result: wall time (after imports), self time per label, the RSS high-water mark of the process (its
own `ru_maxrss` plus its worker processes', so one stage's memory never hides another's), sampled RSS peaks per
label (this process only), per-file outcomes
for ingestion and the slowest SQL statements. With `profile` set the stage runs under cProfile.
"""

from __future__ import annotations

import cProfile
import importlib
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.instrument import LabelClock, RssSampler, SqlTimer, current_rss_bytes, install, peak_rss_bytes

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


_progress_path: Path | None = None


def checkpoint(kind: str, payload: dict) -> None:
    """Append one finished step to the stage's progress file, so a stage stopped part way (over the memory
    limit or the timeout) still leaves the figures of what it finished."""
    if _progress_path is None:
        return
    line = {"kind": kind, **payload, "peak_rss_bytes_so_far": peak_rss_bytes()}
    with _progress_path.open("a", encoding="utf-8") as progress:
        progress.write(json.dumps(line, default=str) + "\n")


def _config(spec: dict):
    from learnscape.config import load_config

    return load_config(Path(spec["config"]))


def _engine(config, sql_timer: SqlTimer | None = None):
    from warehouse.engine import open_warehouse

    engine = open_warehouse(config.warehouse_url())
    if sql_timer is not None:
        sql_timer.attach(engine)
    return engine


def stage_generate(spec: dict, clock: LabelClock, sql: SqlTimer) -> dict:
    """The sample trust's files (not part of the pipeline figures)."""
    from sample_trust.generate import generate_sample_trust

    with clock.label("generate"):
        summary = generate_sample_trust(
            Path(spec["out_dir"]),
            staff=spec["staff"],
            seed=spec["seed"],
            as_of=date.fromisoformat(spec["as_of"]),
            history=spec["history"],
        )
    files = [path for path in summary.files if path.suffix == ".csv"]
    return {
        "staff": summary.staff,
        "assignments": summary.assignments,
        "competence_rows": summary.competence_rows,
        "files": len(summary.files),
        "bytes": sum(path.stat().st_size for path in files),
    }


def stage_delta(spec: dict, clock: LabelClock, sql: SqlTimer) -> dict:
    """A 1% delta of the final full extracts (not part of the pipeline figures)."""
    from benchmarks.delta import write_one_percent_delta

    with clock.label("delta"):
        written = write_one_percent_delta(
            [Path(p) for p in spec["full_files"]], Path(spec["out_dir"]), date.fromisoformat(spec["delta_date"])
        )
    return {"files": {path.name: rows for path, rows in written.items()}, "rows": sum(written.values())}


def stage_parse(spec: dict, clock: LabelClock, sql: SqlTimer) -> dict:
    """The product's readers alone over the nightly files: ESR extracts, then Totara exports."""
    from connectors.esr.files import parse_esr_file_name
    from connectors.esr.headings import load_heading_map
    from connectors.esr.reader import read_esr_file
    from connectors.totara.exports import discover_totara_exports, read_totara_export_chunks

    config = _config(spec)
    headings = load_heading_map()
    rows = {"esr": 0, "totara": 0}
    for path in spec["esr_files"]:
        esr_file = parse_esr_file_name(Path(path))
        with clock.label("esr/parse"):
            for chunk in read_esr_file(esr_file, headings, chunk_rows=config.sources.esr.chunk_rows):
                rows["esr"] += len(chunk.records)
    checkpoint("esr", {"seconds": round(clock.seconds["esr/parse"], 4), "rows": rows["esr"]})
    for export in discover_totara_exports(Path(spec["landing"])):
        with clock.label("totara/parse"):
            chunks = read_totara_export_chunks(
                export, config.sources.totara.chunk_rows, timezone=config.sources.totara.timezone
            )
            rows["totara"] += sum(len(chunk.records) for chunk in chunks)
    return {"rows": rows}


def stage_matching_candidates(spec: dict, clock: LabelClock, sql: SqlTimer) -> dict:
    """The candidate records learner matching compares, read from the generated files into a Parquet file.

    The nightly stages do not pull Totara's API (no stand-in server runs in the benchmark), so their build matches
    ESR people alone; here the candidates are ESR's staff in post and the Totara stand-in's users, the columns
    `warehouse.learners.candidates` reads from the warehouse. A stage of its own, so that the matching stages
    start from the compact frame the product reads, not from what reading the files left in the process."""
    with clock.label("matching/candidates"):
        candidates = _matching_candidates(Path(spec["staff_in_post"]), Path(spec["totara_users"]))
        candidates.to_parquet(spec["candidates"], index=False)
    return {
        "rows": {
            "esr_people": int((candidates["source_system"] == "esr").sum()),
            "totara_users": int((candidates["source_system"] == "totara").sum()),
        }
    }


def stage_matching(spec: dict, clock: LabelClock, sql: SqlTimer) -> dict:
    """Learner matching at the trust's size: the product's `match_learners` over the candidates of
    `stage_matching_candidates`. With `crosswalk_in` it is the next night: every record already has its learner
    and is looked at again."""
    from datetime import UTC, datetime

    import pandas as pd

    from transforms.identity import match_learners

    candidates = pd.read_parquet(spec["candidates"])
    crosswalk = pd.read_parquet(spec["crosswalk_in"]) if spec.get("crosswalk_in") else None
    with clock.label("matching/match"):
        result = match_learners(candidates, crosswalk, matched_at=datetime.now(UTC))
    if spec.get("crosswalk_out"):
        result.crosswalk.to_parquet(spec["crosswalk_out"], index=False)
    return {
        "rows": {
            "records": len(candidates),
            "learners": int(result.crosswalk["learner_id"].nunique()),
            "review": len(result.review),
        }
    }


def _matching_candidates(staff_in_post: Path, totara_users: Path):
    """The product's candidate records (`warehouse.learners.candidate_records`) from the files, a chunk at a
    time: ESR people from the staff-in-post extract, live users from the Totara stand-in's store, no students."""
    import pandas as pd

    from connectors.esr.files import parse_esr_file_name
    from connectors.esr.headings import load_heading_map
    from connectors.esr.reader import read_esr_file
    from warehouse.learners import STUDENT_COLUMNS, TOTARA_USER_COLUMNS, candidate_records

    compared = ["employee_number", "first_name", "last_name", "work_email", "date_of_birth"]
    people = [
        chunk.records[compared].drop_duplicates("employee_number")
        # Small chunks: the reader's own peak (a chunk of every column) is not what these stages measure.
        for chunk in read_esr_file(parse_esr_file_name(staff_in_post), load_heading_map(), chunk_rows=20_000)
    ]
    esr = pd.concat(people, ignore_index=True).drop_duplicates("employee_number")  # assignments span chunks
    users = []
    for chunk in pd.read_json(totara_users, lines=True, dtype=False, chunksize=100_000):
        live = chunk.loc[~chunk["deleted"]].rename(columns={"id": "user_id"})
        live = live.assign(user_id=live["user_id"].astype(str), idnumber=live["idnumber"].astype(str).replace("", None))
        users.append(live[list(TOTARA_USER_COLUMNS)])
    students = pd.DataFrame(columns=list(STUDENT_COLUMNS))
    return candidate_records(esr, pd.concat(users, ignore_index=True), students)


def stage_migrate(spec: dict, clock: LabelClock, sql: SqlTimer) -> dict:
    """The warehouse schema created on the empty database (Alembic, every migration)."""
    from warehouse.migrate import upgrade

    config = _config(spec)
    engine = _engine(config)
    with clock.label("migrate"):
        upgrade(engine)
    engine.dispose()
    return {}


def stage_ingest(spec: dict, clock: LabelClock, sql: SqlTimer) -> dict:
    """`ingest_landing` over one landing folder, every file's steps timed."""
    import flows.ingest as ingest
    from benchmarks.hooks import ingest_hooks
    from benchmarks.instrument import Hook

    config = _config(spec)
    engine = _engine(config, sql)
    files: list[dict] = []

    def per_file(source: str, function: Callable) -> Callable:
        def run_file(*args, **kwargs):
            before = dict(clock.seconds)
            started = time.perf_counter()
            with clock.label(source, scope=True):
                outcome = function(*args, **kwargs)
            steps = {
                label.split("/", 1)[1]: round(seconds - before.get(label, 0.0), 4)
                for label, seconds in clock.seconds.items()
                if label.startswith(source + "/") and seconds - before.get(label, 0.0) > 0
            }
            record = {
                "file": outcome.source_file,
                "source": source,
                "status": outcome.status,
                "rows_in": outcome.rows_in,
                "rows_rejected": outcome.rows_rejected,
                "rows_applied": outcome.rows_applied,
                "seconds": round(time.perf_counter() - started, 4),
                "steps": steps,
                "message": outcome.message,
            }
            files.append(record)
            checkpoint("file", record)
            return outcome

        return run_file

    missing = install(clock, ingest_hooks())
    for attribute, source in (
        ("ingest_esr_file", "esr"),
        ("ingest_totara_export", "totara"),
        ("ingest_rule_file", "rules"),
        ("ingest_survey_file", "surveys"),
    ):
        if hasattr(ingest, attribute):
            setattr(ingest, attribute, per_file(source, getattr(ingest, attribute)))
        else:
            missing.append(f"flows.ingest.{attribute}")
    missing += install(clock, [Hook(ingest, "ingest_landing", "ingest")])
    received_on = date.fromisoformat(spec["received_on"])
    ingest.ingest_landing(engine, config, Path(spec["landing"]), "benchmark", received_on, as_tasks=False)
    engine.dispose()
    return {"files": files, "missing_hooks": missing}


BUILD_TASKS = ("match_learners", "compliance", "skills", "surveys", "student_pipeline")


def stage_build(spec: dict, clock: LabelClock, sql: SqlTimer) -> dict:
    """The nightly's build tasks in its order, for one reporting date."""
    from benchmarks.hooks import build_hooks
    from flows.build import build_compliance_task, build_skills_task, build_surveys_task
    from flows.learners import build_student_pipeline_task, match_learners_task

    config = _config(spec)
    engine = _engine(config, sql)
    as_of = date.fromisoformat(spec["as_of"])
    missing = install(clock, build_hooks())
    tasks = {
        "match_learners": lambda: match_learners_task.fn(engine, as_of),
        "compliance": lambda: build_compliance_task.fn(engine, config, as_of),
        "skills": lambda: build_skills_task.fn(engine, config, as_of),
        "surveys": lambda: build_surveys_task.fn(engine, config),
        "student_pipeline": lambda: build_student_pipeline_task.fn(engine, as_of),
    }
    written: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for name in BUILD_TASKS:
        started = time.perf_counter()
        with clock.label(f"build.{name}", scope=True):
            result = tasks[name]()
        seconds[name] = round(time.perf_counter() - started, 4)
        checkpoint("task", {"task": name, "seconds": seconds[name], "rows_written": result.rows_written})
        written.update(result.rows_written)
    engine.dispose()
    return {"rows_written": written, "task_seconds": seconds, "missing_hooks": missing}


def stage_publish(spec: dict, clock: LabelClock, sql: SqlTimer) -> dict:
    """The nightly feed for one reporting date: marts read, CSV files and manifest written and swapped in."""
    from benchmarks.hooks import publish_hooks
    from flows.publish import publish_feed_task

    config = _config(spec)
    engine = _engine(config, sql)
    missing = install(clock, publish_hooks())
    with clock.label("publish", scope=True):
        feed = publish_feed_task.fn(engine, config.outbox_dir, date.fromisoformat(spec["as_of"]), "benchmark")
    engine.dispose()
    files = feed.manifest["files"]
    return {
        "rows": sum(entry["rows"] for entry in files.values()),
        "files": {k: v["rows"] for k, v in files.items()},
        "missing_hooks": missing,
    }


def stage_queries(spec: dict, clock: LabelClock, sql: SqlTimer) -> dict:
    """Typical BI queries on the marts of one reporting date (`benchmarks.queries`)."""
    from benchmarks.queries import time_queries

    config = _config(spec)
    engine = _engine(config)
    with clock.label("queries"):
        timings = time_queries(engine, date.fromisoformat(spec["as_of"]), spec["repetitions"])
    engine.dispose()
    return {"queries": timings}


def stage_floor(spec: dict, clock: LabelClock, sql: SqlTimer) -> dict:
    """The plain parse and bulk load of the same ESR files (`benchmarks.floor`)."""
    from benchmarks.floor import load_floor

    return load_floor(spec["url"], [Path(p) for p in spec["files"]], clock)


#: Modules each stage imports before its clock starts: imports cost seconds per process, not per row.
PRELOAD = {
    "generate": ("sample_trust.generate",),
    "delta": ("benchmarks.delta",),
    "parse": ("connectors.esr.reader", "connectors.totara.exports", "learnscape.config"),
    "matching_candidates": ("connectors.esr.reader", "warehouse.learners"),
    "matching": ("transforms.identity",),
    "migrate": ("warehouse.migrate", "learnscape.config"),
    "ingest": ("flows.ingest", "benchmarks.hooks"),
    "build": ("flows.build", "flows.learners", "benchmarks.hooks"),
    "publish": ("flows.publish", "benchmarks.hooks"),
    "queries": ("benchmarks.queries", "warehouse.engine", "learnscape.config"),
    "floor": ("benchmarks.floor",),
}

STAGES: dict[str, Callable[[dict, LabelClock, SqlTimer], dict]] = {
    "generate": stage_generate,
    "delta": stage_delta,
    "parse": stage_parse,
    "matching_candidates": stage_matching_candidates,
    "matching": stage_matching,
    "migrate": stage_migrate,
    "ingest": stage_ingest,
    "build": stage_build,
    "publish": stage_publish,
    "queries": stage_queries,
    "floor": stage_floor,
}


def _cpu_seconds() -> float:
    """CPU time of this process and the worker processes it waited for (user + system): steadier than wall time
    on a busy machine; a PostgreSQL server's work is in its own processes and not counted here."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def run_stage(spec: dict) -> dict[str, Any]:
    """Run the stage the spec names; returns its measurements (see the module docstring)."""
    global _progress_path
    _progress_path = Path(spec["progress"]) if spec.get("progress") else None
    imports_started = time.perf_counter()
    for module in PRELOAD[spec["stage"]]:
        importlib.import_module(module)
    imports = time.perf_counter() - imports_started
    clock = LabelClock()
    sql = SqlTimer()
    baseline = current_rss_bytes()
    profiler = cProfile.Profile() if spec.get("profile") else None
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    with RssSampler(clock) as sampler:
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        extra = STAGES[spec["stage"]](spec, clock, sql)
        if profiler is not None:
            profiler.disable()
        wall = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    if profiler is not None:
        profiler.dump_stats(spec["profile"])
    return {
        "stage": spec["stage"],
        "wall_seconds": round(wall, 4),
        "cpu_seconds": round(cpu, 4),
        "imports_seconds": round(imports, 4),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "labels": {label: round(seconds, 4) for label, seconds in sorted(clock.seconds.items())},
        "calls": dict(sorted(clock.calls.items())),
        "baseline_rss_bytes": baseline,
        "peak_rss_bytes": peak_rss_bytes(),
        "label_rss_peaks": dict(sorted(sampler.peaks.items())),
        "slowest_sql": sql.slowest(),
        **extra,
    }


def main(argv: list[str]) -> int:
    spec_path, result_path = Path(argv[0]), Path(argv[1])
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    result = run_stage(spec)
    result_path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
