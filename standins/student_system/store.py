"""The stand-in's data: five collections of JSON records, each stamped with `updated_at`, kept in memory.

A record is a plain JSON object as the API returns it. Deleting a record keeps it as a tombstone (its last
state with `"deleted": true` and a fresh `updated_at`) so an incremental pull after the deletion sees it once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: The fields that identify a record in each collection. Module results have no identifier of their own in the
#: API (SITS keys them by student, module and year), so their key is that triple.
COLLECTION_KEYS: Mapping[str, tuple[str, ...]] = {
    "students": ("student_id",),
    "enrolments": ("enrolment_id",),
    "module-results": ("student_id", "module_code", "academic_year"),
    "placements": ("placement_id",),
    "assessments": ("assessment_id",),
}

Clock = Callable[[], datetime]
RecordKey = tuple[str, ...]


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """`2026-11-20T08:15:00Z`, with microseconds only when there are any: the API's `updated_at` format."""
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {moment.isoformat()} has no timezone; the stand-in only stores UTC times")
    moment = moment.astimezone(UTC)
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 timestamp that names its offset (`Z` or `+01:00`), as UTC. Naive times are refused."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no timezone; write it in UTC with a trailing Z")
    return moment.astimezone(UTC)


class StudentRecordStore:
    """Thread-safe in-memory collections; each change is stamped with `updated_at` from the injected clock."""

    def __init__(
        self, records: Mapping[str, Iterable[Mapping[str, Any]]] | None = None, *, clock: Clock = utc_now
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._records: dict[str, dict[RecordKey, dict[str, Any]]] = {name: {} for name in COLLECTION_KEYS}
        for collection, rows in (records or {}).items():
            self.seed(collection, rows)

    @classmethod
    def from_folder(cls, folder: Path, *, clock: Clock = utc_now) -> StudentRecordStore:
        """Load `<collection>.jsonl` files (one JSON record a line); an absent file means no records."""
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"stand-in data folder {folder} does not exist")
        store = cls(clock=clock)
        for path in sorted(folder.glob("*.jsonl")):
            collection = path.stem
            if collection not in COLLECTION_KEYS:
                raise ValueError(
                    f"{path}: no collection called {collection!r}; "
                    f"name seed files after one of {', '.join(COLLECTION_KEYS)} (e.g. module-results.jsonl)"
                )
            with path.open(encoding="utf-8") as lines:
                for line_number, line in enumerate(lines, start=1):
                    if not line.strip():
                        continue
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as error:
                        raise ValueError(f"{path} line {line_number}: not valid JSON ({error.msg})") from error
                    store._load(collection, row, origin=f"{path} line {line_number}")
        return store

    def seed(self, collection: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """Add seed records as they are, keeping their `updated_at` (unlike `put`, which stamps a change)."""
        for number, row in enumerate(rows, start=1):
            self._load(collection, row, origin=f"{collection} seed record {number}")

    def _load(self, collection: str, row: Mapping[str, Any], *, origin: str) -> None:
        """Seed records keep their own `updated_at`: it is part of the history the seed describes."""
        self._check_collection(collection)
        if not isinstance(row, Mapping):
            raise ValueError(f"{origin}: expected a JSON object, got {type(row).__name__}")
        stamp = row.get("updated_at")
        if not isinstance(stamp, str):
            raise ValueError(f"{origin}: field updated_at is {stamp!r}; every seed record needs a UTC timestamp")
        try:
            updated_at = parse_timestamp(stamp)
        except ValueError as error:
            raise ValueError(f"{origin}: field updated_at: {error}") from error
        record = dict(row)
        record["updated_at"] = format_timestamp(updated_at)
        key = self._key_of(collection, record, origin=origin)
        self._records[collection][key] = record

    @staticmethod
    def _check_collection(collection: str) -> None:
        if collection not in COLLECTION_KEYS:
            raise KeyError(f"no collection called {collection!r}; expected one of {', '.join(COLLECTION_KEYS)}")

    @staticmethod
    def _key_of(collection: str, record: Mapping[str, Any], *, origin: str) -> RecordKey:
        values = []
        for field in COLLECTION_KEYS[collection]:
            value = record.get(field)
            if value is None or str(value).strip() == "":
                raise ValueError(f"{origin}: key field {field} is {value!r}; {collection} records need it")
            values.append(str(value))
        return tuple(values)

    @staticmethod
    def _as_key(collection: str, key: str | RecordKey) -> RecordKey:
        key_tuple = (key,) if isinstance(key, str) else tuple(str(part) for part in key)
        if len(key_tuple) != len(COLLECTION_KEYS[collection]):
            raise KeyError(f"{collection} records are keyed by {COLLECTION_KEYS[collection]}, got {key!r}")
        return key_tuple

    def put(self, collection: str, record: Mapping[str, Any]) -> dict[str, Any]:
        """Add a record or replace one with the same key (undeleting it); returns the stored record."""
        self._check_collection(collection)
        stored = {name: value for name, value in record.items() if name not in ("updated_at", "deleted")}
        key = self._key_of(collection, stored, origin=f"new {collection} record")
        with self._lock:
            stored["updated_at"] = format_timestamp(self._clock())
            self._records[collection][key] = stored
            return dict(stored)

    def update(self, collection: str, key: str | RecordKey, **changes: Any) -> dict[str, Any]:
        """Change fields of a live record (not its key); returns the stored record."""
        self._check_collection(collection)
        record_key = self._as_key(collection, key)
        blocked = set(COLLECTION_KEYS[collection]) | {"updated_at", "deleted"}
        if blocked & changes.keys():
            raise ValueError(f"cannot change {sorted(blocked & changes.keys())} with update(); use put() or delete()")
        with self._lock:
            current = self._live(collection, record_key)
            current.update(changes)
            current["updated_at"] = format_timestamp(self._clock())
            return dict(current)

    def delete(self, collection: str, key: str | RecordKey) -> dict[str, Any]:
        """Turn a live record into a tombstone; returns the tombstone."""
        self._check_collection(collection)
        record_key = self._as_key(collection, key)
        with self._lock:
            current = self._live(collection, record_key)
            current["deleted"] = True
            current["updated_at"] = format_timestamp(self._clock())
            return dict(current)

    def _live(self, collection: str, key: RecordKey) -> dict[str, Any]:
        current = self._records[collection].get(key)
        if current is None or current.get("deleted"):
            raise KeyError(f"no live {collection} record with key {key}")
        return current

    def get(self, collection: str, key: str | RecordKey) -> dict[str, Any] | None:
        self._check_collection(collection)
        with self._lock:
            found = self._records[collection].get(self._as_key(collection, key))
            return dict(found) if found is not None else None

    def query(self, collection: str, updated_since: datetime | None = None) -> list[dict[str, Any]]:
        """Records changed strictly after `updated_since` (all when None), ordered by (`updated_at`, key).

        Strictly after, because a client's watermark is the greatest `updated_at` it has already loaded:
        asking with it again must not return that record a second time.
        """
        self._check_collection(collection)
        with self._lock:
            rows = [
                (parse_timestamp(record["updated_at"]), key, dict(record))
                for key, record in self._records[collection].items()
            ]
        if updated_since is not None:
            rows = [row for row in rows if row[0] > updated_since]
        rows.sort(key=lambda row: (row[0], row[1]))
        return [record for _, _, record in rows]

    def counts(self) -> dict[str, int]:
        """Records held per collection, tombstones included."""
        with self._lock:
            return {name: len(records) for name, records in self._records.items()}
