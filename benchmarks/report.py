"""Turning stage results into the figures the benchmark reports: per-stage time, rows per second, peak memory,
multiples of the floor, the delta's share of a full run, the GX share of ingestion, and the targets.

Everything here is arithmetic on the JSON the stages wrote, so a saved results file can be re-read and printed.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024
GIB = 1024 * MIB

#: The issue's targets: (key, description).
TARGETS = (
    ("nightly_10k_sqlite", "10k-staff full nightly under 60 s on SQLite"),
    ("national_memory", "1.5M staff: peak memory under 4 GiB"),
    ("national_floor", "1.5M staff: ESR ingest within 3x of the floor"),
    ("delta_share", "1% delta under 10% of a full run"),
    ("gx_share", "GX under 25% of ingestion"),
    ("bi_queries_10k", "BI queries under 1 s at 10k"),
)
NATIONAL_STAFF = 1_500_000
TRUST_STAFF = 10_000


@dataclass(frozen=True)
class Line:
    """One printed row: a stage's wall seconds, rows handled, peak RSS and its multiple of the floor."""

    name: str
    seconds: float | None
    rows: int | None = None
    peak_bytes: int | None = None
    floor_part: float | None = None  # the floor's matching part (parse or load), when there is one
    floor_total: float | None = None
    cpu_seconds: float | None = None  # the stage process's user + system time, for whole stages

    @property
    def rows_per_second(self) -> float | None:
        if not self.rows or not self.seconds:
            return None
        return self.rows / self.seconds


def _label_peak(peaks: dict[str, int], prefix: str, steps: tuple[str, ...]) -> int | None:
    wanted = {f"{prefix}/{step}" for step in steps}
    found = [rss for label, rss in peaks.items() if label in wanted]
    return max(found) if found else None


INGEST_STEPS = {
    "parse": ("parse",),
    "validate": ("validate.rows", "validate.batch"),
    "gx": ("validate.gx",),
    "load_stage": ("load.stage",),
    "load_merge": ("load.merge",),
    "load_log": ("load.log",),
}


def ingest_breakdown(result: dict) -> dict:
    """Seconds per source and step of one ingest stage (from its per-file records), with rows, the GX total
    and the sampled RSS peak of each step."""
    peaks = result.get("label_rss_peaks", {})
    sources = {}
    for source in ("esr", "totara", "rules", "surveys"):
        files = [f for f in result.get("files", []) if f["source"] == source]
        if not files:
            continue
        entry: dict = {
            step: sum(f["steps"].get(name, 0.0) for f in files for name in names)
            for step, names in INGEST_STEPS.items()
        }
        entry["total"] = sum(f["seconds"] for f in files)
        entry["other"] = entry["total"] - sum(entry[step] for step in INGEST_STEPS)
        entry["rows"] = sum(f["rows_in"] or 0 for f in files)
        entry["files"] = len(files)
        entry["loaded"] = sum(f["status"] == "loaded" for f in files)
        entry["peaks"] = {step: _label_peak(peaks, source, names) for step, names in INGEST_STEPS.items()}
        sources[source] = entry
    labels = result.get("labels", {})
    return {
        "wall": result["wall_seconds"],
        "setup": labels.get("ingest.setup", 0.0),
        "prune": labels.get("ingest.prune", 0.0),
        "gx": sum(entry["gx"] for entry in sources.values()) + labels.get("ingest.gx_docs", 0.0),
        "gx_docs": labels.get("ingest.gx_docs", 0.0),
        "sources": sources,
        "peak_bytes": result["peak_rss_bytes"],
    }


def partial_stage(run: dict, key: str) -> dict | None:
    """What a stopped stage finished before it stopped, shaped like a result (ingest files, build tasks)."""
    error = next((e for e in run.get("errors", []) if e["stage"] == key), None)
    if error is None:
        return None
    partial = error.get("partial", [])
    return {
        "stopped": error["reason"],
        "wall_seconds": error.get("seconds", 0.0),
        "peak_rss_bytes": error.get("observed_peak_rss_bytes"),
        "files": [line for line in partial if line["kind"] == "file"],
        "task_seconds": {line["task"]: line["seconds"] for line in partial if line["kind"] == "task"},
        "rows_written": {k: v for line in partial if line["kind"] == "task" for k, v in line["rows_written"].items()},
    }


def floor_seconds(floor: dict) -> tuple[float, float]:
    """(parse, load) seconds of the floor stage."""
    return floor["labels"].get("floor/parse", 0.0), floor["labels"].get("floor/load", 0.0)


def summarise(run: dict) -> dict:
    """The figures of one (size, database) run: nightly and delta totals, ratios, GX share, query medians."""
    stages = run["stages"]
    summary: dict = {}
    ingest = stages.get("nightly_ingest")
    build, publish = stages.get("build"), stages.get("publish")
    if ingest and build and publish:
        summary["nightly_seconds"] = ingest["wall_seconds"] + build["wall_seconds"] + publish["wall_seconds"]
        summary["nightly_peak_bytes"] = max(s["peak_rss_bytes"] for s in (ingest, build, publish))
        cpu = [stage.get("cpu_seconds") for stage in (ingest, build, publish)]
        summary["nightly_cpu_seconds"] = None if None in cpu else sum(cpu)
    if ingest:
        breakdown = ingest_breakdown(ingest)
        summary["gx_share_of_ingest"] = breakdown["gx"] / ingest["wall_seconds"] if ingest["wall_seconds"] else None
        esr = breakdown["sources"].get("esr")
        if esr:
            summary["esr_ingest_seconds"] = esr["total"]
            summary["esr_rows"] = esr["rows"]
    floor = stages.get("floor")
    if floor and "esr_ingest_seconds" in summary:
        parse, load = floor_seconds(floor)
        summary["floor_seconds"] = parse + load
        summary["esr_ingest_vs_floor"] = summary["esr_ingest_seconds"] / (parse + load)
        if "nightly_seconds" in summary:
            summary["nightly_vs_floor"] = summary["nightly_seconds"] / (parse + load)
    delta = [stages.get(name) for name in ("delta_ingest", "delta_build", "delta_publish")]
    if all(delta):
        summary["delta_seconds"] = sum(stage["wall_seconds"] for stage in delta)
        summary["delta_ingest_seconds"] = delta[0]["wall_seconds"]
        if "nightly_seconds" in summary:
            summary["delta_share"] = summary["delta_seconds"] / summary["nightly_seconds"]
            summary["delta_ingest_share"] = delta[0]["wall_seconds"] / ingest["wall_seconds"]
    queries = stages.get("queries")
    if queries:
        summary["query_median_ms"] = {name: q["median_ms"] for name, q in queries["queries"].items()}
        summary["slowest_query_ms"] = max(summary["query_median_ms"].values())
    return summary


def stage_lines(run: dict, parse_stage: dict | None) -> list[Line]:
    """The rows of the per-run table, in pipeline order."""
    stages = run["stages"]
    lines: list[Line] = []
    floor = stages.get("floor")
    floor_parse, floor_load = floor_seconds(floor) if floor else (None, None)
    floor_total = (floor_parse + floor_load) if floor else None

    def add(name, seconds, rows=None, peak=None, part=None, cpu=None):
        lines.append(Line(name, seconds, rows, peak, part, floor_total, cpu))

    if parse_stage:
        esr_rows = parse_stage["rows"]["esr"]
        add(
            "ESR readers alone (fresh process)",
            parse_stage["labels"].get("esr/parse", 0.0),
            esr_rows,
            parse_stage["peak_rss_bytes"],
            floor_parse,
        )
    for key, title in (("backfill_ingest", "history backfill"), ("nightly_ingest", "nightly ingest")):
        result = stages.get(key) or partial_stage(run, key)
        if not result:
            continue
        if result.get("stopped"):
            title = f"{title} (STOPPED)"
        breakdown = ingest_breakdown(result)
        for source, entry in breakdown["sources"].items():
            if source != "esr":
                add(f"{title}: {source} (all steps; GX {entry['gx']:.1f} s)", entry["total"], entry["rows"])
                continue
            rows, peaks = entry["rows"], entry["peaks"]
            add(f"{title}: ESR parse", entry["parse"], rows, peaks["parse"], floor_parse)
            add(f"{title}: ESR validate (row + batch checks)", entry["validate"], rows, peaks["validate"])
            add(f"{title}: ESR validate: Great Expectations", entry["gx"], rows, peaks["gx"])
            add(f"{title}: ESR load: stage", entry["load_stage"], rows, peaks["load_stage"])
            add(f"{title}: ESR load: merge", entry["load_merge"], rows, peaks["load_merge"])
            add(f"{title}: ESR load: load log", entry["load_log"], rows, peaks["load_log"])
            add(f"{title}: ESR other (dedupe, frames)", entry["other"], rows)
            add(f"{title}: ESR total", entry["total"], rows)
        add(f"{title}: setup (GX context, headings)", breakdown["setup"])
        add(f"{title}: Great Expectations Data Docs (once per run)", breakdown.get("gx_docs", 0.0))
        add(f"{title}: staging prune", breakdown["prune"])
        total_rows = sum(entry["rows"] for entry in breakdown["sources"].values())
        add(
            f"{title}: total",
            result["wall_seconds"],
            total_rows,
            result["peak_rss_bytes"],
            cpu=result.get("cpu_seconds"),
        )
    build = stages.get("build") or partial_stage(run, "build")
    if build:
        written = sum(build["rows_written"].values())
        for task, seconds in build["task_seconds"].items():
            label_peaks = build.get("label_rss_peaks", {})
            peaks = [rss for label, rss in label_peaks.items() if label.startswith(f"build.{task}")]
            add(f"build: {task}", seconds, None, max(peaks) if peaks else None)
        add(
            "build (STOPPED): total" if build.get("stopped") else "build: total (rows = mart rows written)",
            build["wall_seconds"],
            written,
            build["peak_rss_bytes"],
            cpu=build.get("cpu_seconds"),
        )
    publish = stages.get("publish")
    if publish:
        add(
            "publish (rows = feed rows)",
            publish["wall_seconds"],
            publish["rows"],
            publish["peak_rss_bytes"],
            cpu=publish.get("cpu_seconds"),
        )
    summary = run.get("summary", {})
    if "nightly_seconds" in summary:
        add(
            "NIGHTLY TOTAL (ingest + build + publish)",
            summary["nightly_seconds"],
            None,
            summary["nightly_peak_bytes"],
            cpu=summary.get("nightly_cpu_seconds"),
        )
    if floor:
        add("floor: parse (pyarrow)", floor_parse, floor["rows"], None, floor_parse)
        add("floor: load (COPY / executemany)", floor_load, floor["rows"], None, floor_load)
        add("floor: total", floor_total, floor["rows"], floor["peak_rss_bytes"], cpu=floor.get("cpu_seconds"))
    for key in ("delta_ingest", "delta_build", "delta_publish"):
        if stages.get(key):
            stage = stages[key]
            name = f"1% delta: {key.split('_')[1]}"
            add(name, stage["wall_seconds"], None, stage["peak_rss_bytes"], cpu=stage.get("cpu_seconds"))
    if "delta_seconds" in summary:
        add("1% DELTA TOTAL", summary["delta_seconds"])
    for error in run.get("errors", []):
        add(
            f"STOPPED {error['stage']}: {error['reason']}"[:58],
            error.get("seconds"),
            None,
            error.get("observed_peak_rss_bytes"),
        )
    return lines


def _fmt(value: float | None, pattern: str) -> str:
    return "" if value is None else format(value, pattern)


def render_lines(lines: list[Line]) -> str:
    header = (
        f"{'stage':<58} {'wall s':>9} {'cpu s':>8} {'rows':>11} {'rows/s':>11} {'peak MiB':>9} {'x part':>7} "
        f"{'x floor':>8}"
    )
    out = [header, "-" * len(header)]
    for line in lines:
        part = line.seconds / line.floor_part if line.seconds is not None and line.floor_part else None
        whole = line.seconds / line.floor_total if line.seconds is not None and line.floor_total else None
        out.append(
            f"{line.name[:58]:<58} {_fmt(line.seconds, '9.2f'):>9} {_fmt(line.cpu_seconds, '8.1f'):>8} "
            f"{_fmt(line.rows, ',d'):>11} "
            f"{_fmt(line.rows_per_second, ',.0f'):>11} "
            f"{_fmt(line.peak_bytes / MIB if line.peak_bytes else None, '9.0f'):>9} "
            f"{_fmt(part, '7.1f'):>7} {_fmt(whole, '8.1f'):>8}"
        )
    return "\n".join(out)


def render_queries(run: dict) -> str:
    queries = run["stages"].get("queries")
    if not queries:
        return ""
    out = [f"{'BI query':<44} {'rows':>8} {'median ms':>10} {'min ms':>8} {'max ms':>8}"]
    for name, q in queries["queries"].items():
        out.append(f"{name:<44} {q['rows']:>8,} {q['median_ms']:>10.1f} {q['min_ms']:>8.1f} {q['max_ms']:>8.1f}")
    return "\n".join(out)


def evaluate_targets(sizes: list[dict]) -> list[dict]:
    """Each target with its measured value and verdict, where this run measured it."""
    verdicts = []
    for size in sizes:
        staff = size["staff"]
        for run in size["runs"]:
            summary, database = run.get("summary", {}), run["database"]
            where = f"{staff:,} staff, {database}, {'history' if size['history'] else 'final full only'}"

            def verdict(key, value, limit, unit, where=where):
                if value is None:
                    return
                verdicts.append(
                    {
                        "target": key,
                        "where": where,
                        "value": value,
                        "limit": limit,
                        "unit": unit,
                        "met": value < limit if key != "national_floor" else value <= limit,
                    }
                )

            if staff == TRUST_STAFF and database == "sqlite":
                verdict("nightly_10k_sqlite", summary.get("nightly_seconds"), 60.0, "s")
            if staff >= NATIONAL_STAFF:
                peak = summary.get("nightly_peak_bytes")
                verdict("national_memory", peak / GIB if peak else None, 4.0, "GiB")
                verdict("national_floor", summary.get("esr_ingest_vs_floor"), 3.0, "x floor")
            verdict("delta_share", summary.get("delta_share"), 0.10, "of full run")
            verdict("gx_share", summary.get("gx_share_of_ingest"), 0.25, "of ingest")
            if staff == TRUST_STAFF:
                slowest = summary.get("slowest_query_ms")
                verdict("bi_queries_10k", slowest / 1000 if slowest is not None else None, 1.0, "s (slowest median)")
    return verdicts


def render_targets(verdicts: list[dict]) -> str:
    names = dict(TARGETS)
    out = [f"{'target':<48} {'where':<40} {'measured':>16}  verdict"]
    for v in verdicts:
        if v["unit"] in ("of full run", "of ingest"):
            measured = f"{v['value']:.1%}"
        else:
            measured = f"{v['value']:.2f} {v['unit'].split(' ')[0]}"
        out.append(f"{names[v['target']]:<48} {v['where']:<40} {measured:>16}  {'MET' if v['met'] else 'NOT MET'}")
    return "\n".join(out)
