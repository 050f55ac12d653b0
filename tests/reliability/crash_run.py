"""Nightly runs in their own processes, each killing itself with SIGKILL at a chosen step when told to.

`python -m tests.reliability.crash_run NIGHT.json` runs one night from its settings (warehouse URL, landing,
outbox, reporting date, run id). When the settings name a `kill_at` step, the product function that step runs
is wrapped so that on its n-th call the process writes a marker file and sends itself SIGKILL: no exception
handler, `finally` block or transaction rollback in Python gets to run, exactly as when the machine loses power
or the kernel's out-of-memory killer strikes. The marker proves the run got as far as the step before it died.

`python -m tests.reliability.crash_run --serve` is the same with the imports paid once: it imports the
pipeline and Great Expectations (several seconds), then reads lines of JSON lists of night files from stdin,
forks one child process per night, waits for them all and answers with a JSON list of their exit codes
(negative: killed by that signal). It must stay single-threaded to fork safely, so it is started with
numerical libraries' thread pools and pyarrow's allocator thread switched off.

Great Expectations validates every batch as in production but, unless `data_docs` is set, writes no HTML Data
Docs site (0.7 s a batch, and no part of what a crash can break).

Kill points (the product function wrapped, and whether the kill comes before or after it runs):
- `stage`: mid-file, after `warehouse.esr.stage_rows` has written a chunk inside its transaction;
- `merge`: mid-load, after `warehouse.history.VersionedMerge.apply` has merged a table inside the apply
  transaction (later tables of the same file not yet merged);
- `build`: mid-build, when `warehouse.marts.insert_frame` is about to write a mart inside the swap transaction;
- `publish-files`: mid-publish, when `warehouse.feeds.write_feed_file` is about to write a feed file;
- `publish-swap`: the new feed version written in full, just before `os.replace` swaps the link to it;
- `publish-log`: the link swapped, before old versions are pruned and the feed is logged.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class KillPoint:
    """Die at the `call`-th call of the step's function."""

    step: str
    call: int = 1


@dataclass(frozen=True)
class Night:
    """Everything one run needs, written to JSON for the child process."""

    base_dir: str
    warehouse_url: str
    landing: str
    outbox: str
    as_of: str
    run_id: str
    chunk_rows: int = 100_000
    kill_at: KillPoint | None = None
    marker: str | None = None
    data_docs: bool = False

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path) -> Night:
        raw = json.loads(path.read_text(encoding="utf-8"))
        kill_at = raw.pop("kill_at", None)
        return cls(**raw, kill_at=KillPoint(**kill_at) if kill_at else None)


def die(marker: str | None, step: str, call: int) -> None:
    if marker:
        Path(marker).write_text(f"{step} {call}\n", encoding="utf-8")
    os.kill(os.getpid(), signal.SIGKILL)


def _wrap(owner: Any, name: str, kill_at: KillPoint, marker: str | None, *, after: bool, counts=None) -> None:
    """Replace `owner.name` with a wrapper that dies on the chosen call, before or after the original runs.

    `counts` picks the calls that count (for a function also used for other things, such as `os.replace`).
    """
    original: Callable = getattr(owner, name)
    calls = 0

    def wrapper(*args, **kwargs):
        nonlocal calls
        if counts is not None and not counts(*args, **kwargs):
            return original(*args, **kwargs)
        calls += 1
        dying = calls == kill_at.call
        if dying and not after:
            die(marker, kill_at.step, calls)
        result = original(*args, **kwargs)
        if dying:
            die(marker, kill_at.step, calls)
        return result

    setattr(owner, name, wrapper)


def _is_feed_link(source, *_destination) -> bool:
    """True for the `os.replace` that swaps the feed's link (`<outbox>/.<as-of>.link` onto `<outbox>/<as-of>`)."""
    return Path(source).name.endswith(".link")


def install_kill_point(kill_at: KillPoint, marker: str | None) -> None:
    """Wrap the product function of `kill_at.step` (see the module docstring)."""
    import warehouse.esr
    import warehouse.feeds
    import warehouse.history
    import warehouse.marts

    if kill_at.step == "stage":
        _wrap(warehouse.esr, "stage_rows", kill_at, marker, after=True)
    elif kill_at.step == "merge":
        _wrap(warehouse.history.VersionedMerge, "apply", kill_at, marker, after=True)
    elif kill_at.step == "build":
        _wrap(warehouse.marts, "insert_frame", kill_at, marker, after=False)
    elif kill_at.step == "publish-files":
        _wrap(warehouse.feeds, "write_feed_file", kill_at, marker, after=False)
    elif kill_at.step == "publish-swap":
        _wrap(warehouse.feeds.os, "replace", kill_at, marker, after=False, counts=_is_feed_link)
    elif kill_at.step == "publish-log":
        _wrap(warehouse.feeds, "_prune_versions", kill_at, marker, after=False)
    else:
        raise ValueError(f"unknown kill point {kill_at.step!r}")


def run(night: Night) -> None:
    from contextlib import nullcontext

    from learnscape.config import LearnscapeConfig
    from tests.reliability.pipeline import data_docs_off, run_night

    if night.kill_at is not None:
        install_kill_point(night.kill_at, night.marker)
    config = LearnscapeConfig(
        base_dir=night.base_dir,
        warehouse={"url": night.warehouse_url},
        sources={"esr": {"chunk_rows": night.chunk_rows}},
    )
    with nullcontext() if night.data_docs else data_docs_off():
        run_night(config, Path(night.landing), date.fromisoformat(night.as_of), Path(night.outbox), night.run_id)


CHILD_TIMEOUT_SECONDS = 180


def _run_child(night_file: Path) -> None:
    """In a forked child: send output to the night's log, run it, and leave without running the parent's exit
    handlers."""
    log = os.open(night_file.with_suffix(".log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    code = 0
    try:
        run(Night.read(night_file))
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _exit_code(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _run_together(night_files: list[Path]) -> list[int]:
    children = []
    for night_file in night_files:
        pid = os.fork()
        if pid == 0:
            _run_child(night_file)
        children.append(pid)
    deadline = time.monotonic() + CHILD_TIMEOUT_SECONDS
    codes = {}
    while len(codes) < len(children):
        for pid in children:
            if pid in codes:
                continue
            finished, status = os.waitpid(pid, os.WNOHANG)
            if finished:
                codes[pid] = _exit_code(status)
            elif time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                codes[pid] = "timeout"
        time.sleep(0.05)
    return [codes[pid] for pid in children]


def serve() -> None:
    import great_expectations  # noqa: F401  (imported before forking, so no child pays for it)

    import tests.reliability.pipeline  # noqa: F401

    print("ready", flush=True)
    for line in sys.stdin:
        print(json.dumps(_run_together([Path(name) for name in json.loads(line)])), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve()
    else:
        run(Night.read(Path(sys.argv[1])))
