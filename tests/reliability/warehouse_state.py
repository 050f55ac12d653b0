"""What the warehouse's marts and the published feed hold, reduced to values two runs can be compared on.

A layer snapshot is every row of every table in one layer (`marts`, or `core` for what the marts are built
from), each value written in one canonical text form
(dates ISO, floats rounded to 9 decimal places, NULL as `∅`) and the rows sorted, so the same contents give the
same SHA-256 on SQLite and PostgreSQL whatever order the rows were written in. A feed snapshot is the feed's
manifest without what differs between two runs that published the same figures: the run id, the time it was
generated and the warehouse's load ids.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from warehouse.feed_marts import FEED_FILES
from warehouse.models import metadata

NULL = "∅"


def canonical(value: object) -> str:
    """One value as text that is equal exactly when the values are (whatever database returned it)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        number = float(value)
        return "NaN" if math.isnan(number) else repr(round(number, 9) + 0.0)
    return str(value)


@dataclass(frozen=True)
class LayerSnapshot:
    """Every table's rows in canonical, sorted form; `checksums` gives one SHA-256 per table."""

    rows: dict[str, tuple[tuple[str, ...], ...]]

    @property
    def checksums(self) -> dict[str, str]:
        return {name: _digest(rows) for name, rows in self.rows.items()}

    def row_counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}

    def differences(self, other: LayerSnapshot, examples: int = 3) -> list[str]:
        """Per table that differs: how many rows only one side has, with a few of them, for a readable failure."""
        found = []
        for name in sorted(set(self.rows) | set(other.rows)):
            mine, theirs = set(self.rows.get(name, ())), set(other.rows.get(name, ()))
            if mine == theirs and len(self.rows.get(name, ())) == len(other.rows.get(name, ())):
                continue
            only_mine = sorted(mine - theirs)[:examples]
            only_theirs = sorted(theirs - mine)[:examples]
            found.append(
                f"{name}: {len(mine - theirs)} rows only here (e.g. {only_mine}), "
                f"{len(theirs - mine)} only in the other (e.g. {only_theirs})"
            )
        return found


def _digest(rows: tuple[tuple[str, ...], ...]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(row).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def layer_snapshot(engine: Engine, layer: str, ignore_columns: tuple[str, ...] = ()) -> LayerSnapshot:
    """Read every table of one warehouse layer (`marts`, `core`, ...) into a snapshot, leaving out columns such
    as `load_id` that say which load wrote a row rather than what the row says."""
    rows = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.schema == layer:
                result = connection.execute(select(*(c for c in table.c if c.name not in ignore_columns)))
                rows[table.name] = tuple(sorted(tuple(canonical(value) for value in row) for row in result))
    return LayerSnapshot(rows)


def mart_snapshot(engine: Engine) -> LayerSnapshot:
    """Every published mart of the warehouse."""
    return layer_snapshot(engine, "marts")


def assert_same_marts(actual: LayerSnapshot, expected: LayerSnapshot, context: str = "") -> None:
    """Fail naming every mart whose contents differ, with examples of the rows that do."""
    if actual.checksums != expected.checksums:
        lines = "\n  ".join(actual.differences(expected))
        raise AssertionError(f"marts differ{' ' + context if context else ''}:\n  {lines}")


@dataclass(frozen=True)
class FeedSnapshot:
    """A complete published feed: each file's rows and SHA-256, and the loads it says it was built from.

    `source_loads` holds (source, file, checksum) without the warehouse's load ids, which differ between two
    warehouses that loaded the same files.
    """

    as_of_date: str
    schema_version: str
    files: dict[str, tuple[int, str]]
    source_loads: tuple[tuple[str, str, str], ...]


class HalfWrittenFeed(AssertionError):
    """`<outbox>/<as-of>` exists but is not a complete feed matching its own manifest."""


def read_feed(outbox: Path, as_of: date) -> FeedSnapshot | None:
    """The feed published for `as_of`, None when there is none; raises `HalfWrittenFeed` when it is incomplete.

    Complete means: a manifest listing every file the feed publishes (`warehouse.feed_marts.FEED_FILES`), each present
    with the SHA-256 it states and at least the rows it states, and no CSV file it does not list.
    """
    folder = outbox / as_of.isoformat()
    if not folder.exists() and not folder.is_symlink():
        return None
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise HalfWrittenFeed(f"{folder} exists without a manifest")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    expected = {f"{name}.csv" for name in FEED_FILES}
    if set(manifest["files"]) != expected:
        raise HalfWrittenFeed(f"{folder}: the manifest lists {sorted(manifest['files'])}, not {sorted(expected)}")
    files = {}
    for name, stated in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise HalfWrittenFeed(f"{folder}: {name} is listed in the manifest but missing")
        content = path.read_bytes()
        if hashlib.sha256(content).hexdigest() != stated["sha256"]:
            raise HalfWrittenFeed(f"{folder}: {name} does not match the SHA-256 in the manifest")
        data_rows = max(content.count(b"\n") - 1, 0)
        if data_rows < stated["rows"]:
            raise HalfWrittenFeed(f"{folder}: {name} holds fewer lines than the {stated['rows']} rows stated")
        files[name] = (stated["rows"], stated["sha256"])
    unlisted = sorted(p.name for p in folder.glob("*.csv") if p.name not in files)
    if unlisted:
        raise HalfWrittenFeed(f"{folder}: files not in the manifest: {unlisted}")
    loads = tuple(
        sorted((load["source"], load["source_file"], load["checksum_sha256"]) for load in manifest["source_loads"])
    )
    return FeedSnapshot(
        as_of_date=manifest["as_of_date"],
        schema_version=manifest["schema_version"],
        files=files,
        source_loads=loads,
    )


def comparable(feed: FeedSnapshot | None) -> tuple | None:
    """A feed as a value two runs publishing the same figures agree on; None for no feed."""
    if feed is None:
        return None
    return feed.as_of_date, feed.schema_version, tuple(sorted(feed.files.items())), feed.source_loads
