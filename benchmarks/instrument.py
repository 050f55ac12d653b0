"""Where a stage's time and memory go: a label clock, wrappers installed around pipeline functions, an RSS
sampler and a per-statement SQL timer.

Time is credited to the innermost active label only (self time), so Great Expectations time spent inside an
ESR file's ingest counts as `esr/validate.gx` and not also as `esr/other`. A label written as `/name` is made
relative to the innermost scope (`esr`, `totara`, `build.compliance`), so one wrapper serves every source.
Wrappers replace module attributes in the stage's own subprocess and are never installed in a normal run.
"""

from __future__ import annotations

import functools
import os
import resource
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def current_rss_bytes() -> int:
    """Resident set size of this process now, from /proc (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * _PAGE_BYTES


def peak_rss_bytes() -> int:
    """The stage's RSS high-water mark (`ru_maxrss` is in KiB on Linux): this process's, plus the largest of the
    worker processes it started and waited for (the build's part workers). Adding the two peaks is an upper bound
    on what the stage held at once, so the figure never hides a worker's memory."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers) * 1024


class LabelClock:
    """Self time and call counts per label, with a stack of active labels (main thread only)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[str] = []
        self._scopes: list[str] = []
        self._mark = time.perf_counter()

    @property
    def active(self) -> str | None:
        return self._stack[-1] if self._stack else None

    def _name(self, label: str) -> str:
        if label.startswith("/"):
            return (self._scopes[-1] if self._scopes else "unscoped") + label
        return label

    @contextmanager
    def label(self, label: str, scope: bool = False) -> Iterator[str]:
        """Credit the time inside the block to `label` (minus any nested label's time)."""
        name = self._name(label)
        now = time.perf_counter()
        if self._stack:
            self.seconds[self._stack[-1]] += now - self._mark
        self._stack.append(name)
        if scope:
            self._scopes.append(name)
        self._mark = now
        self.calls[name] += 1
        try:
            yield name
        finally:
            now = time.perf_counter()
            self.seconds[name] += now - self._mark
            self._stack.pop()
            if scope:
                self._scopes.pop()
            self._mark = now


class RssSampler:
    """Samples RSS every `interval` seconds in a thread, keeping the peak seen under each active label.

    The per-label peaks are approximate (a sample can miss a short spike, and memory Python keeps after a step
    counts towards the next one); the process's `ru_maxrss` is the exact overall high-water mark.
    """

    def __init__(self, clock: LabelClock, interval: float = 0.02) -> None:
        self._clock = clock
        self._interval = interval
        self.peaks: dict[str, int] = defaultdict(int)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            label = self._clock.active or "(none)"
            rss = current_rss_bytes()
            if rss > self.peaks[label]:
                self.peaks[label] = rss

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True)
class Hook:
    """A module attribute to time: `module.attribute` is replaced by a wrapper crediting `label`.

    `iterates` marks a function returning an iterator whose items are produced lazily (the ESR reader): each
    `next()` is timed too. `scope` makes the label the prefix for relative labels used inside it.
    """

    module: Any
    attribute: str
    label: str
    iterates: bool = False
    scope: bool = False


def _timed(clock: LabelClock, hook: Hook, function: Callable) -> Callable:
    if hook.iterates:

        @functools.wraps(function)
        def iterating(*args, **kwargs):
            with clock.label(hook.label):
                iterator = iter(function(*args, **kwargs))

            def items():
                while True:
                    with clock.label(hook.label):
                        try:
                            item = next(iterator)
                        except StopIteration:
                            return
                    yield item

            return items()

        return iterating

    @functools.wraps(function)
    def timed(*args, **kwargs):
        with clock.label(hook.label, scope=hook.scope):
            return function(*args, **kwargs)

    return timed


def install(clock: LabelClock, hooks: list[Hook]) -> list[str]:
    """Replace each hooked attribute by its timed wrapper (for the life of this subprocess).

    Returns the hooks whose attribute the product no longer has (renamed in a refactor): they are skipped, so
    their time shows as the enclosing step's `other` and the benchmark still runs.
    """
    missing = []
    for hook in hooks:
        original = getattr(hook.module, hook.attribute, None)
        if original is None:
            missing.append(f"{getattr(hook.module, '__name__', hook.module)}.{hook.attribute}")
            continue
        setattr(hook.module, hook.attribute, _timed(clock, hook, original))
    return missing


class SqlTimer:
    """Wall time per distinct SQL statement executed through SQLAlchemy (raw-cursor bulk inserts bypass it)."""

    def __init__(self) -> None:
        self.statements: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def attach(self, engine) -> None:
        from sqlalchemy import event

        started: dict[int, float] = {}

        @event.listens_for(engine, "before_cursor_execute")
        def _before(connection, cursor, statement, parameters, context, executemany):
            started[id(cursor)] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _after(connection, cursor, statement, parameters, context, executemany):
            entry = self.statements[statement]
            entry[0] += 1
            entry[1] += time.perf_counter() - started.pop(id(cursor), time.perf_counter())

    def slowest(self, count: int = 8, width: int = 400) -> list[dict]:
        ranked = sorted(self.statements.items(), key=lambda item: -item[1][1])[:count]
        return [
            {"seconds": round(seconds, 3), "executions": int(runs), "sql": " ".join(statement.split())[:width]}
            for statement, (runs, seconds) in ranked
        ]
