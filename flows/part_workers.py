"""A build's parts of people computed on worker processes while the build's own transaction writes the part before.

A part costs two kinds of work of about the same size: reading its inputs and computing its rows in pandas, and
inserting those rows (with their indexes) into the marts. Run one after the other they use one core; here a
worker process reads and computes part k+1 while the build inserts part k, so a machine with two cores does
both at once. Threads cannot: both halves hold Python's GIL for most of their time, and a thread beside
`executemany` made the build slower, not faster.

Workers read through `snapshot_reader`: one read-only transaction each, for every part they compute, beside the
build's write lock. The parts come back in order, so the marts get the same rows in the same order as a build
that computes them itself, and their frames come back through `flows.frame_transfer`, which pickles their
repeating columns as codes. `workers_allowed` is the rule for any worker process (publishing's too): none from
a daemon process, none on an in-memory database.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from multiprocessing.util import Finalize
from typing import TypeVar

from sqlalchemy import Connection, Engine

from flows import frame_transfer
from warehouse.engine import is_sqlite, open_warehouse, snapshot_reader

Part = TypeVar("Part")
Result = TypeVar("Result")

#: The reading connection of this worker process (set by `_open_reader` when the worker starts).
_reader: Connection | None = None


@contextmanager
def computed_parts(
    connection: Connection,
    parts: Sequence[Part],
    compute: Callable[[Connection, Part], Result],
    workers: int,
) -> Iterator[Iterator[Result]]:
    """`compute(reader, part)` for each part, in order, as an iterator to consume inside the block.

    `connection` is the build's writing transaction. With `workers` of 0, one part, an in-memory database, or
    inside a daemon process (a Dask worker, which may not start processes of its own), the parts are computed
    here, through that connection, one after the other. Otherwise up to `workers` parts are computed ahead on
    worker processes; `compute` must then be picklable (a module-level function, or a `functools.partial` of
    one).
    """
    if not _can_use_workers(connection, parts, workers):
        yield (compute(connection, part) for part in parts)
        return
    url = connection.engine.url.render_as_string(hide_password=False)
    with ExitStack() as stack:
        pool = stack.enter_context(
            ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_open_reader,
                initargs=(url,),
            )
        )
        pending: deque[Future] = deque()
        stack.callback(_cancel, pending)
        yield _in_order(pool, pending, iter(parts), compute, workers)


def _can_use_workers(connection: Connection, parts: Sequence, workers: int) -> bool:
    return workers >= 1 and len(parts) >= 2 and workers_allowed(connection.engine)


def workers_allowed(engine: Engine) -> bool:
    """Whether worker processes may read this warehouse from here: not from a daemon process (a Dask worker may
    not start processes of its own), and not an in-memory SQLite database, which other processes cannot open."""
    if multiprocessing.current_process().daemon:
        return False
    return not (is_sqlite(engine) and engine.url.database in (None, "", ":memory:"))


def _in_order(pool: ProcessPoolExecutor, pending: deque, parts: Iterator, compute, ahead: int) -> Iterator:
    """Keep `ahead` parts in the workers' hands and hand back the oldest as soon as it is done."""
    for part in itertools.islice(parts, ahead):
        pending.append(pool.submit(_compute, compute, part))
    while pending:
        pickled = pending.popleft().result()
        for following in itertools.islice(parts, 1):
            pending.append(pool.submit(_compute, compute, following))
        yield frame_transfer.loads(pickled)


def _cancel(pending: deque) -> None:
    """Parts not yet started are dropped when the build stops early (an error while writing)."""
    for future in pending:
        future.cancel()


def _open_reader(url: str) -> None:
    """Worker start: open the warehouse and begin the read-only transaction every part of this worker reads in."""
    global _reader
    stack = ExitStack()
    _reader = stack.enter_context(snapshot_reader(open_warehouse(url)))
    Finalize(None, stack.close, exitpriority=10)


def _compute(compute: Callable, part) -> bytes:
    return frame_transfer.dumps(compute(_reader, part))
