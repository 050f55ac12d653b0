"""The published feed: CSV files and a manifest per reporting date in the outbox, swapped in atomically.

`<outbox>/<as-of>` is a symbolic link to a complete version folder under `<outbox>/.versions/`. A new version is
written and fsynced beside the old one, then the link is replaced in one rename: a reader sees the old feed or
the new one, never a half-written one, and the previous version stays on disk.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Date, String, case, func, literal, type_coerce

FEED_SCHEMA_VERSION = "1.0"
VERSIONS_KEPT_PER_DATE = 2
#: A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class PublishedFeed:
    path: Path
    version_path: Path
    manifest: dict


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as formulas with an apostrophe (numbers are left alone)."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        cells = values.tolist()
        risky = [isinstance(v, str) and v.startswith(FORMULA_PREFIXES) for v in cells]
        if any(risky):
            safe[column] = pd.Series(
                ["'" + v if r else v for v, r in zip(cells, risky, strict=True)], index=values.index, dtype=object
            )
    return safe


@dataclass(frozen=True)
class FeedRows:
    """A feed file as batches of rows straight from a query, written without building frames: the way the marts
    are published (`flows.publish`), several times faster than frames for millions of rows.

    The query has already made the cells safe (its columns made by `as_written`), so the file is the one
    `neutralise_formulas` and `DataFrame.to_csv` would write."""

    columns: list[str]
    batches: Iterable[Sequence[Sequence]]


def as_written(column):
    """A mart column as the feed writes it, made by the database for `FeedRows`: text that a spreadsheet would
    run as a formula gets an apostrophe in front, as `neutralise_formulas` does to frames, and dates come as ISO
    text, which SQLite stores and PostgreSQL's dates print as."""
    if isinstance(column.type, Date):
        return type_coerce(column, String).label(column.name)
    if isinstance(column.type, String):
        risky = func.substr(column, 1, 1).in_(FORMULA_PREFIXES)
        return case((risky, literal("'", String) + column), else_=column).label(column.name)
    return column


@dataclass(frozen=True)
class WrittenElsewhere:
    """A feed file another process writes: `start(path)` has it written at `path` and returns a future of its rows
    and SHA-256. Such files are started first, so they are written while this process writes the others."""

    start: Callable[[Path], Future[tuple[int, str]]]


#: A feed file this process writes: one frame, frames in order (a large mart streamed in chunks, header written
#: once), or batches of rows.
WrittenHere = pd.DataFrame | Iterable[pd.DataFrame] | FeedRows
#: A feed file's content: written here, or by another process.
FeedTable = WrittenHere | WrittenElsewhere


def write_feed_file(table: WrittenHere, path: Path) -> tuple[int, str]:
    """Write the file chunk by chunk; returns its rows and SHA-256 (read back in blocks, never whole)."""
    if isinstance(table, FeedRows):
        return _write_rows(table, path), _sha256(path)
    chunks = [table] if isinstance(table, pd.DataFrame) else table
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        for number, frame in enumerate(chunks):
            neutralise_formulas(frame).to_csv(
                handle, index=False, header=number == 0, date_format="%Y-%m-%d", lineterminator="\n"
            )
            rows += len(frame)
    return rows, _sha256(path)


def _write_rows(table: FeedRows, path: Path) -> int:
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.columns)
        for batch in table.batches:
            writer.writerows(batch)
            rows += len(batch)
    return rows


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_feed(
    outbox: Path, as_of: date, tables: dict[str, FeedTable], run_id: str, source_loads: list[dict]
) -> PublishedFeed:
    """Write the feed for `as_of` and make it visible atomically; returns where it is and its manifest.

    Chunked tables are consumed as they are written, so memory holds one chunk of the largest mart. If writing
    here fails, a file another process is writing is still waited for before the error goes on (the caller's
    process pool does so as it closes)."""
    versions = outbox / ".versions"
    versions.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = versions / f"{as_of.isoformat()}-{stamp}"
    partial = versions / f".{final.name}.partial"
    partial.mkdir()
    elsewhere = {
        name: table.start(partial / f"{name}.csv")
        for name, table in tables.items()
        if isinstance(table, WrittenElsewhere)
    }
    written_here = {
        name: write_feed_file(table, partial / f"{name}.csv") for name, table in tables.items() if name not in elsewhere
    }
    files = {}
    for name in tables:
        rows, digest = elsewhere[name].result() if name in elsewhere else written_here[name]
        files[f"{name}.csv"] = {"rows": rows, "sha256": digest}
    manifest = {
        "as_of_date": as_of.isoformat(),
        "schema_version": FEED_SCHEMA_VERSION,
        "run_id": run_id,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
        "source_loads": source_loads,
    }
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    for child in partial.iterdir():
        _fsync(child)
    partial.rename(final)
    link = outbox / as_of.isoformat()
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    temporary_link = outbox / f".{as_of.isoformat()}.link"
    if temporary_link.is_symlink() or temporary_link.exists():
        temporary_link.unlink()
    temporary_link.symlink_to(Path(".versions") / final.name)
    os.replace(temporary_link, link)
    _prune_versions(versions, as_of)
    return PublishedFeed(path=link, version_path=final, manifest=manifest)


def _prune_versions(versions: Path, as_of: date) -> None:
    mine = sorted(p for p in versions.glob(f"{as_of.isoformat()}-*") if p.is_dir())
    for old in mine[:-VERSIONS_KEPT_PER_DATE]:
        shutil.rmtree(old, ignore_errors=True)
    for leftover in versions.glob(".*.partial"):
        shutil.rmtree(leftover, ignore_errors=True)
